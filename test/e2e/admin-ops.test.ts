/**
 * Admin and privacy operations end to end: real mail synced from the Graph emulator through the
 * engine into the Salesforce and the HubSpot emulators (via `openTenant` on a configuration that
 * points at them), then blocklist purges, erase with suppression, retention, roles on delete,
 * purge --all and owed CRM deletions, checked in the emulators and in the database. One test
 * drives the real CLI in a child process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminParts, type AdminParts } from '../../src/app/admin/admin-parts.js';
import { addToBlocklist } from '../../src/app/admin/blocklist.js';
import { deleteMessage } from '../../src/app/admin/delete-message.js';
import { forgetMessages, settleCrmDeletions } from '../../src/app/admin/forget-messages.js';
import { requestErase, runPrivacyJobs } from '../../src/app/admin/privacy.js';
import { purgeAll } from '../../src/app/admin/purge-all.js';
import { runRetention } from '../../src/app/admin/retention.js';
import { openTenant, type OpenTenant } from '../../src/app/open-tenant.js';
import { syncTenant, type TenantSyncResult } from '../../src/app/sync-tenant.js';
import { parseConfig, type LoadedConfig } from '../../src/config/load-config.js';
import { writeKeyFile } from '../../src/config/database-key.js';
import type { Clock } from '../../src/core/ports.js';
import { parseSnapshot } from '../../src/core/snapshot.js';
import type { SeedMessage } from '../../src/emulators/common/mail-store.js';
import { startGraphEmulator, type GraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { startHubspotEmulator, type RunningHubspotEmulator } from '../../src/emulators/hubspot/hubspot-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';

const run = promisify(execFile);
const snapshot = parseSnapshot(JSON.parse(readFileSync(new URL('../../examples/sample-crm.json', import.meta.url), 'utf8')));
const NOW = new Date('2026-04-25T12:00:00Z');
const DB_KEY = 'admin-e2e-key';

function mail(folder: 'inbox' | 'sent', at: string, h: Record<string, string>, text = 'Hello'): SeedMessage {
  return { folder, receivedAt: at, headers: Object.entries(h).map(([name, value]) => ({ name, value })), text, html: null };
}
const dateHeader = (iso: string) => new Date(iso).toUTCString().replace('GMT', '+0000');
const msg = (folder: 'inbox' | 'sent', at: string, from: string, to: string, subject: string, id: string, extra: Record<string, string> = {}) =>
  mail(folder, at, { From: from, To: to, Subject: subject, Date: dateHeader(at), 'Message-ID': `<${id}>`, ...extra });

// Acme (acme.com) is Alex's account, Globex Sam's; Lee is a lead. Alex's backfill starts 2026-04-18.
const ALEX = 'alex@example-seller.com';
function mailboxes() {
  return [
    {
      address: ALEX,
      messages: [
        msg('inbox', '2026-04-19T09:00:00Z', 'Jane Doe <jane.doe@acme.com>', ALEX, 'Renewal pricing', 'renewal@acme.com', { Cc: 'sam@example-seller.com' }),
        msg('sent', '2026-04-20T10:00:00Z', ALEX, 'Kim <kim@acme.com>', 'Intro', 'intro-kim@example-seller.com'),
        msg('inbox', '2026-04-21T10:00:00Z', 'Bob Stone <bob@globex.com>', ALEX, 'Globex next steps', 'next@globex.com'),
        msg('inbox', '2026-04-22T10:00:00Z', 'Lee Park <lee@initech.io>', ALEX, 'Initech question', 'q@initech.io'),
      ],
    },
  ];
}

interface CrmUnderTest {
  kind: 'salesforce' | 'hubspot';
  /** Subjects of the live activities in the emulator. */
  subjects(): string[];
  failDeletes(): void;
  clearFaults(): void;
  close(): Promise<void>;
  crmConfig: Record<string, unknown>;
}

