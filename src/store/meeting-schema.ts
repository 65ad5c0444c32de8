/**
 * Migration 9: meetings (DESIGN §6). Only imported meetings have rows: the activity as written
 * (title, times, description and explanation, inside the encrypted file), the calendars holding
 * each with their event ids, the attendee addresses (erase and blocklist purges) and the CRM
 * records. Calendars keep their own cursor and reason counters; a rejected meeting is a counter.
 */
import type Database from 'better-sqlite3-multiple-ciphers';

export function createMeetingSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE calendar_cursors (
      mailbox_id TEXT PRIMARY KEY,
      cursor TEXT,
      updated_at TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE meeting_reason_counts (
      mailbox_id TEXT NOT NULL,
      reason TEXT NOT NULL,
      count INTEGER NOT NULL,
      PRIMARY KEY (mailbox_id, reason)
    ) WITHOUT ROWID;

    CREATE TABLE meetings (
      key TEXT PRIMARY KEY,
      crm_id TEXT NOT NULL,
      mailbox_id TEXT NOT NULL,
      start_at TEXT NOT NULL,
      end_at TEXT NOT NULL,
      last_modified TEXT,
      status TEXT NOT NULL,
      activity TEXT NOT NULL,
      recorded_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX meetings_by_end ON meetings (end_at);

    -- A claim is taken before the first write; holders may arrive while it is in flight.
    CREATE TABLE meeting_claims (
      key TEXT PRIMARY KEY,
      mailbox_id TEXT NOT NULL,
      claimed_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE meeting_holders (
      key TEXT NOT NULL,
      mailbox_id TEXT NOT NULL,
      event_id TEXT NOT NULL,
      PRIMARY KEY (key, mailbox_id)
    ) WITHOUT ROWID;
    CREATE INDEX meeting_holders_by_event ON meeting_holders (mailbox_id, event_id);

    CREATE TABLE meeting_attendees (
      key TEXT NOT NULL REFERENCES meetings (key) ON DELETE CASCADE,
      address TEXT NOT NULL,
      PRIMARY KEY (key, address)
    ) WITHOUT ROWID;
    CREATE INDEX meeting_attendees_by_address ON meeting_attendees (address);

    CREATE TABLE meeting_records (
      key TEXT NOT NULL REFERENCES meetings (key) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      record_id TEXT NOT NULL,
      PRIMARY KEY (key, kind, record_id)
    ) WITHOUT ROWID;
  `);
}
