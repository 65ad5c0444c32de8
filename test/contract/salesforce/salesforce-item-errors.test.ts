/**
 * Per-record errors inside an sObject collection write while the rest of the request succeeds.
 * Salesforce answers 200 with `success: false` on the failed records only (REST API Developer
 * Guide, "Create Records Using sObject Collections": results in request order, `allOrNone: false`
 * saves the valid ones). `UNABLE_TO_LOCK_ROW` is lock contention: the advice of jsforce#1018 and
 * developerforce/Force.com-JavaScript-REST-Toolkit#68 is to retry the record. A duplicate rule's
 * `DUPLICATES_DETECTED` (body as captured in calcom/cal.com's Salesforce CrmService) answers the
 * same on every retry, so it is reported, not retried.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { draft, smallSnapshot } from './crm-fixtures.js';

describe('Salesforce per-record errors in collection writes (jsforce against the emulator)', () => {
  let sf: RunningSalesforceEmulator;
  let adapter: SalesforceAdapter;

  beforeEach(async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot() });
    const c = sf.credentials;
    adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, retryBaseMs: 5 });
  });
  afterEach(() => sf.close());

  const keysOf = (kind: string) =>
    sf.control
      .collectionWrites()
      .filter((w) => w.kind === kind)
      .map((w) => w.records.map((r) => r.Mailbridge_Key__c ?? r.RelationId));

  it('the emulator fails only the matching record and saves the others', async () => {
    // Over the HTTP control surface, as `mailbridge emulate salesforce` users would.
    const queued = await fetch(`${sf.url}/__mock/item-faults`, {
      method: 'POST',
      body: JSON.stringify({ error: 'UNABLE_TO_LOCK_ROW', object: 'EmailMessage', match: { Mailbridge_Key__c: 'key-2' } }),
    });
    expect(queued.status).toBe(204);
    const res = await fetch(`${sf.url}/services/data/v62.0/composite/sobjects/EmailMessage/Mailbridge_Key__c`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${sf.credentials.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        allOrNone: false,
        records: [1, 2].map((n) => ({ attributes: { type: 'EmailMessage' }, Mailbridge_Key__c: `key-${n}`, Status: '3' })),
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { success: boolean; errors: { statusCode: string; fields: string[] }[] }[];
    expect(body[0]).toMatchObject({ success: true, created: true, errors: [] });
    expect(body[1]).toEqual({ success: false, errors: [expect.objectContaining({ statusCode: 'UNABLE_TO_LOCK_ROW', fields: [] })] });
    expect(sf.control.emails().map((e) => e.record.Mailbridge_Key__c)).toEqual(['key-1']);
  });

  it('retries only the locked records, within the same write, and writes each email once', async () => {
    sf.control.addItemFault({ error: 'UNABLE_TO_LOCK_ROW', object: 'EmailMessage', match: { Mailbridge_Key__c: 'key-2' }, times: 2 });
    sf.control.addItemFault({ error: 'UNABLE_TO_LOCK_ROW', object: 'EmailMessageRelation', match: { RelationId: 'u-ann' } });
    const outcomes = await adapter.writeActivities([draft(1), draft(2), draft(3)]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    // First call with all three, then key-2 alone, twice (the lock held for two tries).
    expect(keysOf('collections-upsert')).toEqual([['key-1', 'key-2', 'key-3'], ['key-2'], ['key-2']]);
    const relationCalls = keysOf('collections-create');
    expect(relationCalls[0]).toHaveLength(6);
    expect(relationCalls.slice(1)).toEqual([['u-ann']]);
    const emails = sf.control.emails();
    expect(emails.map((e) => e.record.Mailbridge_Key__c).sort()).toEqual(['key-1', 'key-2', 'key-3']);
    for (const e of emails) expect(e.relations.map((r) => `${r.RelationId}|${r.RelationType}`).sort()).toEqual(['c-jane|ToAddress', 'u-ann|FromAddress']);
  });

  it('reports a record still locked after the bounded retries as retryable, and a later round writes it once', async () => {
    sf.control.addItemFault({ error: 'UNABLE_TO_LOCK_ROW', object: 'EmailMessage', match: { Mailbridge_Key__c: 'key-2' }, times: 100 });
    const first = await adapter.writeActivities([draft(1), draft(2)]);
    expect(first[0]).toMatchObject({ ok: true });
    expect(first[1]).toMatchObject({ ok: false, retryable: true });
    expect((first[1] as { error: string }).error).toMatch(/UNABLE_TO_LOCK_ROW/);
    const tries = keysOf('collections-upsert').filter((keys) => keys.includes('key-2')).length;
    expect(tries).toBeGreaterThan(1);
    expect(tries).toBeLessThan(10);
    sf.control.itemFaults.clear();
    // The next round (the writer re-submits what is not in its ledger) completes it.
    const again = await adapter.writeActivities([draft(2)]);
    expect(again[0]).toMatchObject({ ok: true });
    expect(sf.control.emails().map((e) => e.record.Mailbridge_Key__c).sort()).toEqual(['key-1', 'key-2']);
  });

  it('reports a duplicate-rule block at once, without retrying it, and saves the rest', async () => {
    sf.control.addItemFault({ error: 'DUPLICATES_DETECTED', object: 'EmailMessage', match: { Mailbridge_Key__c: 'key-2' }, times: 100 });
    const outcomes = await adapter.writeActivities([draft(1), draft(2), draft(3)]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, retryable: false });
    expect((outcomes[1] as { error: string }).error).toMatch(/DUPLICATES_DETECTED/);
    expect(keysOf('collections-upsert')).toEqual([['key-1', 'key-2', 'key-3']]);
    expect(sf.control.emails()).toHaveLength(2);
  });
});
