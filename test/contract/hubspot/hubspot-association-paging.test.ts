/**
 * v4 association batch read pages each input on its own: at most 500 associations per input per
 * call, with `results[].paging.next.after` to continue (the input then carries `after`).
 * Evidence: the SDK's generated models in @hubspot/api-client 13.5.0 —
 * `PublicAssociationMultiWithLabel` has `paging`, `PublicFetchAssociationsBatchRequest` has
 * `id` and `after`; the v4 associations reference gives "Limit 500 per call" for the GET.
 */
import { Client } from '@hubspot/api-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmChangeBatch } from '../../../src/core/ports.js';
import { HubspotAdapter } from '../../../src/crm-adapters/hubspot/hubspot-adapter.js';
import { startHubspotEmulator, type RunningHubspotEmulator } from '../../../src/emulators/hubspot/hubspot-emulator.js';
import { smallSnapshot } from '../salesforce/crm-fixtures.js';

const MANY = 1_203;
const SNAPSHOT_ROLES = smallSnapshot().deals.find((d) => d.id === 'd-renewal')!.contactRoles.length;

describe('HubSpot v4 association paging beyond 500 per input', () => {
  let hs: RunningHubspotEmulator;
  let contacts: string[];

  beforeEach(async () => {
    hs = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { tenSecondlyMax: 100_000, searchPerSecond: 1_000 } });
    contacts = Array.from({ length: MANY }, (_, i) => hs.control.createObject('contacts', { email: `p${i}@acme.co.uk`, firstname: 'P', lastname: String(i) }));
    for (const id of contacts) hs.control.store.associate('deals', 'd-renewal', 'contacts', id, 3);
    hs.control.updateObject('deals', 'd-renewal', {});
  });
  afterEach(() => hs.close());

  it('the emulator answers 500 per input with paging.next, and `after` continues to the end', async () => {
    const client = new Client({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, numberOfApiCallRetries: 0 });
    const seen: string[] = [];
    let after: string | undefined;
    let calls = 0;
    do {
      const page = await client.crm.associations.v4.batchApi.getPage('deals', 'contacts', { inputs: [{ id: 'd-renewal', ...(after ? { after } : {}) }] });
      const result = page.results[0]!;
      expect(result.to.length).toBeLessThanOrEqual(500);
      seen.push(...result.to.map((t) => String(t.toObjectId)));
      after = result.paging?.next?.after;
      calls++;
    } while (after);
    expect(calls).toBe(3);
    // The snapshot's contacts plus the many added, each once.
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(contacts));
    expect(seen).toHaveLength(MANY + SNAPSHOT_ROLES);
  });

  it('the pull follows each input\'s paging and keeps every contact of a large deal', async () => {
    const adapter = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, share: 1, tenSecondlyMax: 100_000, searchPerSecond: 1_000 });
    try {
      const batches: CrmChangeBatch[] = [];
      for await (const batch of adapter.pullChanges(null)) batches.push(batch);
      const deal = batches.flatMap((b) => b.deals ?? []).find((d) => d.id === 'd-renewal')!;
      expect(deal.contactRoles).toHaveLength(MANY + SNAPSHOT_ROLES);
      expect(deal.contactRoles).toEqual(expect.arrayContaining(contacts));
      // The other deal, with few contacts, is unaffected.
      expect(batches.flatMap((b) => b.deals ?? []).find((d) => d.id === 'd-old')!.contactRoles).toEqual(smallSnapshot().deals.find((d) => d.id === 'd-old')!.contactRoles);
    } finally {
      await adapter.close();
    }
  });
});
