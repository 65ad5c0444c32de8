/**
 * The whole user-by-user setup on the emulators, as an admin runs it, with no file edited by
 * hand: `init --mode user` → `connect --invite` → the user's browser (an HTTP client) follows
 * the consent link to the Graph emulator's authorize endpoint at the configured authority host,
 * which redirects with code and state to `connect --serve` → `mailboxes add` → `sync --once`
 * imports mail. Then what a served redirect refuses: a state it never issued, declined consent,
 * a replayed code.
 *
 * Entra's side as the emulator models it: a declined prompt comes back to the redirect URI as
 * `error=access_denied` with the state (RFC 6749 §4.1.2.1; AADSTS65004), and a code redeemed a
 * second time is refused `invalid_grant` (AADSTS54005), per the Entra error-code reference
 * (learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { lastJsonLine, mailbridge, recentMail, root, sampleSnapshot } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** `mailbridge connect --serve` as a child process, resolved once it prints where it listens. */
function serve(args: string[], env: Record<string, string>): Promise<{ child: ChildProcessWithoutNullStreams; lines: string[]; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'connect', '--serve', '--json', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line.includes('"listening"')) {
          resolve({
            child,
            lines,
            stop: async () => {
              child.kill('SIGTERM');
              return exited;
            },
          });
        }
      }
    });
    void exited.then((code) => reject(new Error(`connect --serve exited (${code}) before listening: ${stderr}`)));
  });
}

/** The user's browser: opens the link, follows the identity service's redirect, returns the page. */
async function consent(link: string): Promise<{ status: number; page: string; redirect: URL }> {
  const authorize = await fetch(link, { redirect: 'manual' });
  expect(authorize.status).toBe(302);
  const redirect = new URL(authorize.headers.get('location')!);
  const landed = await fetch(redirect);
  return { status: landed.status, page: await landed.text(), redirect };
}

