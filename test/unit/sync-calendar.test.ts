/**
 * The calendar pipeline with the real SQLite meeting ledger and the real engine, a calendar
 * that serves scripted pages and a recording meeting writer (the CRM side is tested against the
 * emulators by the writers' own suites). Fixed clock.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { CalendarPage, CalendarProvider, MeetingActivityDraft, MeetingMeta, MeetingWriteOutcome, MeetingWriter } from '../../src/core/meeting.js';
import type { MeetingContext } from '../../src/core/meeting-qualify.js';
import { calendarWindow, syncCalendar, type CalendarSyncDeps } from '../../src/core/sync-calendar.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import { SqliteMeetingStore } from '../../src/store/meeting-store.js';
import { migrate } from '../../src/store/migrations.js';
import { engineFor } from '../helpers/engine.js';
import { meeting } from '../helpers/meetings.js';
import { TENANT } from './engine-fixture.js';

const NOW = new Date('2026-11-05T12:00:00.000Z');
const ALEX = { id: 'mbx-alex', address: 'alex@example-seller.com' };
const SAM = { id: 'mbx-sam', address: 'sam@example-seller.com' };

/** Serves the pages queued for each calendar, once; records the cursor each read started from. */
class ScriptedCalendar implements CalendarProvider {
  readonly kind = 'graph' as const;
  pages = new Map<string, CalendarPage[]>();
  cursorsAsked: (string | null)[] = [];
  queue(mailboxId: string, ...pages: CalendarPage[]): void {
    this.pages.set(mailboxId, [...(this.pages.get(mailboxId) ?? []), ...pages]);
  }
  async *readCalendar(mailbox: { id: string }, cursor: string | null): AsyncIterable<CalendarPage> {
    this.cursorsAsked.push(cursor);
    const pages = this.pages.get(mailbox.id) ?? [];
    this.pages.set(mailbox.id, []);
    yield* pages;
  }
}

class RecordingWriter implements MeetingWriter {
  written: MeetingActivityDraft[] = [];
  deleted: string[] = [];
  fail: 'none' | 'throw' | 'retryable' | 'rejected' = 'none';
  async writeMeetings(batch: readonly MeetingActivityDraft[]): Promise<MeetingWriteOutcome[]> {
    if (this.fail === 'throw') throw new Error('CRM unavailable (503)');
    return batch.map((d) => {
      if (this.fail === 'retryable') return { key: d.key, ok: false, error: 'row lock', retryable: true };
      if (this.fail === 'rejected') return { key: d.key, ok: false, error: 'FIELD_CUSTOM_VALIDATION', retryable: false };
      this.written.push(d);
      return { key: d.key, ok: true, crmId: `00U-${d.key}` };
    });
  }
  async deleteMeetings(ids: readonly string[]): Promise<void> {
    this.deleted.push(...ids);
  }
}

const page = (cursor: string, meetings: MeetingMeta[], removedIds: string[] = []): CalendarPage => ({ meetings, removedIds, cursor });

let db: SqliteDatabase;
let store: SqliteMeetingStore;
let calendar: ScriptedCalendar;
let writer: RecordingWriter;
let deps: CalendarSyncDeps;

beforeEach(() => {
  db = openDatabase({ path: ':memory:' });
  migrate(db);
  store = new SqliteMeetingStore(db, () => NOW);
  calendar = new ScriptedCalendar();
  writer = new RecordingWriter();
  const ctx: MeetingContext = { ...engineFor(TENANT), webinarAttendees: 50 };
  deps = {
    provider: calendar,
    store,
    writer,
    ctx,
    clock: { now: () => NOW },
    window: () => calendarWindow(new Date('2026-10-29T00:00:00.000Z'), NOW),
  };
});

function dump(): string {
  const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
  return tables.flatMap((t) => db.prepare(`SELECT * FROM "${t}"`).all().map((r) => `${t}: ${JSON.stringify(r)}`)).join('\n');
}

describe('calendarWindow', () => {
  it('reads from the backfill start to daysAhead days after now (30 by default)', () => {
    const since = new Date('2026-10-01T00:00:00.000Z');
    expect(calendarWindow(since, NOW)).toEqual({ since, until: new Date('2026-12-05T12:00:00.000Z') });
    expect(calendarWindow(since, NOW, 7).until).toEqual(new Date('2026-11-12T12:00:00.000Z'));
  });
});

