import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubspotAdapter, type HubspotAdapterOptions } from '../../../src/crm-adapters/hubspot/hubspot-adapter.js';
import { startHubspotEmulator, type HubspotEmulatorOptions, type RunningHubspotEmulator } from '../../../src/emulators/hubspot/hubspot-emulator.js';
import { draft, smallSnapshot } from '../salesforce/crm-fixtures.js';

describe('HubSpot write-back (@hubspot/api-client against the emulator)', () => {
  let hs: RunningHubspotEmulator;
  let adapter: HubspotAdapter;

  const start = async (emulator: HubspotEmulatorOptions = {}, options: Partial<HubspotAdapterOptions> = {}) => {
    hs = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { tenSecondlyMax: 10_000, searchPerSecond: 1_000 }, ...emulator });
    adapter = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, share: 1, tenSecondlyMax: 10_000, retryBaseMs: 20, ...options });
  };
  beforeEach(() => start());
  afterEach(async () => {
    await adapter.close();
    await hs.close();
  });

  const batch = () => [
    draft(1),
    draft(2, {
      direction: 'inbound',
      from: { name: "Pat O'Brien", address: "o'brien@acme.co.uk" },
      to: [{ name: 'Ann Seller', address: 'ann@ours.example' }],
      cc: [{ name: 'Jane Doe', address: '"x" OR email:*@acme.co.uk' }],
      subject: 'Re: "quoted" {json} subject',
      contactIds: ['c-obrien', 'c-jane'],
    }),
    draft(3, { to: [{ name: 'Hank', address: 'hank@globex.com' }], contactIds: ['c-hank'], accountIds: ['a-globex'], dealIds: [], ownerId: 'u-bob' }),
  ];

  it('writes each activity once with its associations and reads back field by field', async () => {
    const outcomes = await adapter.writeActivities(batch());
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    const emails = hs.control.emails();
    expect(emails).toHaveLength(3);
    const second = emails.find((e) => e.properties.mailbridge_key === 'key-2')!;
    expect(second.id).toBe((outcomes[1] as { crmId: string }).crmId);
    expect(second.properties).toMatchObject({
      hs_timestamp: '2026-03-03T10:00:00.000Z',
      hs_email_direction: 'INCOMING_EMAIL',
      hs_email_status: 'SENT',
      hs_email_subject: 'Re: "quoted" {json} subject',
      hs_email_text: 'Hello Jane,\nhere is proposal 2.',
      hubspot_owner_id: 'u-ann',
      mailbridge_explanation: 'contact jane@acme.co.uk → account Acme; deal Renewal 2027 open at send time; contact role',
    });
    expect(JSON.parse(second.properties.hs_email_headers!)).toEqual({
      from: { email: "o'brien@acme.co.uk", firstName: 'Pat', lastName: "O'Brien" },
      to: [{ email: 'ann@ours.example', firstName: 'Ann', lastName: 'Seller' }],
      cc: [{ email: '"x" OR email:*@acme.co.uk', firstName: 'Jane', lastName: 'Doe' }],
      bcc: [],
    });
    expect(second.associations).toEqual({ contacts: ['c-jane', 'c-obrien'], companies: ['a-acme'], deals: ['d-renewal'] });
    expect(second.typeIds).toEqual([186, 198, 198, 210]);
    const third = emails.find((e) => e.properties.mailbridge_key === 'key-3')!;
    expect(third.associations).toEqual({ contacts: ['c-hank'], companies: ['a-globex'], deals: [] });
    expect(third.properties.hubspot_owner_id).toBe('u-bob');
  });

  it('replaying the same batch twice writes nothing new', async () => {
    const first = await adapter.writeActivities(batch());
    const before = hs.control.emails();
    const creates = hs.counters.get('batch-create-emails');
    expect(await adapter.writeActivities(batch())).toEqual(first);
    expect(await adapter.writeActivities(batch())).toEqual(first);
    expect(hs.control.emails()).toEqual(before);
    expect(hs.counters.get('batch-create-emails')).toBe(creates);
  });

  it('ends with exactly one activity per email when responses are lost or refused mid-batch', async () => {
    const drafts = Array.from({ length: 250 }, (_, i) => draft(i + 10));
    hs.control.addFault({ kind: 'batch-create-emails', fault: { type: 'truncate' } });
    hs.control.addFault({ kind: 'batch-create-emails', fault: { type: 'status', status: 502 } });
    hs.control.addFault({ kind: 'batch-read-emails', fault: { type: 'status', status: 503 } });
    const outcomes = await adapter.writeActivities(drafts);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(250);
    const keys = hs.control.emails().map((e) => e.properties.mailbridge_key);
    expect(keys).toHaveLength(250);
    expect(new Set(keys).size).toBe(250);
    expect(hs.faults.pending()).toBe(0);
  });

  it('trusting the unique property alone, a lost response under search lag still yields one activity', async () => {
    await adapter.close();
    await hs.close();
    await start({ searchLagMs: 60_000 }, { dedupe: 'unique-property' });
    hs.control.addFault({ kind: 'batch-create-emails', fault: { type: 'truncate' } });
    const outcomes = await adapter.writeActivities(Array.from({ length: 30 }, (_, i) => draft(i)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(hs.control.emails()).toHaveLength(30);
    // A replay in this mode is refused by the unique property and resolved by key.
    const again = await adapter.writeActivities(Array.from({ length: 30 }, (_, i) => draft(i)));
    expect(again).toEqual(outcomes);
    expect(hs.control.emails()).toHaveLength(30);
  });

  it('reports an invalid association as a failed outcome, not an exception', async () => {
    const outcomes = await adapter.writeActivities([draft(1, { dealIds: ['999999'] })]);
    expect(outcomes[0]).toMatchObject({ ok: false, retryable: false });
    expect(hs.control.emails()).toHaveLength(0);
  });

  it('an expired token is an auth error', async () => {
    hs.control.expireToken();
    await expect(adapter.writeActivities([draft(1)])).rejects.toMatchObject({ code: 'auth', retryable: false });
  });

  it('deletes activities by id, repeatably', async () => {
    const ids = (await adapter.writeActivities(batch())).map((o) => (o as { crmId: string }).crmId);
    await adapter.deleteActivities(ids.slice(0, 2));
    await adapter.deleteActivities(ids.slice(0, 2));
    expect(hs.control.emails().map((e) => e.id)).toEqual([ids[2]]);
  });
});
