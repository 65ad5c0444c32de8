/**
 * HubSpot's edge answers a gateway failure with an HTML page (text/html), not the JSON error
 * envelope: airbytehq/airbyte#15729 ("Source Hubspot: Handle 502 Bad Gateway Error better")
 * shows the whole HTML page of a HubSpot 502 surfacing as the error. The adapter must treat 502
 * and 504 as transient, retry, and not choke on the body.
 */
import { Client } from '@hubspot/api-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmChangeBatch } from '../../../src/core/ports.js';
import { HubspotAdapter } from '../../../src/crm-adapters/hubspot/hubspot-adapter.js';
import { toSyncError } from '../../../src/crm-adapters/hubspot/hubspot-errors.js';
import { startHubspotEmulator, type RunningHubspotEmulator } from '../../../src/emulators/hubspot/hubspot-emulator.js';
import { draft, smallSnapshot } from '../salesforce/crm-fixtures.js';

describe('HubSpot HTML gateway errors (502/504)', () => {
  let hs: RunningHubspotEmulator;
  let adapter: HubspotAdapter;

  beforeEach(async () => {
    hs = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { tenSecondlyMax: 10_000, searchPerSecond: 1_000 } });
    adapter = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, share: 1, tenSecondlyMax: 10_000, searchPerSecond: 1_000, retryBaseMs: 20 });
  });
  afterEach(async () => {
    await adapter.close();
    await hs.close();
  });

  const pull = async () => {
    const out: CrmChangeBatch[] = [];
    for await (const batch of adapter.pullChanges(null)) out.push(batch);
    return out;
  };

  it('an injected 502 or 504 is served as an HTML page with text/html', async () => {
    hs.control.addFault({ kind: 'owners', fault: { type: 'status', status: 502 } });
    hs.control.addFault({ kind: 'owners', fault: { type: 'status', status: 504 } });
    for (const status of [502, 504]) {
      const res = await fetch(`${hs.url}/crm/v3/owners`, { headers: { authorization: `Bearer ${hs.credentials.accessToken}` } });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toMatch(new RegExp(`<title>${status} [A-Za-z -]+</title>`));
    }
  });

  it('the SDK error from an HTML 502 maps to a short transient error', async () => {
    hs.control.addFault({ kind: 'owners', fault: { type: 'status', status: 502 } });
    const client = new Client({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, numberOfApiCallRetries: 0 });
    const error = await client.crm.owners.ownersApi.getPage().catch((e: unknown) => e);
    const mapped = toSyncError(error);
    expect(mapped).toMatchObject({ code: 'transient', retryable: true, status: 502 });
    expect(mapped.message).not.toMatch(/<html|<title/i);
  });

  it('a pull meets HTML 502/504 on owners, search and associations, retries, and loses nothing', async () => {
    const clean = await pull();
    hs.control.addFault({ kind: 'owners', fault: { type: 'status', status: 504 } });
    hs.control.addFault({ kind: 'search-contacts', fault: { type: 'status', status: 502 } });
    hs.control.addFault({ kind: 'associations-batch-read', fault: { type: 'status', status: 504 } });
    hs.control.addFault({ kind: 'pipelines', fault: { type: 'status', status: 502 } });
    const faulted = await pull();
    expect(hs.faults.pending()).toBe(0);
    const entities = (batches: CrmChangeBatch[]) => ({
      users: batches.flatMap((b) => b.users ?? []),
      contacts: batches.flatMap((b) => b.contacts ?? []),
      deals: batches.flatMap((b) => b.deals ?? []),
      accounts: batches.flatMap((b) => b.accounts ?? []),
    });
    expect(entities(faulted)).toEqual(entities(clean));
  });

  it('a write meets HTML 504 on create and 502 on the read, and writes each email once', async () => {
    hs.control.addFault({ kind: 'batch-create-emails', fault: { type: 'status', status: 504 } });
    hs.control.addFault({ kind: 'batch-read-emails', fault: { type: 'status', status: 502 } });
    const outcomes = await adapter.writeActivities([draft(1), draft(2), draft(3)]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    expect(hs.control.emails().map((e) => e.properties.mailbridge_key).sort()).toEqual(['key-1', 'key-2', 'key-3']);
    expect(hs.faults.pending()).toBe(0);
  });
});
