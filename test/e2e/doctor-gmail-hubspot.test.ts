/**
 * `mailbridge doctor` against the Gmail and HubSpot emulators: every check passes on a good
 * company-wide setup; each check fails, named with its fix, when the emulator refuses what it
 * checks: a key Google does not accept, a scope not granted (403 `insufficientPermissions`,
 * developers.google.com/gmail/api/guides/handle-errors), a user Google does not know (token
 * endpoint `invalid_grant` "Invalid email or User ID"), a token HubSpot refuses, a missing scope
 * (403 `MISSING_SCOPES`), a property absent or gone; and `--fix` creates mailbridge's HubSpot
 * properties through the properties API (POST /crm/v3/properties/emails) so a second run passes.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, type DoctorReport } from '../../src/app/setup/doctor.js';
import { startGmailEmulator, type GmailEmulator } from '../../src/emulators/gmail/gmail-emulator.js';
import { startHubspotEmulator, type RunningHubspotEmulator } from '../../src/emulators/hubspot/hubspot-emulator.js';
import { lastJsonLine, mailbridge, recentMail, sampleSnapshot } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';
const KEY = 'doctor-test-key-0123456789abcdef';

interface Setup {
  dir: string;
  configFile: string;
  gmail: GmailEmulator;
  hs: RunningHubspotEmulator;
}

let s: Setup | null = null;
let savedKey: string | undefined;

async function start(opts: { group?: boolean; customProperties?: boolean } = {}): Promise<Setup> {
  const gmail = await startGmailEmulator({
    mailboxes: [
      { address: ALEX, messages: [recentMail('inbox', 5, { From: 'Kim <kim@acme.com>', To: ALEX, Subject: 'Pricing', 'Message-ID': '<p1@acme.com>' })] },
      { address: SAM, messages: [] },
    ],
    directory: { admins: [ALEX], groups: { 'sales@example-seller.com': [ALEX] } },
  });
  const hs = await startHubspotEmulator({ snapshot: sampleSnapshot, customProperties: opts.customProperties ?? true });
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-doctor-'));
  writeFileSync(join(dir, 'sa.json'), JSON.stringify(gmail.serviceAccount), { mode: 0o600 });
  const configFile = join(dir, 'mailbridge.config.json');
  const config = {
    dataDir: 'data',
    tenants: [
      {
        id: 'globex',
        companyDomains: sampleSnapshot.companyDomains,
        mail: {
          provider: 'gmail',
          mode: 'company',
          serviceAccountFile: 'sa.json',
          directory: { adminSubject: ALEX, rootUrl: gmail.url, ...(opts.group ? { group: 'sales@example-seller.com' } : {}) },
          rootUrl: `${gmail.url}/`,
          tokenOrigin: gmail.url,
        },
        crm: { kind: 'hubspot', accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath },
      },
    ],
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
  s = { dir, configFile, gmail, hs };
  return s;
}

type TenantJson = { mail: Record<string, unknown>; crm: Record<string, unknown> };

function editTenant(change: (tenant: TenantJson) => void): void {
  const config = JSON.parse(readFileSync(s!.configFile, 'utf8')) as { tenants: TenantJson[] };
  change(config.tenants[0]!);
  writeFileSync(s!.configFile, JSON.stringify(config), { mode: 0o600 });
}

const doctor = () => runDoctor({ configFile: s!.configFile, open: { providerTuning: { retryBaseMs: 1 }, crmRetryBaseMs: 1 } });
const failing = (r: DoctorReport) => r.checks.filter((c) => !c.ok);

beforeAll(() => {
  savedKey = process.env.MAILBRIDGE_DB_KEY;
  process.env.MAILBRIDGE_DB_KEY = KEY;
});
afterAll(() => {
  if (savedKey === undefined) delete process.env.MAILBRIDGE_DB_KEY;
  else process.env.MAILBRIDGE_DB_KEY = savedKey;
});
afterEach(async () => {
  await s?.gmail.close();
  await s?.hs.close();
  s = null;
});

describe('mailbridge doctor (Gmail, HubSpot)', () => {
  it('passes every check on a good company-wide setup', async () => {
    await start();
    const r = await doctor();
    expect(failing(r)).toEqual([]);
    expect(r.checks.map((c) => c.name)).toEqual([
      'config', 'database', 'mail.credentials', 'mail.permission.list-users', 'mail.mailbox', 'mail.permission.read-folders', 'mail.permission.read-messages',
      'crm.credentials', 'crm.api-budget', 'crm.email-object', 'crm.property.mailbridge_key', 'crm.property.mailbridge_explanation', 'crm.properties',
      'crm.owners', 'crm.association-types',
    ]);
    expect(r.checks.find((c) => c.name === 'mail.mailbox')!.detail).toBe('2 mailboxes reached');
  });

  it('--fix creates the missing HubSpot properties, says so, and a second doctor passes (the real command)', async () => {
    const { configFile, hs } = await start({ customProperties: false });
    const env = { MAILBRIDGE_DB_KEY: KEY };
    const before = await mailbridge(['doctor', '--config', configFile, '--json'], env);
    expect(before.code).toBe(1);
    const first = lastJsonLine(before.stdout) as unknown as DoctorReport;
    expect(failing(first).map((c) => c.name)).toEqual(['crm.property.mailbridge_key', 'crm.property.mailbridge_explanation']);
    expect(failing(first)[0]!.fix).toMatch(/mailbridge doctor --fix/);

    const fixing = await mailbridge(['doctor', '--config', configFile, '--fix'], env);
    expect(fixing.stdout).toMatch(/fixed: created the email property mailbridge_key/);
    expect(fixing.stdout).toMatch(/fixed: created the email property mailbridge_explanation/);
    expect(fixing.code).toBe(0);

    const after = await mailbridge(['doctor', '--config', configFile, '--json'], env);
    expect(after.code).toBe(0);
    expect((lastJsonLine(after.stdout) as unknown as DoctorReport).ok).toBe(true);
    // The key was created unique-valued, as the write-back relies on.
    const props = (await (await fetch(`${hs.url}/crm/v3/properties/emails/mailbridge_key`, { headers: { Authorization: `Bearer ${hs.credentials.accessToken}` } })).json()) as { hasUniqueValue: boolean };
    expect(props.hasUniqueValue).toBe(true);
  });

  it('mail.credentials: a service account key Google does not accept is an auth failure naming the setting', async () => {
    await start();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(join(s!.dir, 'sa.json'), JSON.stringify({ ...s!.gmail.serviceAccount, private_key: other }), { mode: 0o600 });
    const r = await doctor();
    expect(failing(r)).toEqual([expect.objectContaining({ name: 'mail.credentials', detail: expect.stringMatching(/^auth: /), fix: expect.stringContaining('tenants[globex].mail.serviceAccountFile') })]);
  });

  it.each([
    ['directory.users', 'mail.permission.list-users', 'admin.directory.user.readonly'],
    ['messages.list', 'mail.permission.read-folders', 'gmail.readonly'],
    ['messages.get', 'mail.permission.read-messages', 'gmail.readonly'],
  ])('%s refused: %s fails and names %s', async (kind, name, scope) => {
    await start();
    expect((await fetch(`${s!.gmail.url}/__mock/deny`, { method: 'POST', body: JSON.stringify({ calls: [kind] }) })).status).toBe(204);
    const r = await doctor();
    expect(failing(r).find((c) => c.name === name)).toMatchObject({ detail: expect.stringContaining('insufficientPermissions'), fix: expect.stringContaining(scope) });
  });

  it("mail.permission.list-group-members: a group's members refused names the group-member scope", async () => {
    await start({ group: true });
    s!.gmail.control.denyCalls(['directory.members']);
    const r = await doctor();
    expect(failing(r).find((c) => c.name === 'mail.permission.list-group-members')?.fix).toContain('admin.directory.group.member.readonly');
  });

  it('mail.mailbox: a configured user Google does not know is named', async () => {
    await start();
    editTenant((x) => (x.mail.users = [ALEX, 'nobody@example-seller.com']));
    const r = await doctor();
    expect(failing(r)).toEqual([expect.objectContaining({ name: 'mail.mailbox', detail: expect.stringContaining('nobody@example-seller.com'), fix: expect.stringContaining('tenants[globex].mail.users') })]);
  });

  it('crm.credentials: a token HubSpot refuses is an auth failure naming the setting', async () => {
    await start();
    editTenant((x) => (x.crm.accessToken = 'pat-na1-wrong'));
    const r = await doctor();
    expect(failing(r)).toEqual([expect.objectContaining({ name: 'crm.credentials', detail: expect.stringMatching(/^auth: /), fix: expect.stringContaining('tenants[globex].crm.accessToken') })]);
  });

  it('crm.owners: the owners scope missing is named', async () => {
    await start();
    const refuse = await fetch(`${s!.hs.url}/__mock/deny`, { method: 'POST', body: JSON.stringify({ calls: ['owners'] }) });
    expect(refuse.status).toBe(204);
    const r = await doctor();
    expect(failing(r)).toEqual([expect.objectContaining({ name: 'crm.owners', detail: expect.stringContaining('permission'), fix: expect.stringContaining('crm.objects.owners.read') })]);
  });

  it('crm.property: a mailbridge property deleted from the portal is named, with --fix as the fix', async () => {
    await start();
    s!.hs.control.removeEmailProperty('mailbridge_explanation');
    const r = await doctor();
    expect(failing(r)).toEqual([expect.objectContaining({ name: 'crm.property.mailbridge_explanation', fix: expect.stringContaining('doctor --fix') })]);
  });

  it("crm.properties: a HubSpot email property the write-back sets, absent, is named", async () => {
    await start();
    s!.hs.control.removeEmailProperty('hs_email_headers');
    const r = await doctor();
    expect(failing(r)).toEqual([expect.objectContaining({ name: 'crm.properties', detail: expect.stringContaining('hs_email_headers') })]);
  });

  it('crm.association-types and crm.email-object: refused calls are named', async () => {
    await start();
    s!.hs.control.denyCalls(['association-labels', 'batch-read-emails']);
    const r = await doctor();
    expect(failing(r).map((c) => c.name)).toEqual(['crm.email-object', 'crm.association-types']);
  });

  it('crm.api-budget: a portal past mailbridge\'s share of the daily limit fails, and nothing else is tried', async () => {
    await start();
    s!.hs.control.limits.options.daily = 100;
    for (let i = 0; i < 80; i++) s!.hs.control.limits.admit(false);
    const r = await doctor();
    expect(failing(r)).toEqual([expect.objectContaining({ name: 'crm.api-budget', detail: expect.stringMatching(/^81 of 100 daily API calls used \(mailbridge may use 75\)/) })]);
    expect(r.checks.at(-1)!.name).toBe('crm.api-budget');
  });
});
