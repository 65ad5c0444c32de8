/**
 * What the meeting pipeline keeps (DESIGN §6): a ledger of IMPORTED meetings only (one row per
 * dedupe key, the calendars that hold it with their event ids, the attendee addresses for erase
 * and blocklist purges) and each calendar's cursor with the reason counters. A rejected meeting
 * leaves a counter and nothing else. Implemented by both stores (src/store), contract-tested on
 * both (test/contract/store/meetings.test.ts).
 */
import type { MeetingActivityDraft } from './meeting.js';
import type { Awaitable } from './ports.js';

/** One imported meeting as the ledger holds it. */
export interface MeetingLedgerEntry {
  key: string;
  crmId: string;
  /** Calendar (mailbox id) that wrote it first. */
  mailboxId: string;
  start: string;
  end: string;
  lastModified: string | null;
  /** The activity as last written: a moved meeting rewrites it, a cancelled one is marked. */
  activity: MeetingActivityDraft;
  /** Calendars holding it, with the provider's event id in each. */
  holders: { mailboxId: string; eventId: string }[];
  /** Organizer and attendee addresses recorded (lower-cased, sorted). */
  attendees: string[];
}

/** What a successful write leaves on the ledger. */
export interface MeetingRecord {
  key: string;
  crmId: string;
  mailboxId: string;
  /** Provider id of the event in `mailboxId` (a removal names it). */
  eventId: string;
  activity: MeetingActivityDraft;
  lastModified: string | null;
  /**
   * Organizer and attendee addresses: erase and blocklist purges find them. Absent (a removal
   * marking the meeting cancelled): the recorded ones stay.
   */
  attendees?: string[];
}

/** A blocklist or erase entry to find imported meetings by (the same normalisation as mail's `LedgerMatcher`). */
export interface MeetingMatcher {
  kind: 'address' | 'domain' | 'phrase';
  value: string;
}

export interface MeetingStore {
  calendarCursor(mailboxId: string): Awaitable<string | null>;
  /** Saves the calendar's cursor and adds the page's reason counts in one transaction. */
  calendarCheckpoint(mailboxId: string, cursor: string | null, counts: Readonly<Record<string, number>>): Awaitable<void>;
  meeting(key: string): Awaitable<MeetingLedgerEntry | undefined>;
  /** The imported meeting a calendar's event id belongs to (removals), or null. */
  meetingKeyOfEvent(mailboxId: string, eventId: string): Awaitable<string | null>;
  /**
   * Claims the right to write a NEW meeting, atomically (two workers never both win). False:
   * another calendar claimed it or it is imported; this calendar is added as a holder.
   */
  claimMeeting(key: string, mailboxId: string, eventId: string): Awaitable<boolean>;
  /** Drops a claim whose meeting was not written (the CRM refused it): nothing stays. */
  releaseMeetingClaim(key: string): Awaitable<void>;
  /** Adds a calendar holding an imported meeting (idempotent). */
  addMeetingHolder(key: string, mailboxId: string, eventId: string): Awaitable<void>;
  /** Drops one calendar's hold (its event was removed); returns the holders left. */
  dropMeetingHolder(key: string, mailboxId: string): Awaitable<number>;
  /** Records a write: a new meeting, or the update of one (moved, cancelled). */
  recordMeeting(record: MeetingRecord): Awaitable<void>;
  /** Whether the meeting was imported once and then deleted on purpose (erase, blocklist, retention). */
  wasMeetingForgotten(key: string): Awaitable<boolean>;
  meetingReasonCounts(mailboxId: string): Awaitable<Record<string, number>>;
  /** Imported meetings, or those one calendar holds (for `status`; a claim in flight is not one yet). */
  importedMeetingCount(mailboxId?: string): Awaitable<number>;

  // Privacy (docs/privacy.md): the same operations mail has.
  /** Keys of imported meetings an address, a domain (and subdomains) or a title phrase touches. */
  meetingKeysMatching(matcher: MeetingMatcher): Awaitable<string[]>;
  /** Keys of imported meetings that ended before `cutoff` (retention). */
  meetingKeysEndedBefore(cutoff: Date): Awaitable<string[]>;
  /**
   * Removes these meetings (rows, holders, attendees, records) and remembers each by a hash of
   * its key so no rescan brings it back; returns how many were on the ledger and their CRM ids.
   * With `oweReason`, those CRM ids are written down as owed deletions in the same transaction.
   */
  forgetMeetings(keys: readonly string[], oweReason?: string | null): Awaitable<{ meetings: number; crmIds: string[] }>;
  /** Every CRM id written, for `purge --all`. */
  meetingCrmIds(): Awaitable<string[]>;
}

/** The forgotten-table hash input of a meeting key: its own namespace beside mail keys. */
export const forgottenMeetingKey = (key: string): string => `meeting:${key}`;
