/**
 * A round's meeting counts over its mailboxes, for `run`/`sync` output and the demo's JSON
 * (`meetingsScanned`, `meetingsImported`, `meetingActivitiesWritten`). `duplicateMeetings` is not
 * here: it is counted in the CRM (activities sharing a key), which is what a duplicate means.
 */
import type { MailboxOutcome } from './sync-tenant.js';

export interface MeetingTotals {
  meetingsScanned: number;
  meetingsImported: number;
  meetingActivitiesWritten: number;
  meetingsUpdated: number;
  meetingsCancelled: number;
  /** Already imported from another calendar or an earlier round: held, not written again. */
  meetingsAlreadyImported: number;
  meetingsSkipped: Record<string, number>;
  /** Calendars whose sync failed this round (their mail outcome stands). */
  calendarsFailed: number;
}

export function meetingTotalsOf(outcomes: readonly MailboxOutcome[]): MeetingTotals {
  const t: MeetingTotals = {
    meetingsScanned: 0,
    meetingsImported: 0,
    meetingActivitiesWritten: 0,
    meetingsUpdated: 0,
    meetingsCancelled: 0,
    meetingsAlreadyImported: 0,
    meetingsSkipped: {},
    calendarsFailed: 0,
  };
  for (const o of outcomes) {
    const m = o.ok ? o.meetings : undefined;
    if (!m) continue;
    if (!m.ok) {
      t.calendarsFailed++;
      continue;
    }
    t.meetingsScanned += m.meetingsScanned;
    t.meetingsImported += m.meetingsImported;
    t.meetingActivitiesWritten += m.meetingActivitiesWritten;
    t.meetingsUpdated += m.meetingsUpdated;
    t.meetingsCancelled += m.meetingsCancelled;
    t.meetingsAlreadyImported += m.alreadyImported;
    for (const [reason, n] of Object.entries(m.skipped)) t.meetingsSkipped[reason] = (t.meetingsSkipped[reason] ?? 0) + n;
  }
  return t;
}
