/**
 * Meetings follow mail's privacy rules (docs/privacy.md): a blocklist entry purges the imported
 * meetings it matches (attendee, organizer's domain, title phrase), an erase deletes every
 * meeting the address took part in and stops it coming back, retention deletes meetings that
 * ended long ago, and `purge --all` empties the meeting tables. Each leaves no address, title or
 * id in any table, and deletes the CRM activity through the meeting writer (or owes it).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addToBlocklist } from '../../../src/app/admin/blocklist.js';
import { settleCrmDeletions } from '../../../src/app/admin/forget-messages.js';
import { settleMeetingDeletions } from '../../../src/app/admin/forget-meetings.js';
import { accessReport, requestErase, runPrivacyJobs } from '../../../src/app/admin/privacy.js';
import { purgeAll } from '../../../src/app/admin/purge-all.js';
import { runRetention } from '../../../src/app/admin/retention.js';
import type { MeetingActivityDraft, MeetingWriteOutcome, MeetingWriter } from '../../../src/core/meeting.js';
import { SqliteMeetingStore } from '../../../src/store/meeting-store.js';
import { adminFixture, type AdminFixture } from './admin-fixture.js';

class RecordingMeetingWriter implements MeetingWriter {
  deleted: string[] = [];
  failDeletes = false;
  async writeMeetings(batch: readonly MeetingActivityDraft[]): Promise<MeetingWriteOutcome[]> {
    return batch.map((d) => ({ key: d.key, ok: true, crmId: `00U-${d.key}` }));
  }
  async deleteMeetings(ids: readonly string[]): Promise<void> {
    if (this.failDeletes) throw new Error('CRM unavailable (503)');
    this.deleted.push(...ids);
  }
}

let f: AdminFixture;
let writer: RecordingMeetingWriter;
let meetings: SqliteMeetingStore;

function recordMeeting(key: string, attendees: string[], title = `Meeting ${key}`, end = '2026-04-20T11:00:00.000Z'): void {
  const activity: MeetingActivityDraft = {
    key, title, start: '2026-04-20T10:00:00.000Z', end, description: `Attendees: ${attendees.join(', ')}`, status: 'active',
    contactIds: [], accountIds: ['A-acme'], leadIds: [], dealIds: [], attendeeCrmIds: [], explanation: 'test',
  };
  meetings.recordMeeting({ key, crmId: `00U-${key}`, mailboxId: 'mbx-ben', eventId: `ev-${key}`, activity, lastModified: null, attendees });
}

function dump(): string {
  const tables = f.db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
  return tables
    .filter((t) => t !== 'audit_log' && t !== 'privacy_jobs' && t !== 'suppressions' && t !== 'blocklist')
    .flatMap((t) => f.db.prepare(`SELECT * FROM "${t}"`).all().map((r) => `${t}: ${JSON.stringify(r)}`))
    .join('\n');
}

beforeEach(() => {
  f = adminFixture({ retentionDays: 365, retentionCrm: true });
  writer = new RecordingMeetingWriter();
  f.meetingWriter = () => writer;
  meetings = new SqliteMeetingStore(f.db, () => f.clock.now());
  recordMeeting('mtg-jane-qbr', ['ben@seller.example', 'Jane+cal@Acme.com'], 'Acme QBR');
  recordMeeting('mtg-hank', ['ben@seller.example', 'hank@eu.globex.com'], 'Globex Zanzibar roadmap');
  recordMeeting('mtg-joe', ['ben@seller.example', 'joe@acme.com'], 'Joe catch-up');
});
afterEach(() => f.close());

describe('meetings and privacy', () => {
  it('a blocklisted domain purges the meetings it touches (subdomains too), locally and in the CRM', async () => {
    const dry = await addToBlocklist(f, { value: 'globex.com' }, { dryRun: true });
    expect(dry.meetingsMatched).toBe(1);
    expect(meetings.meeting('mtg-hank')).toBeDefined();
    const r = await addToBlocklist(f, { value: 'globex.com' });
    expect(r.meetingsPurged).toEqual({ messages: 1, crmDeleted: 1, crmOwed: 0 });
    expect(writer.deleted).toEqual(['00U-mtg-hank']);
    const all = dump();
    for (const trace of ['mtg-hank', 'hank@eu.globex.com', 'Zanzibar']) expect(all).not.toContain(trace);
    expect(meetings.wasMeetingForgotten('mtg-hank')).toBe(true);
  });

  it('a blocklisted title phrase purges the meetings with it in their title', async () => {
    const r = await addToBlocklist(f, { value: 'zanzibar', kind: 'phrase' });
    expect(r.meetingsMatched).toBe(1);
    expect(meetings.meeting('mtg-hank')).toBeUndefined();
    expect(meetings.meeting('mtg-joe')).toBeDefined();
  });

  it('access lists the meetings; erase deletes them (plus-tags folded) and the address stays suppressed', async () => {
    expect((await accessReport(f, 'jane@acme.com')).meetings).toEqual([
      { key: 'mtg-jane-qbr', crmId: '00U-mtg-jane-qbr', start: '2026-04-20T10:00:00.000Z', title: 'Acme QBR', status: 'active' },
    ]);
    await requestErase(f, 'jane@acme.com');
    const [job] = await runPrivacyJobs(f);
    expect(job?.state).toBe('done');
    expect(job?.result).toMatchObject({ meetings: 1, crmDeleted: 1 });
    expect(writer.deleted).toEqual(['00U-mtg-jane-qbr']);
    const all = dump();
    for (const trace of ['mtg-jane-qbr', 'jane', 'Acme QBR']) expect(all).not.toContain(trace);
    expect(meetings.meeting('mtg-joe')).toBeDefined();
  });

  it('retention deletes meetings that ended before the cutoff', async () => {
    recordMeeting('mtg-old', ['ben@seller.example', 'old@acme.com'], 'Old meeting', '2024-01-10T11:00:00.000Z');
    const dry = await runRetention(f, { dryRun: true });
    expect(dry.meetingsExpired).toBe(1);
    const r = await runRetention(f);
    expect(r.meetings).toEqual({ messages: 1, crmDeleted: 1, crmOwed: 0 });
    expect(meetings.meeting('mtg-old')).toBeUndefined();
    expect(meetings.meeting('mtg-joe')).toBeDefined();
    expect(dump()).not.toContain('old@acme.com');
  });

  it('a CRM that fails keeps the meeting deletion owed, paid by the meeting settlement (never by mail\'s)', async () => {
    writer.failDeletes = true;
    const r = await addToBlocklist(f, { value: 'joe@acme.com' });
    expect(r.meetingsPurged).toEqual({ messages: 1, crmDeleted: 0, crmOwed: 1 });
    await settleCrmDeletions(f.admin, f.fakeCrm);
    expect(f.fakeCrm.deleted).toEqual([]);
    writer.failDeletes = false;
    expect(await settleMeetingDeletions(f.admin, writer)).toEqual({ paid: 1, owed: 0 });
    expect(writer.deleted).toEqual(['00U-mtg-joe']);
  });

  it('purge --all empties every meeting table and deletes every meeting activity', async () => {
    meetings.calendarCheckpoint('mbx-ben', 'delta-1', { 'internal-only': 3 });
    const r = await purgeAll(f);
    expect(r.crmOwed).toBe(0);
    expect(writer.deleted.sort()).toEqual(['00U-mtg-hank', '00U-mtg-jane-qbr', '00U-mtg-joe']);
    for (const t of ['meetings', 'meeting_holders', 'meeting_attendees', 'meeting_records', 'meeting_claims', 'calendar_cursors', 'meeting_reason_counts']) {
      expect(f.count(t)).toBe(0);
    }
  });
});