async function startCrm(kind: 'salesforce' | 'hubspot'): Promise<CrmUnderTest> {
  if (kind === 'salesforce') {
    const sf: RunningSalesforceEmulator = await startSalesforceEmulator({ snapshot });
    const c = sf.credentials;
    return {
      kind,
      subjects: () => sf.control.emails().map((e) => String(e.record.Subject)).sort(),
      // The integration user lost its delete right: a refusal no retry can fix.
      failDeletes: () =>
        sf.control.addFault({
          kind: 'collections-delete',
          fault: { type: 'status', status: 403, body: [{ errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: 'insufficient access rights on object id' }] },
          times: 1000,
        }),
      clearFaults: () => sf.faults.clear(),
      close: () => sf.close(),
      crmConfig: { kind, loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret },
    };
  }
  const hs: RunningHubspotEmulator = await startHubspotEmulator({ snapshot, limits: { tenSecondlyMax: 10_000, searchPerSecond: 1_000 } });
  return {
    kind,
    subjects: () => hs.control.emails().map((e) => String(e.properties.hs_email_subject)).sort(),
    failDeletes: () =>
      hs.control.addFault({
        kind: 'batch-archive-emails',
        fault: { type: 'status', status: 403, body: { status: 'error', category: 'MISSING_SCOPES', message: 'This app hasn\'t been granted all required scopes' } },
        times: 1000,
      }),
    clearFaults: () => hs.faults.clear(),
    close: () => hs.close(),
    crmConfig: { kind, accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath },
  };
}


