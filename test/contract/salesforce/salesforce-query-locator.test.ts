/**
 * A query locator that expires in the middle of a pull. Since API v56.0 a locator and its
 * results live 2 days (Salesforce App Limits cheat sheet, "API Query Cursor Limits"; help
 * article 000384958); past that, or once released, queryMore answers `INVALID_QUERY_LOCATOR`.
 * A first load of a large org, paused by the daily budget, can outlive its locator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmChangeBatch } from '../../../src/core/ports.js';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';

const DAY = 86_400_000;

describe('Salesforce pull across an expired query locator (jsforce against the emulator)', () => {
  let sf: RunningSalesforceEmulator;
  let adapter: SalesforceAdapter;

  beforeEach(async () => {
    sf = await startSalesforceEmulator({ generate: { accounts: 40, contactsPerAccount: 25, dealsPerAccount: 1, leads: 5 }, pageSize: 200, tokenTtlMs: 30 * DAY });
    const c = sf.credentials;
    adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, queryBatchSize: 200 });
  });
  afterEach(() => sf.close());

  /** Pulls everything, running `onContacts` after each batch of contacts is handed over. */
  async function pull(cursor: string | null, onContacts: (n: number) => void): Promise<CrmChangeBatch[]> {
    const out: CrmChangeBatch[] = [];
    let n = 0;
    for await (const batch of adapter.pullChanges(cursor)) {
      out.push(batch);
      if (batch.contacts?.length || batch.deleted?.some((d) => d.kind === 'contact')) onContacts(++n);
    }
    return out;
  }

  const contactIds = (batches: CrmChangeBatch[]) => batches.flatMap((b) => b.contacts ?? []).map((c) => c.id);

  it('the emulator answers INVALID_QUERY_LOCATOR once a locator outlives its 2 days', async () => {
    const headers = { authorization: `Bearer ${sf.credentials.accessToken}` };
    const first = (await (await fetch(`${sf.url}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`, { headers })).json()) as {
      nextRecordsUrl: string;
    };
    expect(first.nextRecordsUrl.split('/').pop()!.split('-')[0]).toMatch(/^0r8[0-9A-Za-z]{15}$/);
    sf.control.advanceClock(2 * DAY + 1000);
    const res = await fetch(`${sf.url}${first.nextRecordsUrl}`, { headers });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual([{ errorCode: 'INVALID_QUERY_LOCATOR', message: expect.any(String) }]);
  });

  it('a full load restarts after the last record handed over: every contact once', async () => {
    const batches = await pull(null, (n) => {
      // The pull pauses for three days after its first and third pages of contacts (the page
      // after each is already fetched: the one after that meets an expired locator).
      if (n === 1 || n === 3) sf.control.advanceClock(3 * DAY);
    });
    expect(sf.control.invalidLocatorAnswers()).toBe(2);
    const ids = contactIds(batches);
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
  });

  it('an incremental pull restarts too, and its cursor then resumes exactly', async () => {
    const full = await pull(null, () => undefined);
    const cursor = full[full.length - 1]!.cursor;
    const changed = [...sf.control.store.table('Contact').values()].slice(0, 700).map((r) => r.Id);
    for (const id of changed) sf.control.updateRecord('Contact', id, { Phone: '+1 555 0100' });
    const batches = await pull(cursor, (n) => {
      if (n === 1) sf.control.expireQueryLocators();
    });
    expect(sf.control.invalidLocatorAnswers()).toBeGreaterThan(0);
    expect(contactIds(batches).sort()).toEqual([...changed].sort());
    const after = await pull(batches[batches.length - 1]!.cursor, () => undefined);
    expect(contactIds(after)).toEqual([]);
  });
});