describe('syncCalendar', () => {
  it('imports a customer meeting, counts the rest, and saves the cursor after the write', async () => {
    calendar.queue(ALEX.id, page('c1', [
      meeting({ iCalUId: 'qbr', attendees: ['jane@acme.com'] }),
      meeting({ iCalUId: 'standup', title: 'Team standup', attendees: ['sam@example-seller.com'] }),
      meeting({ iCalUId: 'cancelled-new', isCancelled: true }),
    ]));
    const r = await syncCalendar(ALEX, deps);
    expect(r).toMatchObject({ meetingsScanned: 3, meetingsImported: 1, meetingActivitiesWritten: 1, alreadyImported: 0, skipped: { 'internal-only': 1, cancelled: 1 } });
    expect(writer.written.map((d) => d.key)).toEqual(['qbr']);
    expect(writer.written[0]).toMatchObject({ status: 'active', accountIds: ['a-acme'], dealIds: ['d-renewal'], ownerId: 'u-alex' });
    expect(store.calendarCursor(ALEX.id)).toBe('c1');
    expect(store.meetingReasonCounts(ALEX.id)).toEqual({ 'internal-only': 1, cancelled: 1 });
    expect(store.meeting('qbr')?.crmId).toBe('00U-qbr');
  });

  it('rejected meetings leave no title, address or id in any table', async () => {
    calendar.queue(ALEX.id, page('c1', [
      meeting({ iCalUId: 'uid-secret-standup', id: 'ev-secret-1', title: 'Zanzibar standup', attendees: ['sam@example-seller.com'] }),
      meeting({ iCalUId: 'uid-secret-private', id: 'ev-secret-2', title: 'Zanzibar doctor', isPrivate: true, attendees: ['jane@acme.com'] }),
      meeting({ iCalUId: 'uid-secret-nomatch', id: 'ev-secret-3', title: 'Zanzibar coffee', attendees: ['stranger@unknown-co.com'] }),
    ]));
    await syncCalendar(ALEX, deps);
    const all = dump();
    for (const trace of ['Zanzibar', 'secret', 'jane@acme.com', 'stranger@unknown-co.com']) expect(all).not.toContain(trace);
  });

  it('a meeting in three calendars is one activity with three holders', async () => {
    const cal3 = { id: 'mbx-casey', address: 'casey@contractor-mail.com' };
    const qbr = (mailbox: string, id: string) => meeting({ iCalUId: 'qbr', id, mailbox, attendees: ['jane@acme.com', 'sam@example-seller.com', 'casey@contractor-mail.com'] });
    calendar.queue(ALEX.id, page('a1', [qbr(ALEX.address, 'ev-a')]));
    calendar.queue(SAM.id, page('s1', [qbr(SAM.address, 'ev-s')]));
    calendar.queue(cal3.id, page('k1', [qbr(cal3.address, 'ev-k')]));
    const results = [await syncCalendar(ALEX, deps), await syncCalendar(SAM, deps), await syncCalendar(cal3, deps)];
    expect(writer.written).toHaveLength(1);
    expect(results.map((r) => r.meetingsImported)).toEqual([1, 0, 0]);
    expect(results.map((r) => r.alreadyImported)).toEqual([0, 1, 1]);
    expect(store.meeting('qbr')?.holders.map((h) => h.eventId)).toEqual(['ev-a', 'ev-k', 'ev-s']);
  });

  it('each occurrence of a recurring series is its own activity', async () => {
    const occ = (start: string) => meeting({ iCalUId: 'weekly', seriesMasterId: 'master', occurrenceStart: start, start, end: start, id: `ev-${start}` });
    calendar.queue(ALEX.id, page('c1', [occ('2026-11-03T14:00:00.000Z'), occ('2026-11-10T14:00:00.000Z'), occ('2026-11-17T14:00:00.000Z')]));
    const r = await syncCalendar(ALEX, deps);
    expect(r.meetingsImported).toBe(3);
    expect(new Set(writer.written.map((d) => d.key)).size).toBe(3);
  });

  it('a moved meeting updates its activity, decided again with its new start', async () => {
    // Globex's Pilot deal closed 2026-03-01: a meeting on 03-10 goes to it, moved to 03-20 it does not.
    const at = (start: string, lastModified: string) => meeting({ iCalUId: 'pilot-review', attendees: ['x@globex.com'], start, end: start, lastModified });
    calendar.queue(ALEX.id, page('c1', [at('2026-03-10T10:00:00.000Z', '2026-03-01T00:00:00.000Z')]));
    await syncCalendar(ALEX, deps);
    calendar.queue(ALEX.id, page('c2', [at('2026-03-20T10:00:00.000Z', '2026-03-05T00:00:00.000Z')]));
    const r = await syncCalendar(ALEX, deps);
    expect(r).toMatchObject({ meetingsImported: 0, meetingsUpdated: 1, meetingActivitiesWritten: 1 });
    expect(writer.written.map((d) => [d.key, d.start, d.dealIds])).toEqual([
      ['pilot-review', '2026-03-10T10:00:00.000Z', ['d-pilot']],
      ['pilot-review', '2026-03-20T10:00:00.000Z', []],
    ]);
    expect(store.meeting('pilot-review')?.start).toBe('2026-03-20T10:00:00.000Z');
    // Seen again unchanged: nothing written.
    calendar.queue(ALEX.id, page('c3', [at('2026-03-20T10:00:00.000Z', '2026-03-05T00:00:00.000Z')]));
    expect((await syncCalendar(ALEX, deps)).alreadyImported).toBe(1);
    expect(writer.written).toHaveLength(2);
  });

  it('another calendar\'s copy (its own lastModified, other answers) writes nothing; a stale copy never undoes a move', async () => {
    calendar.queue(ALEX.id, page('c1', [meeting({ iCalUId: 'qbr', start: '2026-11-10T14:00:00.000Z', end: '2026-11-10T15:00:00.000Z', lastModified: '2026-11-01T10:00:00.000Z' })]));
    await syncCalendar(ALEX, deps);
    calendar.queue(SAM.id, page('s1', [meeting({ iCalUId: 'qbr', id: 'ev-sam', attendees: [{ address: 'jane@acme.com', response: 'none' }], lastModified: '2026-11-02T08:00:00.000Z' })]));
    expect((await syncCalendar(SAM, deps)).alreadyImported).toBe(1);
    expect(writer.written).toHaveLength(1);
    // Moved in Alex's calendar; Sam's calendar still shows the old time with an older stamp.
    calendar.queue(ALEX.id, page('c2', [meeting({ iCalUId: 'qbr', start: '2026-11-12T14:00:00.000Z', end: '2026-11-12T15:00:00.000Z', lastModified: '2026-11-04T10:00:00.000Z' })]));
    await syncCalendar(ALEX, deps);
    calendar.queue(SAM.id, page('s2', [meeting({ iCalUId: 'qbr', id: 'ev-sam', lastModified: '2026-11-02T08:00:00.000Z' })]));
    await syncCalendar(SAM, deps);
    expect(writer.written.map((d) => d.start)).toEqual(['2026-11-10T14:00:00.000Z', '2026-11-12T14:00:00.000Z']);
    expect(store.meeting('qbr')?.start).toBe('2026-11-12T14:00:00.000Z');
  });

  it('a meeting made private after its import is deleted from the CRM and the ledger, and stays out', async () => {
    calendar.queue(ALEX.id, page('c1', [meeting({ iCalUId: 'qbr', title: 'Zanzibar review' })]));
    await syncCalendar(ALEX, deps);
    calendar.queue(ALEX.id, page('c2', [meeting({ iCalUId: 'qbr', title: 'Zanzibar review', isPrivate: true, lastModified: '2026-11-03T00:00:00.000Z' })]));
    const r = await syncCalendar(ALEX, deps);
    expect(r.skipped).toEqual({ private: 1 });
    expect(writer.deleted).toEqual(['00U-qbr']);
    expect(store.meeting('qbr')).toBeUndefined();
    expect(dump()).not.toContain('Zanzibar');
    calendar.queue(ALEX.id, page('c3', [meeting({ iCalUId: 'qbr', title: 'Zanzibar review', lastModified: '2026-11-04T00:00:00.000Z' })]));
    expect((await syncCalendar(ALEX, deps)).skipped).toEqual({ 'previously-deleted': 1 });
  });

  it('a new invitee updates the activity and the attendees kept for privacy', async () => {
    calendar.queue(ALEX.id, page('c1', [meeting({ iCalUId: 'qbr', attendees: ['jane@acme.com'] })]));
    await syncCalendar(ALEX, deps);
    calendar.queue(ALEX.id, page('c2', [meeting({ iCalUId: 'qbr', attendees: ['jane@acme.com', 'ian@initrode.com'], lastModified: '2026-11-03T00:00:00.000Z' })]));
    expect((await syncCalendar(ALEX, deps)).meetingsUpdated).toBe(1);
    expect(writer.written[1]!.accountIds.sort()).toEqual(['a-acme', 'a-initrode']);
    expect(store.meetingKeysMatching({ kind: 'address', value: 'ian@initrode.com' })).toEqual(['qbr']);
  });

  it('a cancelled imported meeting is written once more, marked cancelled, keeping its associations', async () => {
    calendar.queue(ALEX.id, page('c1', [meeting({ iCalUId: 'qbr' })]));
    await syncCalendar(ALEX, deps);
    calendar.queue(ALEX.id, page('c2', [meeting({ iCalUId: 'qbr', isCancelled: true, lastModified: '2026-11-04T00:00:00.000Z' })]));
    const r = await syncCalendar(ALEX, deps);
    expect(r).toMatchObject({ meetingsCancelled: 1, meetingActivitiesWritten: 1 });
    expect(writer.written[1]).toMatchObject({ key: 'qbr', status: 'cancelled', accountIds: ['a-acme'] });
    expect(writer.written[1]!.explanation).toMatch(/cancelled by the organizer: marked cancelled$/);
    expect(store.meeting('qbr')?.activity.status).toBe('cancelled');
    // Seen cancelled again (another calendar): no second write.
    calendar.queue(SAM.id, page('s1', [meeting({ iCalUId: 'qbr', id: 'ev-sam', isCancelled: true, lastModified: '2026-11-04T00:00:00.000Z' })]));
    await syncCalendar(SAM, deps);
    expect(writer.written).toHaveLength(2);
  });

  it('removed from every calendar: an upcoming meeting is marked cancelled; a past one stays', async () => {
    calendar.queue(ALEX.id, page('c1', [
      meeting({ iCalUId: 'upcoming', id: 'ev-up', start: '2026-11-20T10:00:00.000Z', end: '2026-11-20T11:00:00.000Z' }),
      meeting({ iCalUId: 'past', id: 'ev-past', start: '2026-11-02T10:00:00.000Z', end: '2026-11-02T11:00:00.000Z' }),
    ]));
    calendar.queue(SAM.id, page('s1', [meeting({ iCalUId: 'upcoming', id: 'ev-up-sam', start: '2026-11-20T10:00:00.000Z', end: '2026-11-20T11:00:00.000Z' })]));
    await syncCalendar(ALEX, deps);
    await syncCalendar(SAM, deps);
    calendar.queue(ALEX.id, page('c2', [], ['ev-up', 'ev-past', 'ev-never-imported']));
    await syncCalendar(ALEX, deps);
    // Sam still holds the upcoming one: nothing written.
    expect(writer.written).toHaveLength(2);
    expect(store.meeting('past')?.activity.status).toBe('active');
    calendar.queue(SAM.id, page('s2', [], ['ev-up-sam']));
    const r = await syncCalendar(SAM, deps);
    expect(r.meetingsCancelled).toBe(1);
    expect(writer.written[2]).toMatchObject({ key: 'upcoming', status: 'cancelled' });
    expect(writer.written[2]!.explanation).toContain('removed from every calendar');
    // The attendees stay on the ledger for erase and blocklist purges.
    expect(store.meetingKeysMatching({ kind: 'address', value: 'jane@acme.com' })).toEqual(['past', 'upcoming']);
  });

  it('a failed write keeps the cursor and the claim is released; the next run writes it', async () => {
    calendar.queue(ALEX.id, page('c1', [meeting({ iCalUId: 'qbr' })]));
    writer.fail = 'throw';
    await expect(syncCalendar(ALEX, deps)).rejects.toThrow('CRM unavailable');
    expect(store.calendarCursor(ALEX.id)).toBeNull();
    expect(dump()).not.toContain('qbr');
    writer.fail = 'retryable';
    calendar.queue(ALEX.id, page('c1', [meeting({ iCalUId: 'qbr' })]));
    await expect(syncCalendar(ALEX, deps)).rejects.toThrow('meeting write failed: row lock');
    expect(store.calendarCursor(ALEX.id)).toBeNull();
    writer.fail = 'none';
    calendar.queue(ALEX.id, page('c1', [meeting({ iCalUId: 'qbr' })]));
    expect((await syncCalendar(ALEX, deps)).meetingsImported).toBe(1);
    expect(store.calendarCursor(ALEX.id)).toBe('c1');
  });

  it('a meeting the CRM refuses for good is counted, leaves nothing, and does not hold the cursor', async () => {
    calendar.queue(ALEX.id, page('c1', [meeting({ iCalUId: 'uid-refused', id: 'ev-refused' })]));
    writer.fail = 'rejected';
    const r = await syncCalendar(ALEX, deps);
    expect(r).toMatchObject({ rejectedByCrm: 1, meetingsImported: 0, skipped: { 'crm-rejected': 1 } });
    expect(store.calendarCursor(ALEX.id)).toBe('c1');
    expect(dump()).not.toContain('refused');
  });

  it('resumes from the saved cursor, and a forgotten meeting is never imported again', async () => {
    calendar.queue(ALEX.id, page('c1', [meeting({ iCalUId: 'qbr' })]));
    await syncCalendar(ALEX, deps);
    store.forgetMeetings(['qbr']);
    calendar.queue(ALEX.id, page('c2', [meeting({ iCalUId: 'qbr' })]));
    const r = await syncCalendar(ALEX, deps);
    expect(calendar.cursorsAsked).toEqual([null, 'c1']);
    expect(r.skipped).toEqual({ 'previously-deleted': 1 });
    expect(writer.written).toHaveLength(1);
  });
});
