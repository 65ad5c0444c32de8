/**
 * The meeting ledger on both stores (DESIGN §6): claims across calendars (one activity for a
 * meeting seen in three), moves and cancellations rewrite the row, removals by event id, the
 * calendar cursor with its counters, and the privacy operations (blocklist and erase lookups,
 * retention, forgetting with a tombstone). A released claim and a forgotten meeting leave no
 * address, title or id anywhere; on PostgreSQL the activity is sealed at rest.
 */
import { expect, it } from 'vitest';
import type { MeetingActivityDraft } from '../../../src/core/meeting.js';
import type { MeetingRecord } from '../../../src/core/meeting-ledger.js';
import { describeStores } from './store-under-test.js';

function draft(key: string, over: Partial<MeetingActivityDraft> = {}): MeetingActivityDraft {
  return {
    key,
    title: 'Zanzibar pricing review',
    start: '2026-11-10T14:00:00.000Z',
    end: '2026-11-10T15:00:00.000Z',
    description: 'Organizer: ann@seller.example\nAttendees: Jane <jane@acme.example> (accepted)',
    status: 'active',
    contactIds: ['003JANE'],
    accountIds: ['001ACME'],
    leadIds: [],
    dealIds: ['006DEAL'],
    ownerId: '005ANN',
    attendeeCrmIds: ['003JANE'],
    explanation: 'contact jane@acme.example → account Acme',
    ...over,
  };
}

function record(key: string, over: Partial<MeetingRecord> = {}, activity: Partial<MeetingActivityDraft> = {}): MeetingRecord {
  return {
    key,
    crmId: `00U-${key}`,
    mailboxId: 'mbx-ann',
    eventId: `ev-ann-${key}`,
    activity: draft(key, activity),
    lastModified: '2026-11-01T10:00:00.000Z',
    attendees: ['ann@seller.example', 'Jane@Acme.example'],
    ...over,
  };
}

