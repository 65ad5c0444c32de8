/**
 * One calendar's sync (DESIGN §6), the meeting twin of sync-mailbox.ts: read pages from the
 * calendar's cursor, dedupe against the meeting ledger, qualify on metadata, claim, write through
 * the CRM's meeting writer, record, and save the cursor LAST, so a crash anywhere loses nothing
 * and (the writes being idempotent on the key) duplicates nothing.
 *
 * Imported meetings seen again:
 * - moved or otherwise changed (times, title, place, link or invitees differ; a copy older than
 *   the one written is ignored): qualified and associated again with the new start (the deal
 *   rule's date) and the activity updated in place;
 * - made private: the activity is deleted from the CRM and the ledger (a tombstone remains);
 * - cancelled: the activity is marked `cancelled`, not deleted (the CRM keeps the history of
 *   what was planned with the customer, and a reschedule shows as cancelled + new);
 * - removed from a calendar: that calendar stops holding it; once no calendar holds an upcoming
 *   meeting it is marked cancelled. A past meeting stays as it was (deleting an old calendar
 *   entry does not undo a meeting that took place).
 * A rejected meeting is only counted; one seen in several calendars is one activity.
 */
import { meetingActivity } from './meeting-activity.js';
import { meetingParticipants, qualifyMeeting, type MeetingContext } from './meeting-qualify.js';
import type { MeetingLedgerEntry, MeetingStore } from './meeting-ledger.js';
import type { CalendarProvider, CalendarWindow, MeetingActivityDraft, MeetingMeta, MeetingWriter } from './meeting.js';
import type { Clock, IndexResolver, Mailbox } from './ports.js';
import { SyncError } from './sync-error.js';

const DAY_MS = 86_400_000;

/** DESIGN §6: upcoming meetings are read this many days ahead unless `calendar.daysAhead` says otherwise. */
export const DEFAULT_DAYS_AHEAD = 30;

/** The read window: the mailbox's backfill start, to `daysAhead` days after now. */
export function calendarWindow(backfillSince: Date, now: Date, daysAhead = DEFAULT_DAYS_AHEAD): CalendarWindow {
  return { since: backfillSince, until: new Date(now.getTime() + daysAhead * DAY_MS) };
}

export interface CalendarSyncDeps {
  provider: CalendarProvider;
  store: MeetingStore;
  writer: MeetingWriter;
  ctx: MeetingContext;
  /** With a shared store: resolves each page's attendee keys in one round trip (as mail's). */
  resolver?: IndexResolver;
  clock: Clock;
  /** The calendar's read window (see `calendarWindow`). */
  window(mailbox: Mailbox): CalendarWindow;
  /** Asked after each page: true stops at a checkpoint there. */
  shouldStop?(): boolean;
}

export interface CalendarSyncResult {
  mailboxId: string;
  meetingsScanned: number;
  /** New activities written. */
  meetingsImported: number;
  /** Every write: new, moved (updated) and cancelled (marked). */
  meetingActivitiesWritten: number;
  meetingsUpdated: number;
  meetingsCancelled: number;
  /** Imported already (another calendar or an earlier run): this calendar became a holder. */
  alreadyImported: number;
  /** Reason counts of meetings not logged. */
  skipped: Record<string, number>;
  /** Refused by the CRM for good: counted, not retried. */
  rejectedByCrm: number;
  stopped: boolean;
}

interface PendingWrite {
  draft: MeetingActivityDraft;
  eventId: string;
  /** Organizer and attendees, kept on the ledger for erase and blocklist purges; absent: unchanged. */
  attendees?: string[];
  lastModified: string | null;
  kind: 'new' | 'update' | 'cancel';
}

function add(counts: Record<string, number>, reason: string, n = 1): void {
  counts[reason] = (counts[reason] ?? 0) + n;
}

