/**
 * Meetings in a sync round (issue 15), the parts `sync --once`, the scheduler and the pool's
 * mailbox job share: the calendar side of a round when `calendar.enabled` (the provider's
 * calendar, the CRM's meeting writer, the tenant's meeting ledger), and what a mailbox's round
 * leaves in its status row and the job log.
 */
import { meetingTotalsOf } from './meeting-totals.js';
import type { CalendarSyncParts, MailboxOutcome } from './sync-tenant.js';
import type { OpenTenant } from './open-tenant.js';

/** The calendar parts of a round, or undefined when the tenant does not capture meetings. */
export function calendarParts(tenant: OpenTenant): CalendarSyncParts | undefined {
  const settings = tenant.config.calendar;
  if (!settings.enabled) return undefined;
  return {
    provider: tenant.provider(),
    writer: tenant.crm().meetingWriter(),
    store: tenant.stores.meetings,
    webinarAttendees: settings.webinarAttendees,
    daysAhead: settings.daysAhead,
  };
}

type SyncedMailbox = Extract<MailboxOutcome, { ok: true }>;

/**
 * What `recordRun` keeps for a mailbox whose mail went through: the counts, and as the error a
 * calendar that failed (named, so `status` shows it needs attention; the mail stands).
 */
export function mailboxRun(o: SyncedMailbox): { error: string | null; result: Record<string, unknown> } {
  const result: Record<string, unknown> = { scanned: o.scanned, imported: o.imported, duplicates: o.duplicates, skipped: o.skipped };
  const m = o.meetings;
  if (!m) return { error: null, result };
  if (!m.ok) return { error: `calendar failed (${m.code ?? 'error'}): ${m.error}; the mail was synced`, result: { ...result, calendar: { code: m.code } } };
  const { calendarsFailed: _none, ...counts } = meetingTotalsOf([o]);
  return { error: null, result: { ...result, ...counts } };
}

/** Job-log fields of a mailbox's calendar: counts, or the failure's code and message. */
export function meetingLogFields(o: SyncedMailbox): Record<string, unknown> {
  const m = o.meetings;
  if (!m) return {};
  if (!m.ok) return { calendarError: m.error, calendarCode: m.code };
  const { calendarsFailed: _none, ...counts } = meetingTotalsOf([o]);
  return { ...counts, meetingsStopped: m.stopped };
}
