/**
 * The whole job through real SDKs: Microsoft Graph emulator → GraphProvider (MSAL + Graph
 * client) → engine → SalesforceAdapter (jsforce) → Salesforce emulator, with the encrypted store.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncTenant, type TenantSyncDeps } from '../../src/app/sync-tenant.js';
import { buildRules } from '../../src/core/rules.js';
import { parseSnapshot } from '../../src/core/snapshot.js';
import { SalesforceAdapter } from '../../src/crm-adapters/salesforce/salesforce-adapter.js';
import type { SeedMessage } from '../../src/emulators/common/mail-store.js';
import { startGraphEmulator, type GraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { graphMessageId } from '../../src/emulators/graph/graph-message-view.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { GraphProvider } from '../../src/providers/graph/graph-provider.js';
import { RedirectingNetworkClient } from '../../src/providers/graph/graph-network-client.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import { SqliteDomainIndex } from '../../src/store/domain-index.js';
import { SqliteSyncStore } from '../../src/store/sync-store.js';

const snapshot = parseSnapshot(JSON.parse(readFileSync(new URL('../../examples/sample-crm.json', import.meta.url), 'utf8')));
// Alex owns no open deal: his first scan goes back 7 days (to 2026-04-18). Sam owns the open
// Acme renewal created 2026-01-05: his goes back to then (DESIGN §3 backfill).
const NOW = new Date('2026-04-25T12:00:00Z');
const REJECTED_SUBJECT = 'Zebra-7731 private lunch plans';
const REJECTED_ADDRESS = 'stranger.quokka@unknown-co.example';

function mail(folder: 'inbox' | 'sent', at: string, h: Record<string, string>, text = 'Hello'): SeedMessage {
  return { folder, receivedAt: at, headers: Object.entries(h).map(([name, value]) => ({ name, value })), text, html: null };
}

const janeToAlexAndSam = (folder: 'inbox') =>
  mail(folder, '2026-04-19T09:12:00Z', {
    From: 'Jane Doe <jane.doe@acme.com>',
    To: 'alex@example-seller.com',
    Cc: 'sam@example-seller.com',
    Subject: 'Renewal pricing',
    Date: 'Sun, 19 Apr 2026 09:12:00 +0000',
    'Message-ID': '<renewal-1@acme.com>',
  }, 'Could you send the renewal pricing?');

function mailboxes() {
  return [
    {
      address: 'alex@example-seller.com',
      messages: [
        janeToAlexAndSam('inbox'),
        mail('inbox', '2026-04-10T10:00:00Z', {
          From: 'Bob Stone <bob@globex.com>',
          To: 'alex@example-seller.com',
          Subject: 'Before the backfill window',
          Date: 'Fri, 10 Apr 2026 10:00:00 +0000',
          'Message-ID': '<old-thread@globex.com>',
        }),
        mail('sent', '2026-04-20T10:00:00Z', {
          From: 'alex@example-seller.com',
          To: 'Kim <kim@acme.com>',
          Subject: 'Intro',
          Date: 'Mon, 20 Apr 2026 10:00:00 +0000',
          'Message-ID': '<intro-kim@example-seller.com>',
        }),
        mail('inbox', '2026-04-21T10:00:00Z', {
          From: 'sam@example-seller.com',
          To: 'alex@example-seller.com',
          Subject: 'Forecast',
          Date: 'Tue, 21 Apr 2026 10:00:00 +0000',
          'Message-ID': '<forecast@example-seller.com>',
        }),
        mail('inbox', '2026-04-22T10:00:00Z', {
          From: `Quokka <${REJECTED_ADDRESS}>`,
          To: 'alex@example-seller.com',
          Subject: REJECTED_SUBJECT,
          Date: 'Wed, 22 Apr 2026 10:00:00 +0000',
          'Message-ID': '<zebra-7731@unknown-co.example>',
        }),
        mail('inbox', '2026-04-23T10:00:00Z', {
          From: 'Acme News <news@acme.com>',
          To: 'alex@example-seller.com',
          Subject: 'Acme monthly news',
          Date: 'Thu, 23 Apr 2026 10:00:00 +0000',
          'Message-ID': '<news-4@acme.com>',
          'List-Unsubscribe': '<mailto:unsubscribe@acme.com>',
        }),
      ],
    },
    { address: 'sam@example-seller.com', messages: [janeToAlexAndSam('inbox')] },
  ];
}

describe('sync: Graph → engine → Salesforce', () => {
  let graph: GraphEmulator;
  let sf: RunningSalesforceEmulator;
  let db: SqliteDatabase;
  let deps: TenantSyncDeps;
  let dbPath: string;

  beforeEach(async () => {
    graph = await startGraphEmulator({ mailboxes: mailboxes() });
    sf = await startSalesforceEmulator({ snapshot });
    dbPath = join(mkdtempSync(join(tmpdir(), 'mailbridge-e2e-')), 'mailbridge.db');
    db = openDatabase({ path: dbPath, key: 'e2e-test-key' });
    const index = new SqliteDomainIndex(db);
    const c = sf.credentials;
    deps = {
      provider: new GraphProvider({
        mode: 'company',
        baseUrl: graph.url,
        auth: { ...graph.credentials, networkClient: new RedirectingNetworkClient(graph.url) },
        requestTimeoutMs: 5_000,
      }),
      crm: new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, retryBaseMs: 20 }),
      index,
      store: new SqliteSyncStore(db, () => NOW),
      ctx: { index, rules: buildRules({ companyDomains: snapshot.companyDomains, blocklist: snapshot.blocklist }) },
      clock: { now: () => NOW },
    };
  });
  afterEach(async () => {
    db.close();
    await graph.close();
    await sf.close();
  });

  it('imports customer mail once, skips the rest, and a second round writes nothing', async () => {
    const first = await syncTenant(deps);
    expect(first.mailboxes.every((m) => m.ok)).toBe(true);
    const emails = sf.control.emails();
    expect(emails.map((e) => e.record.Subject).sort()).toEqual(['Intro', 'Renewal pricing']);

    const alex = first.mailboxes.find((m) => m.address === 'alex@example-seller.com');
    expect(alex).toMatchObject({ ok: true, skipped: { 'internal-only': 1, 'no-crm-match': 1, automated: 1 } });
    const renewal = emails.find((e) => e.record.Subject === 'Renewal pricing')!;
    // The same email in two mailboxes: one activity, both holders on the ledger.
    const entry = (deps.store as SqliteSyncStore).entry(String(renewal.record.Mailbridge_Key__c));
    expect(entry?.holders.length).toBe(2);
    expect(String(renewal.record.Mailbridge_Explanation__c)).toContain('contact jane.doe@acme.com → account Acme Corp');

    const second = await syncTenant(deps);
    expect(second.mailboxes.every((m) => m.ok && m.imported === 0)).toBe(true);
    expect(sf.control.emails()).toHaveLength(2);
  });

  it('a delta round picks up new mail only', async () => {
    await syncTenant(deps);
    graph.control.addMessage(
      'alex@example-seller.com',
      mail('inbox', '2026-04-24T08:00:00Z', {
        From: 'Bob Stone <bob@globex.com>',
        To: 'alex@example-seller.com',
        Subject: 'Next steps',
        Date: 'Fri, 24 Apr 2026 08:00:00 +0000',
        'Message-ID': '<next-steps@globex.com>',
      }),
    );
    const round = await syncTenant(deps);
    const alex = round.mailboxes.find((m) => m.address === 'alex@example-seller.com');
    expect(alex).toMatchObject({ ok: true, scanned: 1, imported: 1 });
    expect(sf.control.emails().map((e) => e.record.Subject)).toContain('Next steps');
  });

  it('read toggles scan nothing; mail moved out and back is a duplicate, not a second activity', async () => {
    // Delta rows after the first round (microsoft-graph-docs#7776: a read toggle returns only id,
    // isRead, parentFolderId; delta-query-messages.md: moved mail is @removed from one folder
    // and appears in the other).
    await syncTenant(deps);
    const alex = 'alex@example-seller.com';
    const idOf = (messageId: string) =>
      graphMessageId(graph.store.liveAt(alex).find((m) => m.headers.some((h) => h.value === messageId))!.key);
    graph.control.setRead(alex, idOf('<forecast@example-seller.com>'), false);
    graph.control.moveMessage(alex, idOf('<renewal-1@acme.com>'), 'other');
    const quiet = (await syncTenant(deps)).mailboxes.find((m) => m.address === alex);
    // Defect: the sparse row was scanned as a message (and skipped with a reason).
    expect(quiet).toMatchObject({ ok: true, scanned: 0, imported: 0 });
    graph.control.moveMessage(alex, idOf('<renewal-1@acme.com>'), 'inbox');
    const back = (await syncTenant(deps)).mailboxes.find((m) => m.address === alex);
    expect(back).toMatchObject({ ok: true, scanned: 1, imported: 0, duplicates: 1 });
    expect(sf.control.emails()).toHaveLength(2);
  });

  it('rejected mail leaves no address, subject or id in the database', async () => {
    await syncTenant(deps);
    const dump: string[] = [];
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    for (const { name } of tables) {
      for (const row of db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all()) dump.push(JSON.stringify(row));
    }
    const all = dump.join('\n');
    expect(all).toContain('Renewal pricing');
    for (const secret of [REJECTED_SUBJECT, REJECTED_ADDRESS, 'zebra-7731@unknown-co.example', 'Acme monthly news', 'news-4@acme.com', 'Forecast']) {
      expect(all).not.toContain(secret);
    }
  });
});
