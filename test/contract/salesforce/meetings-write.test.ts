/**
 * Meetings to Salesforce through jsforce against the emulator (issue 15): one Event per meeting
 * occurrence upserted on the Activity external id `Mailbridge_Key__c`, other contacts as
 * EventRelation rows. Salesforce facts the emulator models (Object Reference, "EventRelation" and
 * "EventWhoRelation", developer.salesforce.com/docs/platform/object-reference): with Shared
 * Activities an event is related to up to 50 contacts or one lead (`IsParent`), invitees are a
 * separate flag (`IsInvitee`), deleting an event deletes its relations.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import type { MeetingWriter } from '../../../src/core/meeting.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { meetingDraft } from '../meeting-fixtures.js';
import { smallSnapshot } from './crm-fixtures.js';

describe('Salesforce meeting writer (jsforce against the emulator)', () => {
  let sf: RunningSalesforceEmulator;
  let writer: MeetingWriter;

  beforeEach(async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot() });
    const c = sf.credentials;
    writer = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, retryBaseMs: 5 }).meetingWriter();
  });
  afterEach(() => sf.close());

  const relationsOf = (i: number) => sf.control.meetings()[i]!.relations.map((r) => `${r.RelationId}|${r.IsParent}|${r.IsInvitee}`).sort();

  it('creates one Event with its what, who, owner, explanation and the other contact related', async () => {
    const [outcome] = await writer.writeMeetings([meetingDraft(1)]);
    expect(outcome).toMatchObject({ ok: true, crmId: expect.stringMatching(/^00U/) });
    const [event] = sf.control.meetings();
    expect(event!.record).toMatchObject({
      Subject: 'Acme QBR 1',
      StartDateTime: '2026-03-11T14:00:00.000+0000',
      EndDateTime: '2026-03-11T15:00:00.000+0000',
      Location: 'Acme HQ, room 4',
      WhatId: 'd-renewal',
      WhoId: 'c-jane',
      OwnerId: 'u-ann',
      Mailbridge_Key__c: meetingDraft(1).key,
      Mailbridge_Explanation__c: expect.stringContaining('only open deal'),
    });
    expect(event!.record.Description).toContain('Attendees: jane@acme.co.uk');
    // The WhoId's row is Salesforce's own; Pat is related, not invited.
    expect(relationsOf(0)).toEqual(['c-jane|true|false', "c-obrien|true|false"]);
    // SOQL reads it back by the key, as the timeline controller does.
    const res = await fetch(`${sf.url}/services/data/v62.0/query?q=${encodeURIComponent(`SELECT Id, Subject FROM Event WHERE Mailbridge_Key__c = '${meetingDraft(1).key}'`)}`, {
      headers: { authorization: `Bearer ${sf.credentials.accessToken}` },
    });
    expect(((await res.json()) as { records: { Id: string }[] }).records.map((r) => r.Id)).toEqual([outcome!.ok ? outcome!.crmId : '']);
    const overHttp = (await (await fetch(`${sf.url}/__mock/meetings`)).json()) as { record: { Id: string } }[];
    expect(overHttp.map((m) => m.record.Id)).toEqual([outcome!.ok ? outcome!.crmId : '']);
  });

  it('writes the same key again without a second Event or a duplicate relation', async () => {
    const first = await writer.writeMeetings([meetingDraft(1), meetingDraft(2)]);
    const creates = sf.counters.get('collections-create');
    const again = await writer.writeMeetings([meetingDraft(1), meetingDraft(2)]);
    expect(again).toEqual(first);
    expect(sf.control.meetings()).toHaveLength(2);
    expect(relationsOf(0)).toEqual(['c-jane|true|false', 'c-obrien|true|false']);
    // Nothing was missing, so no relation create was sent.
    expect(sf.counters.get('collections-create')).toBe(creates);
  });

  it('moves a meeting: the same Event takes the new times', async () => {
    const [created] = await writer.writeMeetings([meetingDraft(3)]);
    const [moved] = await writer.writeMeetings([meetingDraft(3, { start: '2026-03-20T09:00:00.000Z', end: '2026-03-20T09:30:00.000Z' })]);
    expect(moved).toEqual(created);
    expect(sf.control.meetings()).toHaveLength(1);
    expect(sf.control.meetings()[0]!.record).toMatchObject({ StartDateTime: '2026-03-20T09:00:00.000+0000', EndDateTime: '2026-03-20T09:30:00.000+0000' });
  });

  it('a new first attendee becomes the WhoId and the others stay related, each once', async () => {
    await writer.writeMeetings([meetingDraft(7)]);
    const creates = sf.counters.get('collections-create') ?? 0;
    await writer.writeMeetings([meetingDraft(7, { contactIds: ['c-hank', 'c-jane'] })]);
    expect(sf.control.meetings()).toHaveLength(1);
    expect(sf.control.meetings()[0]!.record.WhoId).toBe('c-hank');
    // Jane's row moved off the WhoId and came back as a plain relation; Pat's was kept.
    expect(relationsOf(0)).toEqual(['c-hank|true|false', 'c-jane|true|false', 'c-obrien|true|false']);
    expect(sf.counters.get('collections-create')).toBe(creates + 1);
  });

  it('marks a cancelled meeting instead of deleting it', async () => {
    await writer.writeMeetings([meetingDraft(4)]);
    const [outcome] = await writer.writeMeetings([meetingDraft(4, { status: 'cancelled' })]);
    expect(outcome).toMatchObject({ ok: true });
    expect(sf.control.meetings().map((m) => m.record.Subject)).toEqual(['Cancelled: Acme QBR 4']);
  });

  it('relates a lead alone, and caps contacts at 50', async () => {
    await writer.writeMeetings([meetingDraft(5, { contactIds: [], accountIds: [], dealIds: [], leadIds: ['l-lou'] })]);
    expect(sf.control.meetings()[0]!.record).toMatchObject({ WhoId: 'l-lou', WhatId: null });
    expect(relationsOf(0)).toEqual(['l-lou|true|false']);

    const ids = Array.from({ length: 55 }, (_, i) => sf.control.createRecord('Contact', { Name: `P${i}`, Email: `p${i}@acme.co.uk`, AccountId: 'a-acme' }));
    const [many] = await writer.writeMeetings([meetingDraft(6, { contactIds: ids })]);
    expect(many).toMatchObject({ ok: true });
    expect(sf.control.meetings()[1]!.relations.map((r) => r.RelationId)).toHaveLength(50);
  });

  it('the emulator refuses a 51st contact, a contact beside a lead, and a user as a parent', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => sf.control.createRecord('Contact', { Name: `P${i}`, Email: `p${i}@acme.co.uk` }));
    const eventId = sf.control.createRecord('Event', { Subject: 'x', StartDateTime: '2026-03-01T10:00:00Z', EndDateTime: '2026-03-01T11:00:00Z', WhoId: ids[0] });
    const relate = (RelationId: string, IsParent = true) =>
      fetch(`${sf.url}/services/data/v62.0/composite/sobjects`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sf.credentials.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ allOrNone: false, records: [{ attributes: { type: 'EventRelation' }, EventId: eventId, RelationId, IsParent, IsInvitee: !IsParent }] }),
      }).then(async (r) => ((await r.json()) as { success: boolean; errors: { statusCode: string }[] }[])[0]!);
    for (const id of ids.slice(1, 50)) expect((await relate(id)).success).toBe(true);
    expect(await relate(ids[50]!)).toMatchObject({ success: false, errors: [{ statusCode: 'FIELD_INTEGRITY_EXCEPTION' }] });
    expect(await relate('l-lou')).toMatchObject({ success: false, errors: [{ statusCode: 'FIELD_INTEGRITY_EXCEPTION' }] });
    expect(await relate('u-bob')).toMatchObject({ success: false, errors: [{ statusCode: 'FIELD_INTEGRITY_EXCEPTION' }] });
    expect(await relate(ids[1]!)).toMatchObject({ success: false, errors: [{ statusCode: 'DUPLICATE_VALUE' }] });
    // A user may be invited (not related); deleting the event takes its relations with it.
    expect((await relate('u-bob', false)).success).toBe(true);
    sf.control.deleteRecord(eventId);
    expect(sf.control.meetings()).toEqual([]);
    expect([...sf.control.store.table('EventRelation').values()].every((r) => r.IsDeleted)).toBe(true);
  });

  it('retries a locked Event alone and reports a duplicate rule without retrying', async () => {
    const keyOf = (n: number) => meetingDraft(n).key;
    sf.control.addItemFault({ error: 'UNABLE_TO_LOCK_ROW', object: 'Event', match: { Mailbridge_Key__c: keyOf(2) } });
    sf.control.addItemFault({ error: 'DUPLICATES_DETECTED', object: 'Event', match: { Mailbridge_Key__c: keyOf(3) }, times: 10 });
    const outcomes = await writer.writeMeetings([meetingDraft(1), meetingDraft(2), meetingDraft(3)]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    expect(outcomes[2]).toMatchObject({ retryable: false, error: expect.stringContaining('DUPLICATES_DETECTED') });
    const upserts = sf.control.collectionWrites().filter((w) => w.kind === 'collections-upsert').map((w) => w.records.map((r) => r.Mailbridge_Key__c));
    expect(upserts).toEqual([[keyOf(1), keyOf(2), keyOf(3)], [keyOf(2)]]);
    expect(sf.control.meetings()).toHaveLength(2);
  });

  it('ends with one Event and one relation per contact when answers are lost mid-write', async () => {
    const drafts = Array.from({ length: 210 }, (_, i) => meetingDraft(i + 10));
    // The first chunk's upsert is applied but its answer cut off; then the relation create of a
    // chunk is applied and cut off; then a 503 before anything is applied.
    sf.control.addFault({ kind: 'collections-upsert', fault: { type: 'truncate' } });
    sf.control.addFault({ kind: 'collections-create', fault: { type: 'truncate' } });
    sf.control.addFault({ kind: 'collections-upsert', fault: { type: 'status', status: 503 } });
    const outcomes = await writer.writeMeetings(drafts);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(210);
    const events = sf.control.meetings();
    expect(new Set(events.map((e) => e.record.Mailbridge_Key__c)).size).toBe(210);
    expect(events).toHaveLength(210);
    for (const e of events) expect(e.relations.map((r) => r.RelationId).sort()).toEqual(['c-jane', 'c-obrien']);
    expect(sf.faults.pending()).toBe(0);
  });

  it('deletes Events with their relations (privacy purges), and a second delete is a no-op', async () => {
    const outcomes = await writer.writeMeetings([meetingDraft(1)]);
    const ids = outcomes.flatMap((o) => (o.ok ? [o.crmId] : []));
    await writer.deleteMeetings(ids);
    await writer.deleteMeetings(ids);
    expect(sf.control.meetings()).toEqual([]);
  });
});
