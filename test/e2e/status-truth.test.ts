/**
 * `status` tells the truth after failures (issue 11): a refused credential is an `auth` error
 * naming the setting, not retried, recorded on the tenant and its mailboxes; every round's
 * outcome is recorded (and survives the process: each command is a new process); mailboxes
 * that do not exist or left the directory are `missing` and need attention; `sync -m` with an
 * unknown address fails by name.
 *
 * What the real services answer for a wrong secret, which the emulators reproduce:
 * - Microsoft identity platform: HTTP 401 `{"error":"invalid_client","error_description":
 *   "AADSTS7000215: Invalid client secret provided. …","error_codes":[7000215]}` (reported in
 *   e.g. github.com/OfficeDev/microsoft-365-agents-toolkit/issues/8621 and keycloak/keycloak#31294).
 * - Salesforce token endpoint, client credentials with a wrong consumer secret: HTTP 400
 *   `{"error":"invalid_client","error_description":"invalid client credentials"}`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastJsonLine, mailbridge, recentMail, startCliTenant, type CliTenant } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';
const GHOST = 'ghost@example-seller.com';

function mailboxes() {
  return [
    { address: ALEX, messages: [recentMail('inbox', 30, { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Subject: 'Renewal', 'Message-ID': '<renewal-st@acme.com>' })] },
    { address: SAM, messages: [] },
  ];
}

type Status = {
  lastRound: { ok: boolean; stage: string | null; error: { code: string; message: string; setting: string | null } | null } | null;
  mailboxes: { address: string; connection: string; lastError: string | null }[];
  totals: { needingAttention: number; connected: number; lastRoundFailed: boolean };
};

describe('status after failures', () => {
  let t: CliTenant;
  beforeEach(async () => {
    t = await startCliTenant(mailboxes());
  });
  afterEach(async () => {
    await t.close();
  });
  const env = () => ({ MAILBRIDGE_DB_KEY: t.key });
  const run = (...args: string[]) => mailbridge([...args, '--config', t.configFile], env());
  const status = async () => (await run('status', '--tenant', 'acme', '--json')).stdout;
  const editConfig = (edit: (tenant: { mail: Record<string, unknown>; crm: Record<string, unknown> }) => void) => {
    const config = JSON.parse(readFileSync(t.configFile, 'utf8')) as { tenants: { mail: Record<string, unknown>; crm: Record<string, unknown> }[] };
    edit(config.tenants[0]!);
    writeFileSync(t.configFile, JSON.stringify(config), { mode: 0o600 });
  };
  const tokenRequests = () => t.graph.emulator.counters.get('token');

  it('a wrong Graph client secret is an auth error naming the setting, not retried, on the tenant and every mailbox', async () => {
    expect((await run('sync', '--once', '--quiet')).code).toBe(0);
    editConfig((tenant) => (tenant.mail.clientSecret = 'not-the-secret'));
    const before = tokenRequests();

    const failed = await run('sync', '--once', '--quiet');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/client secret was refused/);
    expect(failed.stderr).toMatch(/check tenants\[acme\]\.mail\.clientSecret/);
    // One token request: a refused secret is not retried as transient.
    expect(tokenRequests() - before).toBe(1);

    const s = JSON.parse(await status()) as Status;
    expect(s.lastRound).toMatchObject({ ok: false, stage: 'mailboxes', error: { code: 'auth', setting: 'tenants[acme].mail.clientSecret' } });
    expect(s.mailboxes.map((m) => [m.address, m.connection])).toEqual([
      [ALEX, 'failing'],
      [SAM, 'failing'],
    ]);
    expect(s.mailboxes.every((m) => /clientSecret/.test(m.lastError ?? ''))).toBe(true);
    expect(s.totals).toMatchObject({ connected: 0, needingAttention: 3, lastRoundFailed: true });

    const table = (await run('status', '--tenant', 'acme')).stdout;
    expect(table).toMatch(/Last round: FAILED .*\(mailboxes\): auth: /);
    expect(table).toMatch(/check tenants\[acme\]\.mail\.clientSecret in the configuration/);
    expect(table).toMatch(/3 needing attention/);

    // Fixed: the next round records success and the mailboxes connect again.
    editConfig((tenant) => (tenant.mail.clientSecret = t.graph.credentials.clientSecret));
    expect((await run('sync', '--once', '--quiet')).code).toBe(0);
    const healed = JSON.parse(await status()) as Status;
    expect(healed.lastRound).toMatchObject({ ok: true, error: null });
    expect(healed.totals).toMatchObject({ needingAttention: 0, connected: 2 });
  });

  it('a round whose CRM login fails is recorded with its error and counted as needing attention', async () => {
    expect((await run('sync', '--once', '--quiet')).code).toBe(0);
    editConfig((tenant) => (tenant.crm.clientSecret = 'wrong-consumer-secret'));
    const failed = await run('sync', '--once', '--quiet');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/check tenants\[acme\]\.crm\.clientSecret/);
    const s = JSON.parse(await status()) as Status;
    expect(s.lastRound).toMatchObject({ ok: false, stage: 'crm', error: { code: 'auth', setting: 'tenants[acme].crm.clientSecret' } });
    expect(s.totals).toMatchObject({ needingAttention: 1, lastRoundFailed: true });
  });

  it('configured mailboxes that do not exist and mailboxes gone from the directory are missing, and need attention', async () => {
    editConfig((tenant) => (tenant.mail.users = [ALEX, SAM, GHOST]));
    expect((await run('sync', '--once', '--quiet')).code).toBe(0);
    let s = JSON.parse(await status()) as Status;
    expect(s.mailboxes.map((m) => [m.address, m.connection])).toEqual([
      [ALEX, 'connected'],
      [GHOST, 'missing'],
      [SAM, 'connected'],
    ]);
    expect(s.totals.needingAttention).toBe(1);

    t.graph.store.removeMailbox(SAM);
    expect((await run('sync', '--once', '--quiet')).code).toBe(0);
    s = JSON.parse(await status()) as Status;
    expect(s.mailboxes.find((m) => m.address === SAM)?.connection).toBe('missing');
    expect(s.totals.needingAttention).toBe(2);
  });

  it('sync -m with an address the directory does not have fails, naming it', async () => {
    const r = await run('sync', '--once', '--quiet', '-m', 'typo@example-seller.com', '--json');
    expect(r.code).toBe(1);
    const result = lastJsonLine(r.stdout) as { mailboxes: { address: string; ok: boolean; code: string; error: string }[]; totals: { failed: number } };
    expect(result.mailboxes).toEqual([expect.objectContaining({ address: 'typo@example-seller.com', ok: false, code: 'not-found' })]);
    expect(result.mailboxes[0]!.error).toMatch(/no such mailbox.*typo@example-seller\.com/);
    expect(result.totals.failed).toBe(1);
    const table = await run('sync', '--once', '--quiet', '-m', 'typo@example-seller.com');
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/typo@example-seller\.com\s+failed\s+.*no such mailbox/);
  });
});

describe('a failed round among several tenants', () => {
  let a: CliTenant;
  let b: CliTenant;
  beforeEach(async () => {
    a = await startCliTenant(mailboxes());
    b = await startCliTenant(mailboxes());
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('does not stop the other tenants; it is reported and the exit status is 1', async () => {
    const config = JSON.parse(readFileSync(a.configFile, 'utf8')) as { tenants: { id: string; mail: Record<string, unknown> }[] };
    config.tenants[0]!.mail.clientSecret = 'not-the-secret';
    const other = (JSON.parse(readFileSync(b.configFile, 'utf8')) as { tenants: { id: string }[] }).tenants[0]!;
    config.tenants.push({ ...(other as { id: string; mail: Record<string, unknown> }), id: 'globex' });
    writeFileSync(a.configFile, JSON.stringify(config), { mode: 0o600 });

    const r = await mailbridge(['sync', '--once', '--quiet', '--json', '--config', a.configFile], { MAILBRIDGE_DB_KEY: a.key });
    expect(r.code).toBe(1);
    const out = lastJsonLine(r.stdout) as { tenants: { tenant: string }[]; failed: { tenant: string; error: { code: string; field: string } }[] };
    expect(out.tenants.map((t) => t.tenant)).toEqual(['globex']);
    expect(out.failed).toEqual([{ tenant: 'acme', error: expect.objectContaining({ code: 'auth', field: 'tenants[acme].mail.clientSecret' }) }]);
    expect(b.sf.control.emails()).toHaveLength(1);
  });
});
