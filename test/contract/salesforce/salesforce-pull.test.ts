import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmChangeBatch } from '../../../src/core/ports.js';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { smallSnapshot } from './crm-fixtures.js';

async function collect(adapter: SalesforceAdapter, cursor: string | null): Promise<CrmChangeBatch[]> {
  const out: CrmChangeBatch[] = [];
  for await (const batch of adapter.pullChanges(cursor)) out.push(batch);
  return out;
}

const all = <K extends keyof CrmChangeBatch>(batches: CrmChangeBatch[], key: K) =>
  batches.flatMap((b) => (b[key] as unknown[] | undefined) ?? []) as NonNullable<CrmChangeBatch[K]>;

describe('Salesforce incremental pull (jsforce against the emulator)', () => {
  let sf: RunningSalesforceEmulator;
  let adapter: SalesforceAdapter;

  beforeAll(async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot() });
    const c = sf.credentials;
    adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, queryBatchSize: 200 });
  });
  afterAll(() => sf.close());

  it('full load maps every object, normalises account domains and carries contact roles', async () => {
    const batches = await collect(adapter, null);
    const accounts = all(batches, 'accounts');
    expect(accounts.find((a) => a.id === 'a-acme')).toEqual({ id: 'a-acme', name: 'Acme', domains: ['acme.co.uk', 'acme-group.com'], ownerId: 'u-ann' });
    expect(all(batches, 'contacts').map((c) => c.id).sort()).toEqual(['c-hank', 'c-jane', 'c-obrien']);
    expect(all(batches, 'contacts').find((c) => c.id === 'c-jane')).toMatchObject({ emails: ['jane@acme.co.uk'], phones: ['+44 20 1234'], accountId: 'a-acme' });
    expect(all(batches, 'leads')).toEqual([{ id: 'l-lou', name: 'Lou', emails: ['lou@initech.example'], phones: [], company: 'Initech', domain: 'initech.example' }]);
    expect(all(batches, 'users').map((u) => u.email).sort()).toEqual(['ann@ours.example', 'bob@ours.example']);
    const deals = all(batches, 'deals');
    expect(deals.find((d) => d.id === 'd-renewal')).toEqual(smallSnapshot().deals.find((d) => d.id === 'd-renewal'));
    expect(deals.find((d) => d.id === 'd-old')).toMatchObject({ isClosed: true, closeDate: '2026-01-20', contactRoles: [] });
    expect(all(batches, 'deleted')).toEqual([]);
  });

  it('incremental pull returns exactly the creates, updates and deletes since the cursor', async () => {
    const first = await collect(adapter, null);
    const cursor = first.at(-1)!.cursor;
    sf.control.advanceClock(60_000);

    const newContact = sf.control.createRecord('Contact', { Name: 'New Person', Email: 'new@acme.co.uk', AccountId: 'a-acme' });
    sf.control.updateRecord('Account', 'a-globex', { Website: 'https://globex.io' });
    sf.control.deleteRecord('c-hank');
    sf.control.updateRecord('Lead', 'l-lou', { IsConverted: true });
    sf.control.createRecord('OpportunityContactRole', { OpportunityId: 'd-old', ContactId: 'c-jane', Role: 'Influencer' });

    const delta = await collect(adapter, cursor);
    expect(all(delta, 'contacts').map((c) => c.id)).toEqual([newContact]);
    expect(all(delta, 'accounts')).toEqual([{ id: 'a-globex', name: 'Globex', domains: ['globex.io'], ownerId: 'u-bob' }]);
    expect(all(delta, 'deleted')).toEqual(
      expect.arrayContaining([
        { kind: 'contact', id: 'c-hank' },
        { kind: 'lead', id: 'l-lou' },
      ]),
    );
    expect(all(delta, 'deleted')).toHaveLength(2);
    expect(all(delta, 'contactRoles')).toEqual([{ dealId: 'd-old', contactIds: ['c-jane'] }]);
    expect(all(delta, 'users')).toEqual([]);

    // Nothing changed since: the next pull is empty.
    const again = await collect(adapter, delta.at(-1)!.cursor);
    expect(again.flatMap((b) => [...(b.contacts ?? []), ...(b.accounts ?? []), ...(b.deleted ?? [])])).toEqual([]);
  });

  it('resumes from a cursor saved mid-stream without losing or repeating records', async () => {
    for (let i = 0; i < 450; i++) sf.control.createRecord('Contact', { Name: `Bulk ${i}`, Email: `bulk${i}@globex.com`, AccountId: 'a-globex' });
    const full = await collect(adapter, null);
    const contactPages = full.filter((b) => b.contacts?.length);
    expect(contactPages.length).toBeGreaterThanOrEqual(3);
    const resumeFrom = contactPages[0]!.cursor;
    const rest = await collect(adapter, resumeFrom);
    const firstIds = contactPages[0]!.contacts!.map((c) => c.id);
    const restIds = all(rest, 'contacts').map((c) => c.id);
    const everyId = all(full, 'contacts').map((c) => c.id);
    expect(new Set([...firstIds, ...restIds])).toEqual(new Set(everyId));
    expect(restIds.filter((id) => firstIds.includes(id))).toEqual([]);
  });

  it('rejects a cursor it did not write', async () => {
    await expect(collect(adapter, 'not-a-cursor')).rejects.toMatchObject({ code: 'invalid-cursor' });
  });

  it("looks people up by an injection-shaped address without changing the query", async () => {
    sf.control.createRecord('Contact', { Name: 'Trap', Email: "x' OR Email != 'y@z.com", AccountId: 'a-acme' });
    expect(await adapter.findPeopleByEmail("o'brien@acme.co.uk")).toEqual([{ kind: 'contact', id: 'c-obrien' }]);
    const trap = await adapter.findPeopleByEmail("x' OR Email != 'y@z.com");
    expect(trap).toHaveLength(1);
    expect(await adapter.findPeopleByEmail("nobody' OR Name LIKE '%")).toEqual([]);
    expect(await adapter.findPeopleByEmail('back\\slash@acme.co.uk')).toEqual([]);
  });
});
