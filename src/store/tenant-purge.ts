/**
 * `purge --all` on the embedded file: what a purge empties and the one transaction that owes
 * every written CRM activity and empties it (the PostgreSQL twin is in pg-governance.ts).
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import { DOMAIN_INDEX_TABLES } from './domain-index-schema.js';

/**
 * Tables emptied by a purge, children before parents. `ledger` cascades to its child tables;
 * owed CRM deletions stay (the purge pays them), as do leases a running process holds.
 */
export const PURGED_TABLES = [
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

export function sqliteTableRows(db: Database.Database): Record<string, number> {
  const rows: Record<string, number> = Object.fromEntries(PURGED_TABLES.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]));
  rows.crm_deletions = db.prepare('SELECT count(*) FROM crm_deletions').pluck().get() as number;
  return rows;
}

export function sqlitePurgeTenant(
  db: Database.Database,
  owe: (crmIds: readonly string[], reason: string) => void,
  reasons: { emails: string; meetings: string },
): { emails: number; meetings: number } {
  return db.transaction(() => {
    const emails = db.prepare<[], string>("SELECT DISTINCT crm_id FROM ledger WHERE crm_id <> ''").pluck().all();
    const meetings = db.prepare<[], string>("SELECT DISTINCT crm_id FROM meetings WHERE crm_id <> ''").pluck().all();
    owe(emails, reasons.emails);
    owe(meetings, reasons.meetings);
    for (const table of PURGED_TABLES) db.prepare(`DELETE FROM ${table}`).run();
    return { emails: emails.length, meetings: meetings.length };
  }).immediate();
}