export async function syncCalendar(mailbox: Mailbox, deps: CalendarSyncDeps): Promise<CalendarSyncResult> {
  const result: CalendarSyncResult = {
    mailboxId: mailbox.id,
    meetingsScanned: 0,
    meetingsImported: 0,
    meetingActivitiesWritten: 0,
    meetingsUpdated: 0,
    meetingsCancelled: 0,
    alreadyImported: 0,
    skipped: {},
    rejectedByCrm: 0,
    stopped: false,
  };
  const cursor = await deps.store.calendarCursor(mailbox.id);
  for await (const page of deps.provider.readCalendar(mailbox, cursor, deps.window(mailbox))) {
    const counts: Record<string, number> = {};
    const ctx = await pageContext(mailbox, page.meetings, deps);
    const pending = new Map<string, PendingWrite>();
    for (const meta of page.meetings) await consider(mailbox, meta, ctx, deps, result, counts, pending);
    for (const eventId of page.removedIds) await removed(mailbox, eventId, deps, pending);
    await write(mailbox, [...pending.values()], deps, result, counts);
    for (const [reason, n] of Object.entries(counts)) add(result.skipped, reason, n);
    await deps.store.calendarCheckpoint(mailbox.id, page.cursor, counts);
    if (deps.shouldStop?.()) {
      result.stopped = true;
      break;
    }
  }
  return result;
}

async function pageContext(mailbox: Mailbox, meetings: readonly MeetingMeta[], deps: CalendarSyncDeps): Promise<MeetingContext> {
  if (!deps.resolver) return deps.ctx;
  const keys = new Set<string>([mailbox.address.toLowerCase()]);
  for (const meta of meetings) {
    for (const p of meetingParticipants(meta, deps.ctx.rules.companyDomains)) {
      keys.add(p.address);
      if (p.registrable) keys.add(p.registrable);
    }
  }
  return { ...deps.ctx, index: await deps.resolver.resolveKeys([...keys]) };
}

/**
 * Whether an imported meeting changed in a way its activity shows: times, title, place, link or
 * who is invited. Answers and each calendar's own `lastModified` are left out: attendees' copies
 * differ in both, and must not rewrite the activity back and forth.
 */
function changed(meta: MeetingMeta, entry: MeetingLedgerEntry): boolean {
  const a = entry.activity;
  if (Date.parse(meta.start) !== Date.parse(a.start) || Date.parse(meta.end) !== Date.parse(a.end)) return true;
  if (meta.title !== a.title || (meta.location ?? '') !== (a.location ?? '') || (meta.onlineMeetingUrl ?? '') !== (a.onlineMeetingUrl ?? '')) return true;
  const invited = [...new Set(attendeesOf(meta).map((x) => x.trim().toLowerCase()).filter(Boolean))].sort();
  return invited.join('\n') !== entry.attendees.join('\n');
}

/** A copy older than what was written (a calendar not yet updated): it must not undo a move. */
function isStale(meta: MeetingMeta, entry: MeetingLedgerEntry): boolean {
  return !!meta.lastModified && !!entry.lastModified && Date.parse(meta.lastModified) < Date.parse(entry.lastModified);
}

const attendeesOf = (meta: MeetingMeta): string[] => [meta.organizer.address, ...meta.attendees.map((a) => a.address)];

/** The written activity marked cancelled (its associations kept: what was planned with whom). */
function cancelledDraft(entry: MeetingLedgerEntry, meta: MeetingMeta | null, why: string): MeetingActivityDraft {
  const a = entry.activity;
  return {
    ...a,
    ...(meta ? { title: meta.title, start: meta.start, end: meta.end } : {}),
    ...(meta?.lastModified ? { lastModified: meta.lastModified } : {}),
    status: 'cancelled',
    explanation: `${a.explanation}; ${why}: marked cancelled`,
  };
}

