/**
 * The meeting ledger and calendar cursors in the tenant's encrypted SQLite file (core's
 * `MeetingStore`). Only imported meetings have rows; the whole file is encrypted (SQLCipher),
 * so the activity is kept as JSON. Every write is one transaction.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import { domainOf, isOnDomains, normalizeAddress } from '../core/address.js';
import type { MeetingActivityDraft } from '../core/meeting.js';
import { forgottenMeetingKey, type MeetingLedgerEntry, type MeetingMatcher, type MeetingRecord, type MeetingStore } from '../core/meeting-ledger.js';
import { SqliteAdminStore } from './admin-store.js';
import { keyHash } from './sync-store.js';

/** The CRM records a meeting went to, by kind, the same on both stores. */
export function meetingRecords(a: MeetingActivityDraft): [string, readonly string[]][] {
  return [
    ['contact', a.contactIds],
    ['account', a.accountIds],
    ['lead', a.leadIds],
    ['deal', a.dealIds],
    ['attendee', a.attendeeCrmIds],
  ];
}

/** Attendee addresses lower-cased, blanks dropped, distinct: the same on both stores. */
export function meetingAttendees(r: MeetingRecord): string[] {
  return [...new Set((r.attendees ?? []).map((a) => a.trim().toLowerCase()).filter(Boolean))];
}

/** Whether an address on the ledger is the one (or on the domain) a matcher names, as the engine normalises it. */
export function addressMatcher(matcher: MeetingMatcher): (raw: string) => boolean {
  const domains = new Set([matcher.value]);
  return (raw) => {
    const address = normalizeAddress(raw);
    if (!address) return false;
    return matcher.kind === 'address' ? address === matcher.value : isOnDomains(domainOf(address), domains);
  };
}

/** A title phrase matches case-insensitively, as the engine matches it. */
export const titleHas = (title: string, phrase: string): boolean => title.toLowerCase().includes(phrase.toLowerCase());

