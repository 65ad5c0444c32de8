/**
 * `mailbridge purge --all` (DESIGN §3, termination): every activity mailbridge wrote to the CRM
 * is deleted (in batches), and everything local goes: ledger, imported text, index, cursors,
 * tokens and secrets, statuses, counters, blocklist, suppressions, privacy jobs, settings and the
 * audit log. One audit entry recording the purge is written last and is the one row left —
 * with, if the CRM refused some deletions, the ids still owed (run the purge again to pay them).
 */
import type { AdminParts } from './admin-parts.js';
import { settleMeetingDeletions, MEETING_DELETION } from './forget-meetings.js';
import { settleCrmDeletions } from './forget-messages.js';

export interface PurgeResult {
  dryRun: boolean;
  /** CRM activities to delete (written ones plus deletions already owed). */
  crmActivities: number;
  crmDeleted: number;
  crmOwed: number;
  /** Rows per local table (before the purge). */
  rows: Record<string, number>;
}

export async function purgeAll(parts: AdminParts, opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
  const { ledger, meetings, governance, audit } = parts.stores;
  const rows = await governance.tableRows();
  const written = await ledger.crmIds();
  const meetingsWritten = await meetings.meetingCrmIds();
  const owedBefore = new Set((await governance.crmDeletionsOwed(Number.MAX_SAFE_INTEGER)).map((r) => r.crmId));
  const crmActivities = new Set([...written, ...meetingsWritten, ...owedBefore]).size;
  if (opts.dryRun) return { dryRun: true, crmActivities, crmDeleted: 0, crmOwed: 0, rows };

  // Owe every written activity and empty the local tables in one step: from here on a crash or
  // a CRM outage leaves only ids to delete, which the next purge (or sync round) pays.
  await governance.purgeTenant({ emails: 'purge', meetings: `${MEETING_DELETION}purge` });

  const settled = crmActivities ? await settleAll(parts) : { paid: 0, owed: 0 };
  const result: PurgeResult = { dryRun: false, crmActivities, crmDeleted: settled.paid, crmOwed: settled.owed, rows };
  await audit.audit(parts.actor, 'purge.all', null, { crmActivities, crmDeleted: settled.paid, crmOwed: settled.owed, rows });
  return result;
}

/**
 * Settles until nothing is owed or a round pays nothing (the CRM keeps failing). Meeting
 * activities go through the meeting writer; without one they stay owed.
 */
async function settleAll(parts: AdminParts): Promise<{ paid: number; owed: number }> {
  let paid = 0;
  for (;;) {
    const { governance } = parts.stores;
    const round = await settleCrmDeletions(governance, parts.crm());
    const meetings = parts.meetingWriter ? await settleMeetingDeletions(governance, parts.meetingWriter()) : { paid: 0, owed: 0 };
    paid += round.paid + meetings.paid;
    const owed = await governance.crmDeletionsOwedCount();
    if (owed === 0 || round.paid + meetings.paid === 0) return { paid, owed };
  }
}
