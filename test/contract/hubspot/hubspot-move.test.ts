/**
 * Re-association in HubSpot through @hubspot/api-client against the emulator (docs/rules.md
 * "Re-association"): the same email object stays; the explanation is updated, new associations
 * are created with the v4 batch create, old ones archived with the v4 batch archive
 * (`POST /crm/v4/associations/{from}/{to}/batch/create|archive`, HubSpot's v4 associations API).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityMove } from '../../../src/core/ports.js';
import { HubspotAdapter } from '../../../src/crm-adapters/hubspot/hubspot-adapter.js';
import { startHubspotEmulator, type RunningHubspotEmulator } from '../../../src/emulators/hubspot/hubspot-emulator.js';
import { draft, smallSnapshot } from '../salesforce/crm-fixtures.js';

describe('HubSpot re-association (@hubspot/api-client against the emulator)', () => {
  let hs: RunningHubspotEmulator;
  let adapter: HubspotAdapter;

  beforeEach(async () => {
    hs = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { tenSecondlyMax: 10_000, searchPerSecond: 1_000 } });
    adapter = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, share: 1, tenSecondlyMax: 10_000, retryBaseMs: 20 });
  });
  afterEach(async () => {
    await adapter.close();
    await hs.close();
  });

  const move = (crmId: string): ActivityMove => ({
    key: 'key-1',
    crmId,
    from: { contactIds: ['c-jane'], accountIds: ['a-acme'], leadIds: [], dealIds: ['d-renewal'], userIds: ['u-ann'], relatedToId: 'd-renewal', ownerId: 'u-ann' },
    to: { contactIds: ['c-jane', 'c-hank'], accountIds: ['a-globex'], leadIds: [], dealIds: [], userIds: ['u-ann'], relatedToId: 'a-globex', ownerId: 'u-bob' },
    explanation: 'first line\nre-associated 2026-03-20: deal Renewal 2027 → account Globex (…)',
  });

  it('keeps the email object: explanation and owner updated, new associations created, old ones archived', async () => {
    const [written] = await adapter.writeActivities([draft(1)]);
    const id = (written as { crmId: string }).crmId;
    const [outcome] = await adapter.moveActivities([move(id)]);
    expect(outcome).toEqual({ key: 'key-1', ok: true, crmId: id, unchanged: false });
    const emails = hs.control.emails();
    expect(emails).toHaveLength(1);
    expect(emails[0]!.id).toBe(id);
    expect(emails[0]!.associations).toEqual({ contacts: ['c-hank', 'c-jane'], companies: ['a-globex'], deals: [] });
    expect(emails[0]!.properties).toMatchObject({ mailbridge_explanation: move(id).explanation, hubspot_owner_id: 'u-bob', hs_email_subject: 'Proposal 1' });
    expect(hs.counters.get('associations-batch-create')).toBeGreaterThan(0);
    expect(hs.counters.get('associations-batch-archive')).toBeGreaterThan(0);

    // Again: HubSpot already shows the target, nothing is written.
    const creates = hs.counters.get('associations-batch-create');
    const [again] = await adapter.moveActivities([move(id)]);
    expect(again).toEqual({ key: 'key-1', ok: true, crmId: id, unchanged: true });
    expect(hs.counters.get('associations-batch-create')).toBe(creates);
  });

  it('an email archived in HubSpot cannot move: refused for good', async () => {
    const [outcome] = await adapter.moveActivities([{ ...move('999'), key: 'key-none' }]);
    expect(outcome).toMatchObject({ key: 'key-none', ok: false, retryable: false });
  });
});
