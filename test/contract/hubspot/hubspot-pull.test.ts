import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CrmChangeBatch } from '../../../src/core/ports.js';
import { HubspotAdapter } from '../../../src/crm-adapters/hubspot/hubspot-adapter.js';
import { startHubspotEmulator, type RunningHubspotEmulator } from '../../../src/emulators/hubspot/hubspot-emulator.js';
import { generateTenant } from '../../../src/emulators/common/tenant-generator.js';
import { smallSnapshot } from '../salesforce/crm-fixtures.js';

async function collect(adapter: HubspotAdapter, cursor: string | null): Promise<CrmChangeBatch[]> {
  const out: CrmChangeBatch[] = [];
  for await (const batch of adapter.pullChanges(cursor)) out.push(batch);
  return out;
}

const all = <K extends keyof CrmChangeBatch>(batches: CrmChangeBatch[], key: K) =>
  batches.flatMap((b) => (b[key] as unknown[] | undefined) ?? []) as NonNullable<CrmChangeBatch[K]>;

/** Fast pacing for tests: the emulator's limits are what the test is about, not ours. */
const fast = { share: 1, tenSecondlyMax: 10_000, searchPerSecond: 1_000 };

describe('HubSpot incremental pull (@hubspot/api-client against the emulator)', () => {
  let hs: RunningHubspotEmulator;
  let adapter: HubspotAdapter;

  beforeAll(async () => {
    hs = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { tenSecondlyMax: 10_000, searchPerSecond: 1_000 } });
    adapter = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, ...fast });
  });
  afterAll(async () => {
    await adapter.close();
    await hs.close();
  });

  it('full load maps owners, companies (all domains), contacts and deals with roles', async () => {
    const batches = await collect(adapter, null);
    expect(all(batches, 'users').map((u) => [u.id, u.email, u.name]).sort()).toEqual([
      ['u-ann', 'ann@ours.example', 'Ann Seller'],
      ['u-bob', 'bob@ours.example', 'Bob Seller'],
    ]);
    expect(all(batches, 'accounts').find((a) => a.id === 'a-acme')).toEqual({ id: 'a-acme', name: 'Acme', domains: ['acme.co.uk', 'acme-group.com'], ownerId: 'u-ann' });
    expect(all(batches, 'contacts').find((c) => c.id === 'c-jane')).toEqual({ id: 'c-jane', emails: ['jane@acme.co.uk'], phones: ['+44 20 1234'], accountId: 'a-acme', name: 'Jane Doe' });
    expect(all(batches, 'deals').find((d) => d.id === 'd-renewal')).toEqual(smallSnapshot().deals.find((d) => d.id === 'd-renewal'));
    expect(all(batches, 'deals').find((d) => d.id === 'd-old')).toMatchObject({ isClosed: true, closeDate: '2026-01-20', accountId: 'a-globex' });
    expect(all(batches, 'deleted')).toEqual([]);
  });

  it('incremental pull returns exactly the creates, updates, archives and merges since the cursor', async () => {
    const cursor = (await collect(adapter, null)).at(-1)!.cursor;
    hs.control.advanceClock(60_000);
    const created = hs.control.createObject('contacts', { email: 'new@acme.co.uk', firstname: 'New', lastname: 'Person', associatedcompanyid: 'a-acme' });
    hs.control.updateObject('companies', 'a-globex', { hs_additional_domains: 'globex.io;globex-labs.com' });
    hs.control.archiveObject('contacts', 'c-hank');
    hs.control.merge('contacts', 'c-jane', 'c-obrien');
    hs.control.associate('deals', 'd-old', 'contacts', created, 3);

    const delta = await collect(adapter, cursor);
    expect(all(delta, 'contacts').map((c) => c.id).sort()).toEqual([created, 'c-jane'].sort());
    expect(all(delta, 'accounts')).toEqual([{ id: 'a-globex', name: 'Globex', domains: ['globex.com', 'globex.io', 'globex-labs.com'], ownerId: 'u-bob' }]);
    expect(all(delta, 'deals').map((d) => [d.id, d.contactRoles])).toEqual([['d-old', [created]]]);
    expect(all(delta, 'deleted')).toEqual(
      expect.arrayContaining([
        { kind: 'contact', id: 'c-hank' },
        { kind: 'contact', id: 'c-obrien' },
      ]),
    );
    expect(all(delta, 'users')).toEqual([]);

    const again = await collect(adapter, delta.at(-1)!.cursor);
    expect(again.flatMap((b) => [...(b.contacts ?? []), ...(b.accounts ?? []), ...(b.deals ?? []), ...(b.deleted ?? [])])).toEqual([]);
  });

  it('holds lead-stage contacts without a company as leads, and moves one to contacts once it has a company', async () => {
    const full = await collect(adapter, null);
    expect(all(full, 'leads')).toEqual([{ id: 'l-lou', emails: ['lou@initech.example'], phones: [], company: 'Initech', domain: 'initech.example', name: 'Lou' }]);
    expect(all(full, 'contacts').map((c) => c.id)).not.toContain('l-lou');

    hs.control.advanceClock(60_000);
    hs.control.updateObject('contacts', 'l-lou', { associatedcompanyid: 'a-acme', lifecyclestage: 'customer' });
    const delta = await collect(adapter, full.at(-1)!.cursor);
    expect(all(delta, 'leads')).toEqual([]);
    expect(all(delta, 'contacts')).toEqual([{ id: 'l-lou', emails: ['lou@initech.example'], phones: [], accountId: 'a-acme', name: 'Lou' }]);
    // Applied in order (upserts, then deletions), this leaves Lou a contact and no longer a lead.
    expect(all(delta, 'deleted')).toContainEqual({ kind: 'lead', id: 'l-lou' });
    expect(all(delta, 'deleted')).not.toContainEqual({ kind: 'contact', id: 'l-lou' });
  });

  it('resumes from a cursor saved mid-stream without losing or repeating records', async () => {
    for (let i = 0; i < 450; i++) hs.control.createObject('contacts', { email: `bulk${i}@globex.com`, associatedcompanyid: 'a-globex' });
    const full = await collect(adapter, null);
    const contactPages = full.filter((b) => b.contacts?.length);
    expect(contactPages.length).toBeGreaterThanOrEqual(3);
    const firstIds = contactPages[0]!.contacts!.map((c) => c.id);
    const restIds = all(await collect(adapter, contactPages[0]!.cursor), 'contacts').map((c) => c.id);
    expect(new Set([...firstIds, ...restIds])).toEqual(new Set(all(full, 'contacts').map((c) => c.id)));
    expect(restIds.filter((id) => firstIds.includes(id))).toEqual([]);
  });

  it('rejects a cursor it did not write', async () => {
    await expect(collect(adapter, '{"v":2}')).rejects.toMatchObject({ code: 'invalid-cursor' });
  });

  it('finds contacts by injection-shaped addresses exactly', async () => {
    const quote = hs.control.createObject('contacts', { email: "o'brien@initech.example" });
    const wild = hs.control.createObject('contacts', { email: '"x" OR email:*@initech.example' });
    expect(await adapter.findContactsByEmail("o'brien@initech.example")).toEqual([quote]);
    expect(await adapter.findContactsByEmail('"x" OR email:*@initech.example')).toEqual([wild]);
    expect(await adapter.findContactsByEmail('*@initech.example')).toEqual([]);
  });
});