describe.each(['salesforce', 'hubspot'] as const)('admin operations against %s', (crmKind) => {
  let graph: GraphEmulator;
  let crm: CrmUnderTest;
  let dir: string;
  let config: LoadedConfig;
  let tenant: OpenTenant;
  const ALL_SUBJECTS = ['Globex next steps', 'Initech question', 'Intro', 'Renewal pricing'];

  const open = (clock: Clock = { now: () => NOW }) =>
    openTenant(config, config.tenants[0]!, { clock, providerTuning: { retryBaseMs: 5, requestTimeoutMs: 5_000 }, crmRetryBaseMs: 5 });
  const parts = (t = tenant): AdminParts => adminParts(t, 'cli:e2e');
  const sync = (t = tenant): Promise<TenantSyncResult> =>
    t.context().then((ctx) => syncTenant({ provider: t.provider(), crm: t.crm(), index: t.index, store: t.store, ctx, clock: t.clock }));
  const count = (table: string, t = tenant) => t.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const ledgerSubjects = (t = tenant) => t.db.prepare('SELECT subject FROM ledger ORDER BY subject').pluck().all() as string[];
  const crmIdOf = (subject: string) => tenant.db.prepare('SELECT crm_id FROM ledger WHERE subject = ?').pluck().get(subject) as string;

  beforeEach(async () => {
    graph = await startGraphEmulator({ mailboxes: mailboxes() });
    crm = await startCrm(crmKind);
    dir = mkdtempSync(join(tmpdir(), 'mailbridge-admin-e2e-'));
    writeKeyFile(join(dir, 'db.key'), DB_KEY);
    const file = join(dir, 'mailbridge.config.json');
    const json = {
      dataDir: 'data',
      keyFile: 'db.key',
      tenants: [
        {
          id: 'demo',
          companyDomains: snapshot.companyDomains,
          mail: { provider: 'graph', mode: 'company', ...graph.credentials, baseUrl: graph.url, authorityHost: graph.url },
          crm: crm.crmConfig,
          admins: ['admin@example-seller.com'],
        },
      ],
    };
    writeFileSync(file, JSON.stringify(json, null, 2));
    config = parseConfig(json, file);
    tenant = await open();
    const first = await sync();
    expect(first.mailboxes.every((m) => m.ok)).toBe(true);
    expect(crm.subjects()).toEqual(ALL_SUBJECTS);
    expect(ledgerSubjects()).toEqual(ALL_SUBJECTS);
  });
  afterEach(async () => {
    await tenant.close();
    await graph.close();
    await crm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('blocklist add: a dry run deletes nothing; the add purges locally and in the CRM', async () => {
    const dry = await addToBlocklist(parts(), { value: 'acme.com' }, { dryRun: true });
    expect(dry.wouldDelete.map((m) => m.subject).sort()).toEqual(['Intro', 'Renewal pricing']);
    expect(crm.subjects()).toEqual(ALL_SUBJECTS);
    expect(count('ledger')).toBe(ALL_SUBJECTS.length);

    const added = await addToBlocklist(parts(), { value: 'acme.com' });
    expect(added.purged).toEqual({ messages: 2, crmDeleted: 2, crmOwed: 0 });
    expect(crm.subjects()).toEqual(['Globex next steps', 'Initech question']);
    expect(ledgerSubjects()).toEqual(['Globex next steps', 'Initech question']);
    expect(count('message_text')).toBe(ALL_SUBJECTS.length - 2);
  });

  it('erase deletes the messages and CRM activities; a suppressed address is never imported again', async () => {
    await requestErase(parts(), 'Jane.Doe@acme.com');
    const [job] = await runPrivacyJobs(parts());
    expect(job).toMatchObject({ state: 'done', result: { messages: 1, crmDeleted: 1, crmOwed: 0 } });
    expect(crm.subjects()).toEqual(['Globex next steps', 'Initech question', 'Intro']);

    graph.control.addMessage(ALEX, msg('inbox', '2026-04-24T08:00:00Z', 'Jane Doe <jane.doe+later@acme.com>', ALEX, 'After the erase', 'after@acme.com'));
    graph.control.addMessage(ALEX, msg('inbox', '2026-04-24T09:00:00Z', 'Bob Stone <bob@globex.com>', ALEX, 'Globex follow-up', 'follow@globex.com'));
    const round = await sync();
    expect(round.mailboxes[0]).toMatchObject({ ok: true, imported: 1, skipped: { blocklisted: 1 } });
    expect(crm.subjects()).toEqual(['Globex follow-up', 'Globex next steps', 'Initech question', 'Intro']);
    expect(ledgerSubjects()).not.toContain('After the erase');
  });

  it('retention deletes expired local copies with a fixed clock, keeping CRM activities', async () => {
    await tenant.close();
    // 1,095 days after 2026-04-20T12:00Z: the two oldest messages (19th, 20th 10:00) have expired.
    tenant = await open({ now: () => new Date('2029-04-19T12:00:00Z') });
    const result = await runRetention(parts());
    expect(result).toMatchObject({ expired: 2, messages: 2, crmDeleted: 0 });
    expect(ledgerSubjects()).toEqual(['Globex next steps', 'Initech question']);
    expect(crm.subjects()).toEqual(ALL_SUBJECTS);
  });

  it('purge --all leaves no activity in the CRM and no row in ledger or message_text', async () => {
    const dry = await purgeAll(parts(), { dryRun: true });
    const n = ALL_SUBJECTS.length;
    expect(dry).toMatchObject({ crmActivities: n, rows: { ledger: n, message_text: n } });
    expect(crm.subjects()).toHaveLength(n);

    const result = await purgeAll(parts());
    expect(result).toMatchObject({ crmActivities: n, crmDeleted: n, crmOwed: 0 });
    expect(crm.subjects()).toEqual([]);
    for (const table of ['ledger', 'message_text', 'ledger_participants', 'contacts', 'cursors', 'secrets', 'crm_deletions']) expect(count(table)).toBe(0);
    expect(tenant.admin.auditLog()).toMatchObject([{ action: 'purge.all' }]);
  });

  it('a CRM delete failure leaves a crm_deletions row that settleCrmDeletions later pays', async () => {
    crm.failDeletes();
    const intro = tenant.db.prepare("SELECT key FROM ledger WHERE subject = 'Intro'").pluck().get() as string;
    const result = await forgetMessages(parts(), [intro], { reason: 'test' });
    expect(result).toEqual({ messages: 1, crmDeleted: 0, crmOwed: 1 });
    expect(count('ledger')).toBe(ALL_SUBJECTS.length - 1);
    expect(tenant.admin.crmDeletionsOwed().map((r) => r.reason)).toEqual(['test']);
    expect(crm.subjects()).toContain('Intro');

    crm.clearFaults();
    expect(await settleCrmDeletions(tenant.admin, tenant.crm())).toEqual({ paid: 1, owed: 0 });
    expect(count('crm_deletions')).toBe(0);
    expect(crm.subjects()).not.toContain('Intro');
  });

  // Roles and CLI wiring do not depend on the CRM: run once, on Salesforce.
  if (crmKind !== 'salesforce') return;

  it("roles: a user may delete on accounts they own, not on another owner's; an admin any", async () => {
    // Globex is Sam's: Alex is refused, by CRM id as a support ticket would quote it.
    const globex = crmIdOf('Globex next steps');
    await expect(deleteMessage(parts(), globex, ALEX)).rejects.toThrow(/may not delete/);
    expect(crm.subjects()).toContain('Globex next steps');
    expect(tenant.admin.auditLog(1)[0]).toMatchObject({ actor: ALEX, action: 'messages.delete.refused' });

    // Intro is on Acme, Alex's account.
    expect(await deleteMessage(parts(), crmIdOf('Intro'), ALEX)).toMatchObject({ role: 'owner', result: { crmDeleted: 1 } });
    // The lead's message is on no account: only an admin deletes it; the admin deletes Globex too.
    await expect(deleteMessage(parts(), crmIdOf('Initech question'), 'sam@example-seller.com')).rejects.toThrow(/no account/);
    expect(await deleteMessage(parts(), crmIdOf('Initech question'), 'admin@example-seller.com')).toMatchObject({ role: 'admin' });
    expect(await deleteMessage(parts(), globex, 'admin@example-seller.com')).toMatchObject({ role: 'admin' });
    expect(crm.subjects()).toEqual(['Renewal pricing']);
  });

  it('a deleted message stays deleted when its mailbox is scanned again from the start', async () => {
    await deleteMessage(parts(), crmIdOf('Intro'), 'admin@example-seller.com');
    // As after an expired delta token or a reconnected mailbox: every cursor forgotten.
    tenant.db.prepare('DELETE FROM cursors').run();
    const rescan = await sync();
    expect(rescan.mailboxes[0]).toMatchObject({ ok: true, imported: 0, skipped: { 'previously-deleted': 1 } });
    expect(crm.subjects()).toEqual(ALL_SUBJECTS.filter((s) => s !== 'Intro'));
    // Only a hash of its key is kept.
    const kept = tenant.db.prepare('SELECT key_hash FROM forgotten').pluck().all() as string[];
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('CLI: blocklist add --dry-run and add, wired through the configuration file', async () => {
    await tenant.close();
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--config', join(dir, 'mailbridge.config.json'), '--json'], {
        env: { ...process.env, MAILBRIDGE_DB_KEY: DB_KEY },
      });
    const dry = JSON.parse((await cli('blocklist', 'add', 'bob@globex.com', '--dry-run')).stdout);
    expect(dry).toMatchObject({ kind: 'address', value: 'bob@globex.com', dryRun: true, matched: 1 });
    expect(crm.subjects()).toEqual(ALL_SUBJECTS);

    const added = JSON.parse((await cli('blocklist', 'add', 'bob@globex.com')).stdout);
    expect(added).toMatchObject({ added: true, purged: { messages: 1, crmDeleted: 1, crmOwed: 0 } });
    expect(crm.subjects()).toEqual(['Initech question', 'Intro', 'Renewal pricing']);

    const bad = await cli('blocklist', 'add', 'co.uk', '--kind', 'domain').catch((err: { code: number; stderr: string }) => err);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toMatch(/public suffix/);

    tenant = await open();
    expect(ledgerSubjects()).toEqual(['Initech question', 'Intro', 'Renewal pricing']);
    expect(tenant.admin.auditLog(1)[0]).toMatchObject({ action: 'blocklist.add', target: 'bob@globex.com' });
  });
});
