/**
 * `mailbridge doctor` against the Graph and Salesforce emulators: every check passes on a good
 * setup (the real command, exit 0, JSON last line), and each check fails, named with its fix,
 * when the emulator refuses what it checks: a wrong secret, a permission not granted (403
 * `Authorization_RequestDenied` / `ErrorAccessDenied`, as Graph answers a missing permission:
 * learn.microsoft.com/graph/errors), a user that does not exist (404 `ErrorInvalidUser`), a field
 * the integration user cannot see (absent from describe, as field-level security hides it), a
 * read-only object, a hidden object (describe 404 NOT_FOUND), a spent daily allocation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDoctor, type DoctorReport } from '../../src/app/setup/doctor.js';
import { completeUser, inviteUser } from '../../src/app/connect.js';
import { openTenant } from '../../src/app/open-tenant.js';
import { loadConfig, pickTenant } from '../../src/config/load-config.js';
import { lastJsonLine, mailbridge, recentMail, startCliTenant, type CliTenant } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';

const mailboxes = () => [
  { address: ALEX, messages: [recentMail('inbox', 5, { From: 'Kim <kim@acme.com>', To: ALEX, Subject: 'Pricing', 'Message-ID': '<p1@acme.com>' })] },
  { address: SAM, messages: [] },
];

let t: CliTenant;
let savedKey: string | undefined;

type TenantJson = { mail: Record<string, unknown>; crm: Record<string, unknown> };

function editTenant(change: (tenant: TenantJson) => void): void {
  const config = JSON.parse(readFileSync(t.configFile, 'utf8')) as { tenants: TenantJson[] };
  change(config.tenants[0]!);
  writeFileSync(t.configFile, JSON.stringify(config), { mode: 0o600 });
}

const doctor = () => runDoctor({ configFile: t.configFile, open: { providerTuning: { retryBaseMs: 1 }, crmRetryBaseMs: 1 } });
const check = (r: DoctorReport, name: string) => {
  const found = r.checks.find((c) => c.name === name && !c.ok) ?? r.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check ${name} in ${JSON.stringify(r.checks)}`);
  return found;
};
const failing = (r: DoctorReport) => r.checks.filter((c) => !c.ok).map((c) => c.name);

beforeAll(() => {
  savedKey = process.env.MAILBRIDGE_DB_KEY;
});
afterAll(() => {
  if (savedKey === undefined) delete process.env.MAILBRIDGE_DB_KEY;
  else process.env.MAILBRIDGE_DB_KEY = savedKey;
});

describe('mailbridge doctor (Graph, Salesforce)', () => {
  beforeEach(async () => {
    t = await startCliTenant(mailboxes());
    process.env.MAILBRIDGE_DB_KEY = t.key;
  });
  afterEach(async () => {
    await t.close();
  });

  it('passes every check on a good setup: exit 0, one JSON line with every check', async () => {
    const run = await mailbridge(['doctor', '--config', t.configFile, '--json'], { MAILBRIDGE_DB_KEY: t.key });
    expect(run.stderr).toBe('');
    const result = lastJsonLine(run.stdout) as unknown as DoctorReport;
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(run.code).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'config', 'database', 'mail.credentials', 'mail.permission.list-users', 'mail.mailbox', 'mail.permission.read-folders',
        'mail.permission.read-messages', 'crm.credentials', 'crm.api-budget', 'crm.object.EmailMessage', 'crm.object.EmailMessageRelation',
        'crm.object.Opportunity', 'crm.object.Contact', 'crm.object.Lead', 'crm.object.Account', 'crm.object.User', 'crm.object.OpportunityContactRole',
      ]),
    );
    for (const c of result.checks) expect(Object.keys(c).sort()).toEqual(['detail', 'fix', 'name', 'ok', 'tenant']);
  });

  it('names a failed check in plain output with ✗ and its fix, and exits 1', async () => {
    // Through the HTTP control routes, as a script driving `mailbridge emulate` would.
    const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post(`${t.graph.url}/__mock/deny`, { calls: ['users.list'] })).status).toBe(204);
    expect((await post(`${t.sf.url}/__mock/access`, { key: 'EmailMessage.Mailbridge_Key__c', access: 'hidden' })).status).toBe(204);
    const run = await mailbridge(['doctor', '--config', t.configFile], { MAILBRIDGE_DB_KEY: t.key });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ acme {2}mail\.permission\.list-users: auth: graph 403 Authorization_RequestDenied: the application lacks a permission/);
    expect(run.stdout).toMatch(/fix: grant the application permission User\.Read\.All/);
    expect(run.stdout).toMatch(/✓ acme {2}crm\.credentials/);
    expect(run.stdout).toMatch(/✗ acme {2}crm\.object\.EmailMessage: EmailMessage: missing or hidden: Mailbridge_Key__c/);
    expect(run.stdout).toMatch(/\n\d+ of \d+ checks failed\n$/);
  });

  it('config: an unset secret variable fails the configuration, naming the field', async () => {
    editTenant((x) => (x.mail.clientSecret = { env: 'MAILBRIDGE_TEST_UNSET_SECRET' }));
    const r = await doctor();
    expect(r.ok).toBe(false);
    expect(check(r, 'config')).toMatchObject({ ok: false, detail: expect.stringContaining('tenants[0].mail.clientSecret') });
    expect(check(r, 'config').fix).toBeTruthy();
  });

  it('config: a file that is not valid JSON is one failed check for the whole file', async () => {
    writeFileSync(t.configFile, '{ "tenants": [', { mode: 0o600 });
    const r = await doctor();
    expect(r).toMatchObject({ ok: false, checks: [{ tenant: '*', name: 'config', ok: false, detail: expect.stringContaining('not valid JSON') }] });
  });

  it('database: a key that is not the database key fails, with what to do', async () => {
    expect((await doctor()).ok).toBe(true);
    process.env.MAILBRIDGE_DB_KEY = 'another-key-0123456789abcdef';
    const r = await doctor();
    expect(failing(r)).toEqual(['database']);
    expect(check(r, 'database').fix).toMatch(/key this database was created with/);
  });

  it('mail.credentials: a wrong client secret is an auth failure naming the setting', async () => {
    editTenant((x) => (x.mail.clientSecret = 'wrong-secret'));
    const r = await doctor();
    expect(check(r, 'mail.credentials')).toMatchObject({ ok: false, detail: expect.stringMatching(/^auth: /), fix: expect.stringContaining('tenants[acme].mail.clientSecret') });
  });

  it.each([
    ['users.list', 'mail.permission.list-users', 'User.Read.All', 'Authorization_RequestDenied'],
    ['messages.delta', 'mail.permission.read-folders', 'Mail.Read', 'ErrorAccessDenied'],
    ['message.get', 'mail.permission.read-messages', 'Mail.Read', 'ErrorAccessDenied'],
  ])('%s refused: %s fails and names %s', async (kind, name, permission, code) => {
    t.graph.control.denyCalls([kind]);
    const r = await doctor();
    expect(check(r, name)).toMatchObject({ ok: false, detail: expect.stringContaining(code), fix: expect.stringContaining(permission) });
  });

  it("mail.permission.list-group-members: a group's members refused names GroupMember.Read.All", async () => {
    await t.close();
    const { startGraphEmulator } = await import('../../src/emulators/graph/graph-emulator.js');
    const graph = await startGraphEmulator({ mailboxes: mailboxes(), groups: { sales: [ALEX] }, deniedCalls: ['groups.members'] });
    t.graph = graph;
    editTenant((x) => (x.mail = { ...x.mail, group: 'sales', baseUrl: graph.url, authorityHost: graph.url }));
    const { startSalesforceEmulator } = await import('../../src/emulators/salesforce/salesforce-emulator.js');
    t.sf = await startSalesforceEmulator({});
    editTenant((x) => (x.crm.loginUrl = t.sf.credentials.loginUrl));
    const r = await doctor();
    expect(check(r, 'mail.permission.list-group-members')).toMatchObject({ ok: false, fix: expect.stringContaining('GroupMember.Read.All') });
  });

  it('mail.mailbox: a configured user that does not exist is named', async () => {
    editTenant((x) => (x.mail.users = [ALEX, 'nobody@example-seller.com']));
    const r = await doctor();
    const boxes = r.checks.filter((c) => c.name === 'mail.mailbox');
    expect(boxes.map((c) => c.ok)).toEqual([true, false]);
    expect(boxes[1]).toMatchObject({ detail: expect.stringContaining('nobody@example-seller.com'), fix: expect.stringContaining('tenants[acme].mail.users') });
  });

  it('user-by-user: a user who has not consented is named with the connect command; after consent every check passes', async () => {
    editTenant((x) => (x.mail = { ...x.mail, mode: 'user', users: [ALEX], redirectUri: 'http://localhost:8765/oauth/callback' }));
    const before = await doctor();
    expect(failing(before)).toEqual(['mail.mailbox', 'mail.permission.read-folders', 'mail.permission.read-messages']);
    expect(check(before, 'mail.mailbox')).toMatchObject({ detail: `${ALEX} has not connected`, fix: expect.stringContaining(`mailbridge connect --user ${ALEX}`) });

    // The consent round trip, as the user's browser makes it (the emulator's authorize endpoint redirects with a code).
    const config = loadConfig(t.configFile);
    const tenant = await openTenant(config, pickTenant(config));
    try {
      const invite = await inviteUser(tenant, ALEX);
      const link = new URL(invite.url);
      const landed = await fetch(`${t.graph.url}${link.pathname}${link.search}`, { redirect: 'manual' });
      await completeUser(tenant, ALEX, landed.headers.get('location')!);
    } finally {
      await tenant.close();
    }
    const after = await doctor();
    expect(failing(after)).toEqual([]);
    expect(check(after, 'mail.permission.read-messages').detail).toContain(ALEX);
  });

  it('crm.credentials: a wrong Salesforce secret is an auth failure naming the setting', async () => {
    editTenant((x) => (x.crm.clientSecret = 'wrong-secret'));
    const r = await doctor();
    expect(failing(r)).toEqual(['crm.credentials']);
    expect(check(r, 'crm.credentials')).toMatchObject({ detail: expect.stringMatching(/^auth: /), fix: expect.stringContaining('tenants[acme].crm.clientSecret') });
  });

  it.each([
    ['EmailMessage.Mailbridge_Key__c', 'hidden', 'crm.object.EmailMessage', /missing or hidden: Mailbridge_Key__c/, /deploy salesforce-pkg/],
    ['EmailMessage.Mailbridge_Explanation__c', 'read-only', 'crm.object.EmailMessage', /not createable: Mailbridge_Explanation__c.*not updateable: Mailbridge_Explanation__c/, /permission set/],
    ['EmailMessage', 'read-only', 'crm.object.EmailMessage', /cannot create EmailMessage records; cannot delete/, /permission set/],
    ['EmailMessageRelation.RelationAddress', 'read-only', 'crm.object.EmailMessageRelation', /not createable: RelationAddress/, /permission set/],
    ['Account.Mailbridge_Domains__c', 'hidden', 'crm.object.Account', /Mailbridge_Domains__c/, /deploy salesforce-pkg/],
    ['OpportunityContactRole', 'hidden', 'crm.object.OpportunityContactRole', /does not exist or the integration user cannot see it/, /permission set/],
    ['Lead.Email', 'hidden', 'crm.object.Lead', /missing or hidden: Email/, /permission set/],
  ] as const)('%s %s: %s fails', async (key, access, name, detail, fix) => {
    t.sf.control.setAccess(key, access);
    const r = await doctor();
    expect(failing(r)).toEqual([name]);
    expect(check(r, name).detail).toMatch(detail);
    expect(check(r, name).fix).toMatch(fix);
  });

  it('crm.api-budget: an org past mailbridge\'s share of DailyApiRequests fails before any describe', async () => {
    t.sf.control.setDailyLimit(100);
    const headers = { Authorization: `Bearer ${t.sf.credentials.accessToken}` };
    for (let i = 0; i < 80; i++) await fetch(`${t.sf.url}/services/data/v62.0/limits`, { headers });
    const r = await doctor();
    expect(failing(r)).toEqual(['crm.api-budget']);
    expect(check(r, 'crm.api-budget').detail).toMatch(/^81 of 100 daily API requests used \(mailbridge may use 75\)/);
    expect(r.checks.some((c) => c.name.startsWith('crm.object.'))).toBe(false);
  });
});