describe('HubSpot search partitioning under the 10,000-result cap', () => {
  let hs: RunningHubspotEmulator | undefined;
  let adapter: HubspotAdapter | undefined;
  afterEach(async () => {
    await adapter?.close();
    await hs?.close();
  });

  it('pulls 12,500 contacts without any search paging past 10,000', async () => {
    hs = await startHubspotEmulator({ tenant: generateTenant({ accounts: 250, contactsPerAccount: 50, users: 2 }), limits: { tenSecondlyMax: 100_000, searchPerSecond: 100_000 } });
    adapter = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, share: 1, tenSecondlyMax: 100_000, searchPerSecond: 100_000 });
    const ids = new Set<string>();
    for await (const batch of adapter.pullChanges(null)) for (const c of batch.contacts ?? []) ids.add(c.id);
    expect(ids.size).toBe(12_500);
    // Two windows at least, and no 400 (a refused page would have thrown).
    expect(hs.counters.get('search-contacts')).toBeGreaterThanOrEqual(63);
  });

  it('walks a single instant holding more than 10,000 contacts by id', async () => {
    const at = Date.parse('2026-01-01T00:00:00Z');
    hs = await startHubspotEmulator({ tenant: generateTenant({ accounts: 1, contactsPerAccount: 10_300, users: 1 }), limits: { tenSecondlyMax: 100_000, searchPerSecond: 100_000 }, now: () => at });
    // Re-stamp every contact to the same millisecond.
    for (const c of hs.control.store.objects.contacts.values()) hs.control.store.update('contacts', c, {});
    adapter = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, share: 1, tenSecondlyMax: 100_000, searchPerSecond: 100_000 });
    const seen: string[] = [];
    for await (const batch of adapter.pullChanges(null)) for (const c of batch.contacts ?? []) seen.push(c.id);
    expect(seen).toHaveLength(10_300);
    expect(new Set(seen).size).toBe(10_300);
  });
});