async function consider(
  mailbox: Mailbox,
  meta: MeetingMeta,
  ctx: MeetingContext,
  deps: CalendarSyncDeps,
  result: CalendarSyncResult,
  counts: Record<string, number>,
  pending: Map<string, PendingWrite>,
): Promise<void> {
  const { store } = deps;
  result.meetingsScanned++;
  if (pending.has(meta.key)) {
    // The same meeting twice in one page (a calendar listing it again): written once.
    result.alreadyImported++;
    return;
  }
  const entry = await store.meeting(meta.key);
  if (entry) {
    await store.addMeetingHolder(meta.key, mailbox.id, meta.id);
    if (meta.isCancelled) {
      if (entry.activity.status === 'cancelled') result.alreadyImported++;
      else pending.set(meta.key, { draft: cancelledDraft(entry, meta, 'cancelled by the organizer'), eventId: meta.id, attendees: attendeesOf(meta), lastModified: meta.lastModified ?? null, kind: 'cancel' });
      return;
    }
    if (isStale(meta, entry)) {
      result.alreadyImported++;
      return;
    }
    if (meta.isPrivate) {
      // Made private after its import: the owner wants it out of the CRM, so it goes (and a
      // tombstone keeps it out), as a privacy purge would take it.
      await deps.writer.deleteMeetings([entry.crmId]);
      await store.forgetMeetings([meta.key]);
      add(counts, 'private');
      return;
    }
    if (!changed(meta, entry) && entry.activity.status !== 'cancelled') {
      result.alreadyImported++;
      return;
    }
    // Moved or edited (or restored after a cancellation): decided again, with the new start.
    const q = qualifyMeeting(meta, ctx);
    if (!q.ok) {
      // No longer a customer meeting (say, the customer was taken off the invitation): the
      // activity stays as it was written; only the reason is counted.
      add(counts, q.reason);
      return;
    }
    const draft = meetingActivity(meta, q, ctx, { calendarOwner: mailbox.address });
    pending.set(meta.key, { draft, eventId: meta.id, attendees: attendeesOf(meta), lastModified: meta.lastModified ?? null, kind: 'update' });
    return;
  }
  if (await store.wasMeetingForgotten(meta.key)) {
    // Deleted on purpose after its import (erase, blocklist, retention): never brought back.
    add(counts, 'previously-deleted');
    return;
  }
  const q = qualifyMeeting(meta, ctx);
  if (!q.ok) {
    add(counts, q.reason);
    return;
  }
  if (!(await store.claimMeeting(meta.key, mailbox.id, meta.id))) {
    // Another calendar claimed it (maybe on another worker): this one was made a holder.
    result.alreadyImported++;
    return;
  }
  const draft = meetingActivity(meta, q, ctx, { calendarOwner: mailbox.address });
  pending.set(meta.key, { draft, eventId: meta.id, attendees: attendeesOf(meta), lastModified: meta.lastModified ?? null, kind: 'new' });
}

/** An event gone from this calendar: the calendar lets go; an upcoming meeting nobody holds is cancelled. */
async function removed(mailbox: Mailbox, eventId: string, deps: CalendarSyncDeps, pending: Map<string, PendingWrite>): Promise<void> {
  const key = await deps.store.meetingKeyOfEvent(mailbox.id, eventId);
  if (!key || pending.has(key)) return;
  const left = await deps.store.dropMeetingHolder(key, mailbox.id);
  const entry = await deps.store.meeting(key);
  if (left > 0 || !entry || entry.activity.status === 'cancelled') return;
  if (Date.parse(entry.start) <= deps.clock.now().getTime()) return;
  const draft = cancelledDraft(entry, null, 'removed from every calendar');
  pending.set(key, { draft, eventId, lastModified: entry.lastModified, kind: 'cancel' });
}

async function write(mailbox: Mailbox, items: readonly PendingWrite[], deps: CalendarSyncDeps, result: CalendarSyncResult, counts: Record<string, number>): Promise<void> {
  if (!items.length) return;
  const { store } = deps;
  let outcomes;
  try {
    outcomes = new Map((await deps.writer.writeMeetings(items.map((i) => i.draft))).map((o) => [o.key, o]));
  } catch (err) {
    // Nothing of this page may be taken as written: the cursor stays, the next run retries.
    for (const item of items) if (item.kind === 'new') await store.releaseMeetingClaim(item.draft.key);
    throw err;
  }
  let failure: string | null = null;
  for (const item of items) {
    const key = item.draft.key;
    const outcome = outcomes.get(key);
    if (outcome?.ok) {
      await store.recordMeeting({
        key,
        crmId: outcome.crmId,
        mailboxId: mailbox.id,
        eventId: item.eventId,
        activity: item.draft,
        lastModified: item.lastModified,
        ...(item.attendees ? { attendees: item.attendees } : {}),
      });
      result.meetingActivitiesWritten++;
      if (item.kind === 'new') result.meetingsImported++;
      else if (item.kind === 'update') result.meetingsUpdated++;
      else result.meetingsCancelled++;
      continue;
    }
    if (item.kind === 'new') await store.releaseMeetingClaim(key);
    if (!outcome || outcome.retryable) failure = outcome ? outcome.error : 'no outcome returned for a meeting';
    else {
      result.rejectedByCrm++;
      add(counts, 'crm-rejected');
    }
  }
  if (failure) throw new SyncError('transient', `meeting write failed: ${failure}`);
}