describeStores('meetings', (sut) => {
  it('one meeting in three calendars: one claim wins, the others become holders', async () => {
    const m = sut.store().meetings;
    expect(await m.claimMeeting('uid-qbr', 'mbx-ann', 'ev-a')).toBe(true);
    expect(await m.claimMeeting('uid-qbr', 'mbx-ben', 'ev-b')).toBe(false);
    // The claimant again (a crash and retry) still holds it.
    expect(await m.claimMeeting('uid-qbr', 'mbx-ann', 'ev-a')).toBe(true);
    await m.recordMeeting(record('uid-qbr', { eventId: 'ev-a' }));
    expect(await m.claimMeeting('uid-qbr', 'mbx-cat', 'ev-c')).toBe(false);
    const entry = await m.meeting('uid-qbr');
    expect(entry?.crmId).toBe('00U-uid-qbr');
    expect(entry?.holders).toEqual([
      { mailboxId: 'mbx-ann', eventId: 'ev-a' },
      { mailboxId: 'mbx-ben', eventId: 'ev-b' },
      { mailboxId: 'mbx-cat', eventId: 'ev-c' },
    ]);
    expect(entry?.activity.title).toBe('Zanzibar pricing review');
    expect(entry?.attendees).toEqual(['ann@seller.example', 'jane@acme.example']);
    expect(await m.meetingKeyOfEvent('mbx-ben', 'ev-b')).toBe('uid-qbr');
    expect(await m.meetingKeyOfEvent('mbx-ben', 'ev-x')).toBeNull();
  });

  it('a moved or cancelled meeting rewrites its row, attendees and records', async () => {
    const m = sut.store().meetings;
    await m.recordMeeting(record('uid-1'));
    await m.recordMeeting(
      record('uid-1', { lastModified: '2026-11-05T08:00:00.000Z', attendees: ['ann@seller.example', 'hank@globex.example'] }, {
        start: '2026-11-12T09:00:00.000Z',
        end: '2026-11-12T10:00:00.000Z',
        status: 'cancelled',
        dealIds: [],
      }),
    );
    const entry = await m.meeting('uid-1');
    expect(entry).toMatchObject({ start: '2026-11-12T09:00:00.000Z', end: '2026-11-12T10:00:00.000Z', lastModified: '2026-11-05T08:00:00.000Z' });
    expect(entry?.activity.status).toBe('cancelled');
    expect(await m.meetingKeysMatching({ kind: 'address', value: 'jane@acme.example' })).toEqual([]);
    expect(await m.meetingKeysMatching({ kind: 'address', value: 'hank@globex.example' })).toEqual(['uid-1']);
  });

  it('a rewrite without attendees (a removal marking it cancelled) keeps the recorded ones', async () => {
    const m = sut.store().meetings;
    await m.recordMeeting(record('uid-kept'));
    const { attendees: _dropped, ...withoutAttendees } = record('uid-kept', {}, { status: 'cancelled' });
    await m.recordMeeting(withoutAttendees);
    expect((await m.meeting('uid-kept'))?.activity.status).toBe('cancelled');
    expect(await m.meetingKeysMatching({ kind: 'address', value: 'jane@acme.example' })).toEqual(['uid-kept']);
  });

  it('dropping holders counts what is left', async () => {
    const m = sut.store().meetings;
    await m.recordMeeting(record('uid-2'));
    await m.addMeetingHolder('uid-2', 'mbx-ben', 'ev-b');
    expect(await m.dropMeetingHolder('uid-2', 'mbx-ben')).toBe(1);
    expect(await m.dropMeetingHolder('uid-2', 'mbx-ann')).toBe(0);
  });

  it('the calendar cursor is saved with the reason counts', async () => {
    const m = sut.store().meetings;
    expect(await m.calendarCursor('mbx-ann')).toBeNull();
    await m.calendarCheckpoint('mbx-ann', 'delta-1', { 'internal-only': 2, private: 1 });
    await m.calendarCheckpoint('mbx-ann', 'delta-2', { 'internal-only': 1 });
    expect(await m.calendarCursor('mbx-ann')).toBe('delta-2');
    expect(await m.meetingReasonCounts('mbx-ann')).toEqual({ 'internal-only': 3, private: 1 });
    // Mail's counters are not touched.
    expect(await sut.store().ledger.reasonCounts('mbx-ann')).toEqual({});
  });

  it('finds imported meetings by address (normalised), domain with subdomains, and title phrase', async () => {
    const m = sut.store().meetings;
    await m.recordMeeting(record('uid-a', { attendees: ['ann@seller.example', 'Jane+x@Acme.example'] }));
    await m.recordMeeting(record('uid-b', { attendees: ['ann@seller.example', 'bo@eu.globex.example'] }, { title: 'Globex kickoff' }));
    expect(await m.meetingKeysMatching({ kind: 'address', value: 'jane@acme.example' })).toEqual(['uid-a']);
    expect(await m.meetingKeysMatching({ kind: 'domain', value: 'globex.example' })).toEqual(['uid-b']);
    expect(await m.meetingKeysMatching({ kind: 'domain', value: 'seller.example' })).toEqual(['uid-a', 'uid-b']);
    expect(await m.meetingKeysMatching({ kind: 'phrase', value: 'zanzibar' })).toEqual(['uid-a']);
  });

  it('retention finds meetings that ended before the cutoff', async () => {
    const m = sut.store().meetings;
    await m.recordMeeting(record('old', {}, { start: '2023-01-01T09:00:00.000Z', end: '2023-01-01T10:00:00.000Z' }));
    await m.recordMeeting(record('new', {}, { start: '2026-01-01T09:00:00.000Z', end: '2026-01-01T10:00:00.000Z' }));
    expect(await m.meetingKeysEndedBefore(new Date('2023-01-01T10:00:01.000Z'))).toEqual(['old']);
    expect(await m.meetingKeysEndedBefore(new Date('2023-01-01T10:00:00.000Z'))).toEqual([]);
  });

  it('forgetting removes every trace but a hashed tombstone, and returns the CRM ids', async () => {
    const m = sut.store().meetings;
    await m.recordMeeting(record('uid-secret-77', { crmId: '00U-SECRET' }));
    await m.addMeetingHolder('uid-secret-77', 'mbx-ben', 'ev-secret-b');
    expect(await m.meetingCrmIds()).toEqual(['00U-SECRET']);
    expect(await m.forgetMeetings(['uid-secret-77', 'uid-unknown'])).toEqual({ meetings: 1, crmIds: ['00U-SECRET'] });
    expect(await m.meeting('uid-secret-77')).toBeUndefined();
    expect(await m.wasMeetingForgotten('uid-secret-77')).toBe(true);
    expect(await m.wasMeetingForgotten('uid-unknown')).toBe(false);
    const dump = await sut.dump();
    for (const trace of ['uid-secret-77', '00U-SECRET', 'ev-secret-b', 'jane@acme.example', 'Zanzibar']) expect(dump).not.toContain(trace);
  });

  it('a released claim leaves no trace of the meeting', async () => {
    const m = sut.store().meetings;
    expect(await m.claimMeeting('uid-refused-9', 'mbx-ann', 'ev-refused-a')).toBe(true);
    expect(await m.claimMeeting('uid-refused-9', 'mbx-ben', 'ev-refused-b')).toBe(false);
    expect(await sut.dump()).toContain('uid-refused-9');
    await m.releaseMeetingClaim('uid-refused-9');
    const dump = await sut.dump();
    for (const trace of ['uid-refused-9', 'ev-refused-a', 'ev-refused-b']) expect(dump).not.toContain(trace);
  });

  it('keeps titles, descriptions and explanations unreadable at rest', async () => {
    await sut.store().meetings.recordMeeting(record('uid-rest'));
    const atRest = await sut.atRest();
    for (const words of ['Zanzibar', 'pricing review', 'account Acme']) expect(atRest).not.toContain(words);
    expect((await sut.store().meetings.meeting('uid-rest'))?.activity.explanation).toBe('contact jane@acme.example → account Acme');
  });
});
