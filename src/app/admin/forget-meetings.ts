/**
 * The one way imported meetings are deleted (blocklist purges, erase requests, retention,
 * purge), the meeting twin of forget-messages.ts: in one transaction the ledger rows go (holders,
 * attendees, records), a hashed tombstone stops any rescan bringing them back, and their CRM
 * activities are written down as owed; then the CRM's meeting writer deletes them and each
 * confirmed one is struck off. Owed meeting deletions carry the `meeting:` reason prefix, so the
 * mail settlement leaves them to `settleMeetingDeletions` (a HubSpot meeting is not an email).
 */
import type { MeetingWriter } from '../../core/meeting.js';
import type { GovernanceStore } from '../../store/store-ports.js';
import type { AdminParts } from './admin-parts.js';
import { payCrmDeletions, type ForgetOptions, type ForgetResult, type SettleResult } from './forget-messages.js';

/** Reason prefix of owed deletions that are meetings. */
export const MEETING_DELETION = 'meeting:';

export const isMeetingDeletion = (reason: string): boolean => reason.startsWith(MEETING_DELETION);

type ForgetMeetingParts = Pick<AdminParts, 'stores' | 'meetingWriter'>;

export async function forgetMeetings(parts: ForgetMeetingParts, keys: readonly string[], opts: Omit<ForgetOptions, 'progress'>): Promise<ForgetResult> {
  const withCrm = opts.crm ?? true;
  const { meetings, crmIds } = await parts.stores.meetings.forgetMeetings(keys, withCrm ? `${MEETING_DELETION}${opts.reason}` : null);
  if (!withCrm || !crmIds.length) return { messages: meetings, crmDeleted: 0, crmOwed: 0 };
  // Without a meeting writer (no CRM configured for meetings yet) the deletions stay owed.
  if (!parts.meetingWriter) return { messages: meetings, crmDeleted: 0, crmOwed: crmIds.length };
  const writer = parts.meetingWriter();
  const paid = await payCrmDeletions(parts.stores.governance, (ids) => writer.deleteMeetings(ids), crmIds);
  return { messages: meetings, crmDeleted: paid.paid, crmOwed: paid.owed };
}

/** Retries every meeting deletion still owed (the sync round and `purge --all` call it). */
export async function settleMeetingDeletions(admin: GovernanceStore, writer: MeetingWriter): Promise<SettleResult> {
  const owed = (await admin.crmDeletionsOwed()).filter((r) => isMeetingDeletion(r.reason)).map((r) => r.crmId);
  if (!owed.length) return { paid: 0, owed: 0 };
  const result = await payCrmDeletions(admin, (ids) => writer.deleteMeetings(ids), owed);
  return { paid: result.paid, owed: (await admin.crmDeletionsOwed()).filter((r) => isMeetingDeletion(r.reason)).length };
}
