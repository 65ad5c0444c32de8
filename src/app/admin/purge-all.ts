/**
 * `mailbridge purge --all` (DESIGN §3, termination): every activity mailbridge wrote to the CRM
 * is deleted (in batches), and everything local goes: ledger, imported text, index, cursors,
 * tokens and secrets, statuses, counters, blocklist, suppressions, privacy jobs, settings and the
 * audit log. One audit entry recording the purge is written last and is the one row left —
 * with, if the CRM refused some deletions, the ids still owed (run the purge again to pay them).
 */
import { DOMAIN_INDEX_TABLES } from '../../store/domain-index-schema.js';
import type { AdminParts } from './admin-parts.js';
import { settleMeetingDeletions, MEETING_DELETION } from './forget-meetings.js';
import { settleCrmDeletions } from './forget-messages.js';

/** Tables emptied by a purge, children before parents. `ledger` cascades to its child tables. */
const LOCAL_TABLES = [
  'message_text',
  'ledger_holders',
  'ledger_participants',
  'ledger_records',
  'ledger',
  'meeting_attendees',
  'meeting_records',
  'meeting_holders',
  'meeting_claims',
  'meetings',
  'calendar_cursors',
  'meeting_reason_counts',
  ...DOMAIN_INDEX_TABLES,
  'cursors',
  'crm_cursors',
  'secrets',
  'reason_counts',
  'mailbox_status',
  'blocklist',
  'suppressions',
  'privacy_jobs',
  'settings',
  'forgotten',
  'audit_log',
] as const;

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
  const { db, admin } = parts;
  const rows = Object.fromEntries(LOCAL_TABLES.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]));
  rows.crm_deletions = admin.crmDeletionsOwedCount();
  const written = db.prepare<[], string>("SELECT DISTINCT crm_id FROM ledger WHERE crm_id <> ''").pluck().all();
  const meetingsWritten = db.prepare<[], string>("SELECT DISTINCT crm_id FROM meetings WHERE crm_id <> ''").pluck().all();
  const owedBefore = new Set(admin.crmDeletionsOwed(Number.MAX_SAFE_INTEGER).map((r) => r.crmId));
  const crmActivities = new Set([...written, ...meetingsWritten, ...owedBefore]).size;
  if (opts.dryRun) return { dryRun: true, crmActivities, crmDeleted: 0, crmOwed: 0, rows };

  // Owe every written activity and empty the local tables in one step: from here on a crash or
  // a CRM outage leaves only ids to delete, which the next purge (or sync round) pays.
  db.transaction(() => {
    admin.oweCrmDeletions(written, 'purge');
    admin.oweCrmDeletions(meetingsWritten, `${MEETING_DELETION}purge`);
    for (const table of LOCAL_TABLES) db.prepare(`DELETE FROM ${table}`).run();
  }).immediate();
  parts.index.clearCaches();

  const settled = crmActivities ? await settleAll(parts) : { paid: 0, owed: 0 };
  const result: PurgeResult = { dryRun: false, crmActivities, crmDeleted: settled.paid, crmOwed: settled.owed, rows };
  admin.audit(parts.actor, 'purge.all', null, { crmActivities, crmDeleted: settled.paid, crmOwed: settled.owed, rows });
  return result;
}

/**
 * Settles until nothing is owed or a round pays nothing (the CRM keeps failing). Meeting
 * activities go through the meeting writer; without one they stay owed.
 */
async function settleAll(parts: AdminParts): Promise<{ paid: number; owed: number }> {
  let paid = 0;
  for (;;) {
    const round = await settleCrmDeletions(parts.admin, parts.crm());
    const meetings = parts.meetingWriter ? await settleMeetingDeletions(parts.admin, parts.meetingWriter()) : { paid: 0, owed: 0 };
    paid += round.paid + meetings.paid;
    const owed = parts.admin.crmDeletionsOwedCount();
    if (owed === 0 || round.paid + meetings.paid === 0) return { paid, owed };
  }
}
