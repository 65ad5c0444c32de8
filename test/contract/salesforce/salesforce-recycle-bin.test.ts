/**
 * The recycle-bin horizon. Deleted records stay in the recycle bin 15 days, and `queryAll`
 * (REST API Developer Guide, "QueryAll": returns deleted records still in the recycle bin) and
 * getDeleted ("Get Deleted Records": the last 15 days) see them only that long. A pull whose
 * cursor is older than that cannot learn those deletions from the stream: it reconciles the
 * object's live ids instead, and the index drops what vanished.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmChangeBatch } from '../../../src/core/ports.js';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { openDatabase, type SqliteDatabase } from '../../../src/store/database.js';
import { SqliteDomainIndex } from '../../../src/store/domain-index.js';
import { migrate } from '../../../src/store/migrations.js';
import { smallSnapshot } from './crm-fixtures.js';

const DAY = 86_400_000;

describe('Salesforce pull and the recycle-bin horizon (jsforce against the emulator)', () => {
  let sf: RunningSalesforceEmulator;
  let adapter: SalesforceAdapter;
  let db: SqliteDatabase;
  let index: SqliteDomainIndex;

  beforeEach(async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot(), tokenTtlMs: 365 * DAY });
    const c = sf.credentials;
    adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, now: () => sf.control.now() });
    db = openDatabase({ path: ':memory:' });
    migrate(db);
    index = new SqliteDomainIndex(db);
  });
  afterEach(async () => {
    db.close();
    await sf.close();
  });

  /** Pulls from `cursor` into the index; returns the batches and the new cursor. */
  async function pull(cursor: string | null): Promise<{ batches: CrmChangeBatch[]; cursor: string }> {
    const batches: CrmChangeBatch[] = [];
    for await (const batch of adapter.pullChanges(cursor)) {
      index.applyChanges(batch);
      batches.push(batch);
    }
    return { batches, cursor: batches[batches.length - 1]!.cursor };
  }

  const queryAllIds = async (soql: string) => {
    const res = await fetch(`${sf.url}/services/data/v62.0/queryAll?q=${encodeURIComponent(soql)}`, {
      headers: { authorization: `Bearer ${sf.credentials.accessToken}` },
    });
    return ((await res.json()) as { records: { Id: string }[] }).records.map((r) => r.Id);
  };

  it('the emulator purges deleted rows after 15 days: queryAll stops returning them', async () => {
    sf.control.deleteRecord('c-hank');
    sf.control.advanceClock(14 * DAY);
    expect(await queryAllIds('SELECT Id FROM Contact WHERE IsDeleted = true')).toEqual(['c-hank']);
    sf.control.advanceClock(2 * DAY);
    expect(await queryAllIds('SELECT Id FROM Contact WHERE IsDeleted = true')).toEqual([]);
  });

  it('a cursor older than the horizon reconciles live ids, and the purged deletion leaves the index', async () => {
    const first = await pull(null);
    expect(index.contactsByEmail('hank@globex.com').map((c) => c.id)).toEqual(['c-hank']);
    sf.control.deleteRecord('c-hank');
    sf.control.deleteRecord('l-lou');
    sf.control.advanceClock(20 * DAY);
    const late = await pull(first.cursor);
    expect(late.batches.flatMap((b) => b.present ?? []).map((p) => p.kind).sort()).toEqual(['account', 'contact', 'deal', 'lead', 'user']);
    expect(index.contactsByEmail('hank@globex.com')).toEqual([]);
    expect(index.leadsByEmail('lou@initech.example')).toEqual([]);
    expect(index.contactsByEmail('jane@acme.co.uk').map((c) => c.id)).toEqual(['c-jane']);
    // A completed pass resets the horizon: a day later nothing needs reconciling, even though
    // no contact changed for three weeks.
    sf.control.advanceClock(DAY);
    const next = await pull(late.cursor);
    expect(next.batches.some((b) => b.present)).toBe(false);
  });

  it('within the horizon the deletion comes through queryAll, with no reconcile', async () => {
    const first = await pull(null);
    sf.control.deleteRecord('c-hank');
    sf.control.advanceClock(5 * DAY);
    const soon = await pull(first.cursor);
    expect(soon.batches.some((b) => b.present)).toBe(false);
    expect(soon.batches.flatMap((b) => b.deleted ?? [])).toEqual([{ kind: 'contact', id: 'c-hank' }]);
    expect(index.contactsByEmail('hank@globex.com')).toEqual([]);
  });
});
