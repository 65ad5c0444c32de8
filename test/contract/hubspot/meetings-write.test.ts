/**
 * Meetings to HubSpot through @hubspot/api-client against the emulator (issue 15). HubSpot facts
 * the emulator models (developers.hubspot.com/docs/api/crm/meetings, "Activities | Meetings"):
 * `POST /crm/v3/objects/meetings` with `hs_timestamp` required, `hs_meeting_start_time` /
 * `hs_meeting_end_time`, `hs_meeting_outcome` one of scheduled, completed, rescheduled, no show,
 * canceled; the meetings API requires the `crm.objects.contacts.write` scope; association type ids
 * 200 (contact), 188 (company), 212 (deal). The batch-409 evidence for a taken unique value is
 * cited in hubspot-batch-conflict.test.ts; meetings carry `mailbridge_key` exactly as emails do.
 */
import { Client } from '@hubspot/api-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeetingWriter } from '../../../src/core/meeting.js';
import { HubspotAdapter } from '../../../src/crm-adapters/hubspot/hubspot-adapter.js';
import { BATCH_CONFLICT_MODES, type BatchConflictMode } from '../../../src/emulators/hubspot/hubspot-batch-create.js';
import { startHubspotEmulator, type RunningHubspotEmulator } from '../../../src/emulators/hubspot/hubspot-emulator.js';
import { meetingDraft } from '../meeting-fixtures.js';
import { smallSnapshot } from '../salesforce/crm-fixtures.js';

let hs: RunningHubspotEmulator;
let adapter: HubspotAdapter | undefined;
let writer: MeetingWriter;

const start = async (mode: BatchConflictMode = 'reject-409') => {
  hs = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { tenSecondlyMax: 10_000, searchPerSecond: 1_000 }, batchConflict: mode });
  adapter = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, share: 1, tenSecondlyMax: 10_000, retryBaseMs: 20 });
  writer = adapter.meetingWriter();
};

afterEach(async () => {
  await adapter?.close();
  adapter = undefined;
  await hs.close();
});