export class SqliteMeetingStore implements MeetingStore {
  private readonly stmt;
  readonly calendarCheckpoint: (mailboxId: string, cursor: string | null, counts: Readonly<Record<string, number>>) => void;
  readonly claimMeeting: (key: string, mailboxId: string, eventId: string) => boolean;
  readonly releaseMeetingClaim: (key: string) => void;
  readonly recordMeeting: (record: MeetingRecord) => void;
  readonly forgetMeetings: (keys: readonly string[], oweReason?: string | null) => { meetings: number; crmIds: string[] };

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    const p = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql);
    this.stmt = {
      cursor: p<[string], { cursor: string | null }>('SELECT cursor FROM calendar_cursors WHERE mailbox_id = ?'),
      saveCursor: p<[string, string | null, string]>(
        `INSERT INTO calendar_cursors (mailbox_id, cursor, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (mailbox_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      ),
      count: p<[string, string, number]>(
        `INSERT INTO meeting_reason_counts (mailbox_id, reason, count) VALUES (?, ?, ?)
         ON CONFLICT (mailbox_id, reason) DO UPDATE SET count = count + excluded.count`,
      ),
      counts: p<[string], { reason: string; count: number }>('SELECT reason, count FROM meeting_reason_counts WHERE mailbox_id = ?'),
      meeting: p<[string], { key: string; crm_id: string; mailbox_id: string; start_at: string; end_at: string; last_modified: string | null; activity: string }>(
        'SELECT key, crm_id, mailbox_id, start_at, end_at, last_modified, activity FROM meetings WHERE key = ?',
      ),
      has: p<[string], { one: number }>('SELECT 1 AS one FROM meetings WHERE key = ?'),
      holders: p<[string], { mailboxId: string; eventId: string }>(
        'SELECT mailbox_id AS mailboxId, event_id AS eventId FROM meeting_holders WHERE key = ? ORDER BY mailbox_id',
      ),
      holder: p<[string, string, string]>(
        'INSERT INTO meeting_holders (key, mailbox_id, event_id) VALUES (?, ?, ?) ON CONFLICT (key, mailbox_id) DO UPDATE SET event_id = excluded.event_id',
      ),
      dropHolder: p<[string, string]>('DELETE FROM meeting_holders WHERE key = ? AND mailbox_id = ?'),
      holderCount: p<[string], number>('SELECT count(*) FROM meeting_holders WHERE key = ?').pluck(),
      byEvent: p<[string, string], { key: string }>('SELECT key FROM meeting_holders WHERE mailbox_id = ? AND event_id = ?'),
      claim: p<[string, string, string]>('INSERT OR IGNORE INTO meeting_claims (key, mailbox_id, claimed_at) VALUES (?, ?, ?)'),
      claimant: p<[string], { mailbox_id: string }>('SELECT mailbox_id FROM meeting_claims WHERE key = ?'),
      release: p<[string]>('DELETE FROM meeting_claims WHERE key = ?'),
      dropHolders: p<[string]>('DELETE FROM meeting_holders WHERE key = ?'),
      upsert: p<[string, string, string, string, string, string | null, string, string, string]>(
        `INSERT INTO meetings (key, crm_id, mailbox_id, start_at, end_at, last_modified, status, activity, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET crm_id = excluded.crm_id, start_at = excluded.start_at, end_at = excluded.end_at,
           last_modified = excluded.last_modified, status = excluded.status, activity = excluded.activity, recorded_at = excluded.recorded_at`,
      ),
      clearAttendees: p<[string]>('DELETE FROM meeting_attendees WHERE key = ?'),
      attendee: p<[string, string]>('INSERT OR IGNORE INTO meeting_attendees (key, address) VALUES (?, ?)'),
      clearRecords: p<[string]>('DELETE FROM meeting_records WHERE key = ?'),
      record: p<[string, string, string]>('INSERT OR IGNORE INTO meeting_records (key, kind, record_id) VALUES (?, ?, ?)'),
      forgotten: p<[string], { one: number }>('SELECT 1 AS one FROM forgotten WHERE key_hash = ?'),
      remember: p<[string, string]>('INSERT OR IGNORE INTO forgotten (key_hash, forgotten_at) VALUES (?, ?)'),
      crmId: p<[string], string>('SELECT crm_id FROM meetings WHERE key = ?').pluck(),
      drop: p<[string]>('DELETE FROM meetings WHERE key = ?'),
      addresses: p<[], string>('SELECT DISTINCT address FROM meeting_attendees').pluck(),
      attendeesOf: p<[string], string>('SELECT address FROM meeting_attendees WHERE key = ? ORDER BY address').pluck(),
      keysOfAddress: p<[string], string>('SELECT DISTINCT key FROM meeting_attendees WHERE address = ?').pluck(),
      all: p<[], { key: string; activity: string }>('SELECT key, activity FROM meetings ORDER BY key'),
      endedBefore: p<[string], { key: string; end_at: string }>('SELECT key, end_at FROM meetings WHERE end_at < ? ORDER BY end_at'),
      crmIds: p<[], string>("SELECT DISTINCT crm_id FROM meetings WHERE crm_id <> ''").pluck(),
    };

    this.calendarCheckpoint = db.transaction((mailboxId: string, cursor: string | null, counts: Readonly<Record<string, number>>) => {
      for (const [reason, n] of Object.entries(counts)) if (n) this.stmt.count.run(mailboxId, reason, n);
      this.stmt.saveCursor.run(mailboxId, cursor, this.now().toISOString());
    });

    this.claimMeeting = db.transaction((key: string, mailboxId: string, eventId: string): boolean => {
      this.stmt.holder.run(key, mailboxId, eventId);
      if (this.stmt.has.get(key)) return false;
      this.stmt.claim.run(key, mailboxId, this.now().toISOString());
      return this.stmt.claimant.get(key)?.mailbox_id === mailboxId;
    });

    // Nothing of a meeting that was not written stays: its claim and the holders that waited on it.
    this.releaseMeetingClaim = db.transaction((key: string) => {
      this.stmt.release.run(key);
      if (!this.stmt.has.get(key)) this.stmt.dropHolders.run(key);
    });

    this.recordMeeting = db.transaction((r: MeetingRecord) => {
      const a = r.activity;
      this.stmt.upsert.run(r.key, r.crmId, r.mailboxId, a.start, a.end, r.lastModified, a.status, JSON.stringify(a), this.now().toISOString());
      this.stmt.holder.run(r.key, r.mailboxId, r.eventId);
      this.stmt.release.run(r.key);
      if (r.attendees) {
        this.stmt.clearAttendees.run(r.key);
        for (const address of meetingAttendees(r)) this.stmt.attendee.run(r.key, address);
      }
      this.stmt.clearRecords.run(r.key);
      for (const [kind, ids] of meetingRecords(a)) for (const id of ids) this.stmt.record.run(r.key, kind, id);
    });

    const forget = db.transaction((keys: readonly string[], oweReason: string | null): { meetings: number; crmIds: string[] } => {
      const crmIds = new Set<string>();
      let meetings = 0;
      for (const key of new Set(keys)) {
        const crmId = this.stmt.crmId.get(key);
        this.stmt.dropHolders.run(key);
        this.stmt.release.run(key);
        if (crmId === undefined) continue;
        this.stmt.drop.run(key);
        meetings++;
        this.stmt.remember.run(keyHash(forgottenMeetingKey(key)), this.now().toISOString());
        if (crmId) crmIds.add(crmId);
      }
      if (oweReason) new SqliteAdminStore(db, this.now).oweCrmDeletions([...crmIds], oweReason);
      return { meetings, crmIds: [...crmIds] };
    });
    this.forgetMeetings = (keys, oweReason = null) => forget.immediate(keys, oweReason);
  }

  calendarCursor(mailboxId: string): string | null {
    return this.stmt.cursor.get(mailboxId)?.cursor ?? null;
  }

  meeting(key: string): MeetingLedgerEntry | undefined {
    const row = this.stmt.meeting.get(key);
    if (!row) return undefined;
    return {
      key: row.key,
      crmId: row.crm_id,
      mailboxId: row.mailbox_id,
      start: row.start_at,
      end: row.end_at,
      lastModified: row.last_modified,
      activity: JSON.parse(row.activity) as MeetingActivityDraft,
      holders: this.stmt.holders.all(key),
      attendees: this.stmt.attendeesOf.all(key),
    };
  }

  meetingKeyOfEvent(mailboxId: string, eventId: string): string | null {
    return this.stmt.byEvent.get(mailboxId, eventId)?.key ?? null;
  }

  addMeetingHolder(key: string, mailboxId: string, eventId: string): void {
    this.stmt.holder.run(key, mailboxId, eventId);
  }

  dropMeetingHolder(key: string, mailboxId: string): number {
    this.stmt.dropHolder.run(key, mailboxId);
    return this.stmt.holderCount.get(key) ?? 0;
  }

  wasMeetingForgotten(key: string): boolean {
    return this.stmt.forgotten.get(keyHash(forgottenMeetingKey(key))) !== undefined;
  }

  meetingReasonCounts(mailboxId: string): Record<string, number> {
    return Object.fromEntries(this.stmt.counts.all(mailboxId).map((r) => [r.reason, r.count]));
  }

  importedMeetingCount(mailboxId?: string): number {
    if (mailboxId === undefined) return this.db.prepare<[], number>('SELECT count(*) FROM meetings').pluck().get() ?? 0;
    return this.db.prepare<[string], number>('SELECT count(*) FROM meeting_holders h JOIN meetings m ON m.key = h.key WHERE h.mailbox_id = ?').pluck().get(mailboxId) ?? 0;
  }

  meetingKeysMatching(matcher: MeetingMatcher): string[] {
    const keys = new Set<string>();
    if (matcher.kind === 'phrase') {
      for (const row of this.stmt.all.iterate()) {
        if (titleHas((JSON.parse(row.activity) as MeetingActivityDraft).title, matcher.value)) keys.add(row.key);
      }
    } else {
      const wanted = addressMatcher(matcher);
      for (const raw of this.stmt.addresses.all()) if (wanted(raw)) for (const key of this.stmt.keysOfAddress.all(raw)) keys.add(key);
    }
    return [...keys].sort();
  }

  meetingKeysEndedBefore(cutoff: Date): string[] {
    // ISO strings with a day of slack narrow on the index; the exact test is on the instant.
    const bound = new Date(cutoff.getTime() + 86_400_000).toISOString();
    return this.stmt.endedBefore.all(bound).filter((r) => Date.parse(r.end_at) < cutoff.getTime()).map((r) => r.key);
  }

  meetingCrmIds(): string[] {
    return this.stmt.crmIds.all();
  }
}