// One setup for the whole file, in order: the full path first, then what the served redirect
// refuses, on the tenant it left (alex connected, sam added and invited).
describe('user-by-user setup from init to the first sync, on the emulators', () => {
  let graph: GraphEmulator;
  let sf: RunningSalesforceEmulator;
  let dir: string;
  let configFile: string;
  let redirectUri: string;
  let env: Record<string, string>;
  let server: Awaited<ReturnType<typeof serve>> | null = null;

  beforeAll(async () => {
    graph = await startGraphEmulator({
      mailboxes: [
        {
          address: ALEX,
          displayName: 'Alex Seller',
          messages: [recentMail('inbox', 30, { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Subject: 'Renewal pricing', 'Message-ID': '<renewal-consent@acme.com>' })],
        },
        { address: SAM, displayName: 'Sam Seller', messages: [] },
      ],
    });
    sf = await startSalesforceEmulator({ snapshot: sampleSnapshot });
    dir = mkdtempSync(join(tmpdir(), 'mailbridge-consent-'));
    configFile = join(dir, 'mailbridge.config.json');
    redirectUri = `http://127.0.0.1:${await freePort()}/oauth/callback`;
    env = { GRAPH_CLIENT_SECRET: graph.credentials.clientSecret, SALESFORCE_CLIENT_SECRET: sf.credentials.clientSecret, MAILBRIDGE_DB_KEY: '' };
    const init = await mailbridge(
      [
        'init', '--config', configFile, '--tenant', 'acme', '--company-domain', ...sampleSnapshot.companyDomains,
        '--provider', 'graph', '--mode', 'user', '--users', ALEX, '--redirect-uri', redirectUri,
        '--graph-tenant-id', graph.credentials.tenantId, '--graph-client-id', graph.credentials.clientId,
        '--graph-client-secret', 'env:GRAPH_CLIENT_SECRET', '--graph-base-url', graph.url, '--graph-authority-host', graph.url,
        '--crm', 'salesforce', '--salesforce-login-url', sf.credentials.loginUrl, '--salesforce-client-id', sf.credentials.clientId,
        '--salesforce-client-secret', 'env:SALESFORCE_CLIENT_SECRET', '--json',
      ],
      env,
    );
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    if (server) await server.stop();
    await Promise.all([graph?.close(), sf?.close()]);
  });

  /** The served redirect, started once for the refusal tests. */
  const serving = async () => (server ??= await serve(['--config', configFile], env));

  const run = (args: string[]) => mailbridge([...args, '--config', configFile], env);

  async function invite(users: string[]): Promise<Record<string, string>[]> {
    const r = await run(['connect', '--invite', ...users, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  }

  it('init → connect --invite → consent through the authority host → served redirect → doctor → mailboxes add → sync --once', async () => {
    const links = join(dir, 'links.csv');
    const invited = await run(['connect', '--invite', ALEX, '--out', links]);
    expect(invited.code).toBe(0);
    const csv = readFileSync(links, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('tenant,email,status,link');
    const [tenant, email, linkStatus, link] = csv[1]!.split(',');
    expect([tenant, email, linkStatus]).toEqual(['acme', ALEX, 'invited']);
    // The link goes to the configured authority, with PKCE; the verifier is nowhere in it.
    const url = new URL(link!);
    expect(url.origin).toBe(new URL(graph.url).origin);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);

    const listed = lastJsonLine((await run(['mailboxes', 'list', '--json'])).stdout) as { mailboxes: { address: string; connection: string; consentPending: boolean }[] };
    expect(listed.mailboxes).toEqual([expect.objectContaining({ address: ALEX, connection: 'invited', consentPending: true })]);

    server = await serve(['--config', configFile], env);
    const landed = await consent(link!);
    expect(landed.redirect.origin + landed.redirect.pathname).toBe(redirectUri);
    expect(landed.status).toBe(200);
    expect(landed.page).toContain('You are connected');
    expect(landed.page).toContain(ALEX);
    expect(await server.stop()).toBe(0);
    expect(server.lines.map((l) => JSON.parse(l) as { result?: string }).filter((l) => l.result)).toEqual([{ tenant: 'acme', result: 'connected', address: ALEX }]);
    server = null;

    // With the one configured user connected, doctor passes every check it runs.
    const doctor = await run(['doctor', '--json']);
    const report = lastJsonLine(doctor.stdout) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['config', 'database', 'crm.credentials', `mail.mailbox`]));
    expect(doctor.code).toBe(0);

    const added = await run(['mailboxes', 'add', SAM, '--json']);
    expect(added.code).toBe(0);
    const status = lastJsonLine((await run(['status', '--json'])).stdout) as { tenants?: { mailboxes: { address: string; connection: string }[] }[]; mailboxes?: { address: string; connection: string }[] };
    const rows = (status.mailboxes ?? status.tenants![0]!.mailboxes).map((m) => [m.address, m.connection]).sort();
    expect(rows).toEqual([
      [ALEX, 'connected'],
      [SAM, 'invited'],
    ]);

    const sync = await run(['sync', '--once', '--json', '--quiet']);
    expect(sync.code).toBe(0);
    expect(lastJsonLine(sync.stdout)).toMatchObject({ tenant: 'acme', totals: { imported: 1, failed: 0 } });
    expect(sf.control.emails().map((e) => e.record.Subject)).toEqual(['Renewal pricing']);
  }, 60_000);

  it('invites from a CSV file, every address checked before any link is written', async () => {
    await run(['mailboxes', 'add', SAM]);
    const users = join(dir, 'users.csv');
    writeFileSync(users, `name,email\nAlex,${ALEX}\nSam,${SAM.toUpperCase()}\n`);
    const rows = (await run(['connect', '--file', users, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    // Alex consented in the first test: a fresh link does not demote him.
    expect(rows.map((r) => [r.email, r.status])).toEqual([
      [ALEX, 'connected'],
      [SAM, 'invited'],
    ]);
    expect(new Set(rows.map((r) => new URL(r.link!).searchParams.get('state'))).size).toBe(2);

    writeFileSync(users, `email\n${ALEX}\nnobody@example-seller.com\n`);
    const refused = await run(['connect', '--file', users, '--json']);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).not.toContain('"link"');
    expect(refused.stderr + refused.stdout).toContain('nobody@example-seller.com is not in tenants[acme].mail.users');
  }, 60_000);

  it('a state the server never issued gets an error page and connects no one', async () => {
    await invite([SAM]);
    await serving();
    const forged = new URL(redirectUri);
    forged.searchParams.set('code', graph.control.issueAuthCode(SAM, redirectUri));
    forged.searchParams.set('state', 'not-a-state-we-sent');
    const res = await fetch(forged);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This consent link is not valid');
    const listed = lastJsonLine((await run(['mailboxes', 'list', '--json'])).stdout) as { mailboxes: { address: string; connection: string }[] };
    expect(listed.mailboxes.find((m) => m.address === SAM)?.connection).toBe('invited');
  }, 60_000);

  it('declined consent shows the user what happened; the same link still works afterwards', async () => {
    const [row] = await invite([SAM]);
    await serving();
    // As `mailbridge emulate graph` is driven: the control route makes the prompt answer Cancel.
    const declining = await fetch(`${graph.url}/__mock/decline-consent`, { method: 'POST', body: JSON.stringify({ mailbox: SAM }) });
    expect(declining.status).toBe(204);
    const declined = await consent(row!.link!);
    expect(declined.redirect.searchParams.get('error')).toBe('access_denied');
    expect(declined.status).toBe(400);
    expect(declined.page).toContain('Consent was not given');

    const still = lastJsonLine((await run(['mailboxes', 'list', '--json'])).stdout) as { mailboxes: { address: string; connection: string }[] };
    expect(still.mailboxes.find((m) => m.address === SAM)?.connection).toBe('invited');

    graph.control.declineConsent(SAM, false);
    const accepted = await consent(row!.link!);
    expect(accepted.status).toBe(200);
    expect(accepted.page).toContain('You are connected');
    const after = lastJsonLine((await run(['mailboxes', 'list', '--json'])).stdout) as { mailboxes: { address: string; connection: string }[] };
    expect(after.mailboxes.find((m) => m.address === SAM)?.connection).toBe('connected');
  }, 60_000);

  it('a replayed redirect is refused: once by its used state, and its code under a fresh link', async () => {
    const [first] = await invite([ALEX]);
    await serving();
    const done = await consent(first!.link!);
    expect(done.status).toBe(200);

    const again = await fetch(done.redirect);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('already used');

    // The old code under a new link's state: the identity service refuses its second redemption.
    const [second] = await invite([ALEX]);
    const replay = new URL(done.redirect);
    replay.searchParams.set('state', new URL(second!.link!).searchParams.get('state')!);
    const refused = await fetch(replay);
    expect(refused.status).toBe(400);
    const refusal = await refused.text();
    expect(refusal).toContain('Connecting did not complete');
    expect(refusal).toContain('invalid_grant');
  }, 60_000);

  it('the page escapes what it shows', async () => {
    const [row] = await invite([ALEX]);
    await serving();
    const hostile = new URL(redirectUri);
    hostile.searchParams.set('state', new URL(row!.link!).searchParams.get('state')!);
    hostile.searchParams.set('error', 'server_error');
    hostile.searchParams.set('error_description', '<script>alert(1)</script>');
    const page = await (await fetch(hostile)).text();
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;');
  }, 60_000);

  it('a second --serve on an address in use fails naming --listen, and the first keeps serving', async () => {
    await serving();
    const second = await run(['connect', '--serve', '--json']);
    expect(second.code).not.toBe(0);
    expect(second.stdout + second.stderr).toContain('cannot listen there');
    expect(second.stdout + second.stderr).toContain('--listen');
    const page = await fetch(redirectUri);
    expect(page.status).toBe(400);
  }, 60_000);
});