describe('HubSpot meeting writer (@hubspot/api-client against the emulator)', () => {
  it('creates one meeting with its times, outcome, owner, explanation and associations', async () => {
    await start();
    const [outcome] = await writer.writeMeetings([meetingDraft(1, { onlineMeetingUrl: 'https://teams.example/l/1' })]);
    expect(outcome).toMatchObject({ ok: true });
    const [meeting] = hs.control.meetings();
    expect(meeting!.properties).toMatchObject({
      hs_timestamp: '2026-03-11T14:00:00.000Z',
      hs_meeting_title: 'Acme QBR 1',
      hs_meeting_start_time: '2026-03-11T14:00:00.000Z',
      hs_meeting_end_time: '2026-03-11T15:00:00.000Z',
      hs_meeting_location: 'Acme HQ, room 4',
      hs_meeting_external_url: 'https://teams.example/l/1',
      hs_meeting_outcome: 'SCHEDULED',
      hubspot_owner_id: 'u-ann',
      mailbridge_key: meetingDraft(1).key,
      mailbridge_explanation: expect.stringContaining('only open deal'),
    });
    expect(meeting!.properties.hs_meeting_body).toContain('Attendees:');
    expect(meeting!.associations).toEqual({ contacts: ['c-jane', 'c-obrien'], companies: ['a-acme'], deals: ['d-renewal'] });
    expect(meeting!.typeIds).toEqual([188, 200, 200, 212]);
    expect(hs.control.emails()).toEqual([]);
    // The same read-back over HTTP, for the demo and `mailbridge emulate hubspot` users.
    const overHttp = (await (await fetch(`${hs.url}/__mock/meetings`)).json()) as { id: string }[];
    expect(overHttp.map((m) => m.id)).toEqual([meeting!.id]);
  });

  it('writes the same key again without a second meeting, and re-associating adds nothing', async () => {
    await start();
    const first = await writer.writeMeetings([meetingDraft(1), meetingDraft(2)]);
    const again = await writer.writeMeetings([meetingDraft(1), meetingDraft(2)]);
    expect(again).toEqual(first);
    expect(hs.control.meetings()).toHaveLength(2);
    expect(hs.control.meetings()[0]!.typeIds).toEqual([188, 200, 200, 212]);
    // The second run only read, updated and associated: no create.
    expect(hs.counters.get('batch-create-meetings')).toBe(1);
    expect(hs.counters.get('batch-update-meetings')).toBe(1);
  });

  it('moves a meeting and later marks it cancelled: the same engagement each time', async () => {
    await start();
    const [created] = await writer.writeMeetings([meetingDraft(3)]);
    const [moved] = await writer.writeMeetings([meetingDraft(3, { start: '2026-03-20T09:00:00.000Z', end: '2026-03-20T09:30:00.000Z', contactIds: ['c-jane', 'c-hank'] })]);
    expect(moved).toEqual(created);
    expect(hs.control.meetings()[0]!.properties).toMatchObject({ hs_timestamp: '2026-03-20T09:00:00.000Z', hs_meeting_start_time: '2026-03-20T09:00:00.000Z', hs_meeting_end_time: '2026-03-20T09:30:00.000Z' });
    // A new attendee's contact is associated too.
    expect(hs.control.meetings()[0]!.associations.contacts).toEqual(['c-hank', 'c-jane', 'c-obrien']);
    const [cancelled] = await writer.writeMeetings([meetingDraft(3, { status: 'cancelled' })]);
    expect(cancelled).toEqual(created);
    expect(hs.control.meetings().map((m) => m.properties.hs_meeting_outcome)).toEqual(['CANCELED']);
  });

  it('the emulator refuses a bad outcome and an unknown property, per input and per batch', async () => {
    await start();
    const client = new Client({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, numberOfApiCallRetries: 0 });
    const base = { hs_timestamp: '2026-03-01T10:00:00.000Z', mailbridge_key: 'k-raw' };
    const partial = await client.crm.objects.meetings.batchApi.createWithHttpInfo({ inputs: [{ properties: { ...base, hs_meeting_outcome: 'MAYBE' }, associations: [] }] });
    expect(partial.httpStatusCode).toBe(207);
    expect(JSON.stringify((partial.data as { errors?: unknown[] }).errors ?? [])).toContain('hs_meeting_outcome');
    const refused = await client.crm.objects.meetings.batchApi.createWithHttpInfo({ inputs: [{ properties: { ...base, hs_email_subject: 'x' }, associations: [] }] }).catch((e: { code: number }) => e);
    expect((refused as { code: number }).code).toBe(400);
    expect(hs.control.meetings()).toEqual([]);
  });

  it('reports a meeting deleted in HubSpot between read and update as retryable; the next run creates it again', async () => {
    await start();
    const [created] = await writer.writeMeetings([meetingDraft(4)]);
    const id = created!.ok ? created!.crmId : '';
    // The update meets a meeting a user deleted after the read: a 207 naming it.
    const stamp = '2026-03-01T00:00:00.000Z';
    const notFound = { status: 'error', category: 'OBJECT_NOT_FOUND', message: `Object not found. id: ${id}`, context: { id: [id] }, errors: [], links: {} };
    hs.control.addFault({ kind: 'batch-update-meetings', fault: { type: 'status', status: 207, body: { status: 'COMPLETE', results: [], numErrors: 1, errors: [notFound], startedAt: stamp, completedAt: stamp } } });
    const [lost] = await writer.writeMeetings([meetingDraft(4, { title: 'Acme QBR (moved)' })]);
    expect(lost).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('OBJECT_NOT_FOUND') });
    hs.control.archiveObject('meetings', id);
    const [next] = await writer.writeMeetings([meetingDraft(4, { title: 'Acme QBR (moved)' })]);
    expect(next).toMatchObject({ ok: true });
    expect(hs.control.meetings().map((m) => m.properties.hs_meeting_title)).toEqual(['Acme QBR (moved)']);
  });

  it('one invalid meeting in a batch fails alone (not retryable), the others are written', async () => {
    await start();
    const outcomes = await writer.writeMeetings([meetingDraft(30), meetingDraft(31, { ownerId: 'not-an-owner' }), meetingDraft(32)]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ retryable: false, error: expect.stringContaining('VALIDATION_ERROR') });
    expect(hs.control.meetings().map((m) => m.properties.mailbridge_key).sort()).toEqual([meetingDraft(30).key, meetingDraft(32).key].sort());
  });

  it('a create whose answer is lost is retried as a read: one meeting per key', async () => {
    await start();
    const drafts = Array.from({ length: 5 }, (_, i) => meetingDraft(i + 10));
    await writer.writeMeetings([drafts[1]!, drafts[3]!]);
    // The create is applied but its answer cut off: the chunk is retried, reads every key, creates nothing.
    hs.control.addFault({ kind: 'batch-create-meetings', fault: { type: 'truncate' } });
    const outcomes = await writer.writeMeetings(drafts);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(hs.control.meetings().map((m) => m.properties.mailbridge_key).sort()).toEqual(drafts.map((d) => d.key).sort());
    expect(new Set(outcomes.map((o) => (o.ok ? o.crmId : ''))).size).toBe(5);
    expect(hs.faults.pending()).toBe(0);
  });

  for (const mode of BATCH_CONFLICT_MODES) {
    it(`${mode}: a create meeting keys taken after the read reads them back and creates only the missing ones`, async () => {
      await start(mode);
      const drafts = Array.from({ length: 5 }, (_, i) => meetingDraft(i + 20));
      // Two keys are taken behind the writer's back (a crashed earlier run): its read answers
      // before they exist, so its create meets them.
      const taken = [1, 3].map((i) => hs.control.createObject('meetings', { hs_timestamp: drafts[i]!.start, mailbridge_key: drafts[i]!.key }));
      const stamp = '2026-03-01T00:00:00.000Z';
      hs.control.addFault({ kind: 'batch-read-meetings', fault: { type: 'status', status: 200, body: { status: 'COMPLETE', results: [], startedAt: stamp, completedAt: stamp } } });
      const outcomes = await writer.writeMeetings(drafts);
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(hs.control.meetings().map((m) => m.properties.mailbridge_key).sort()).toEqual(drafts.map((d) => d.key).sort());
      expect([1, 3].map((i) => (outcomes[i]!.ok ? outcomes[i]!.crmId : ''))).toEqual(taken);
      expect(hs.faults.pending()).toBe(0);
    });
  }

  it('deletes meetings (privacy purges) and a second delete is a no-op', async () => {
    await start();
    const outcomes = await writer.writeMeetings([meetingDraft(1)]);
    const ids = outcomes.flatMap((o) => (o.ok ? [o.crmId] : []));
    await writer.deleteMeetings(ids);
    await writer.deleteMeetings(ids);
    expect(hs.control.meetings()).toEqual([]);
  });
});

describe('HubSpot meetings without the scope', () => {
  it('a portal that did not grant the meetings scope refuses with 403 naming crm.objects.contacts.write', async () => {
    await start();
    hs.control.denyCalls(['batch-read-meetings']);
    await expect(writer.writeMeetings([meetingDraft(1)])).rejects.toMatchObject({ code: 'permission' });
    const res = await fetch(`${hs.url}/crm/v3/objects/meetings/batch/read`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hs.credentials.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [] }),
    });
    expect(res.status).toBe(403);
    expect(JSON.stringify(await res.json())).toContain('crm.objects.contacts.write');
  });
});
