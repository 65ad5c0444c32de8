/**
 * The one way imported messages are deleted (blocklist purges, `messages delete`, erase requests,
 * retention, purge). In one transaction the local rows go (ledger with its holders, participants
 * and records; the FTS text, which does not cascade) and every CRM activity to delete is written
 * down as owed in `crm_deletions`; then the CRM deletes are attempted and each confirmed one is
 * struck off. Writing the debt before calling the CRM means a crash or a CRM outage at any point
 * loses nothing: `settleCrmDeletions` (run by every sync round) pays what is left. Deleting an
 * activity that is already gone counts as done in both adapters, so paying twice is harmless.
 */
import { prepareDropMessageText, prepareRememberForgotten } from '../../store/sync-store.js';
import { isMeetingDeletion } from './forget-meetings.js';
import type { CrmAdapter } from '../../core/ports.js';
import type { SqliteAdminStore } from '../../store/admin-store.js';
import type { SqliteDatabase } from '../../store/database.js';
import type { GovernanceStore } from '../../store/store-ports.js';
import type { AdminParts } from './admin-parts.js';

/** Ids per delete call: a Salesforce collection's limit (the HubSpot adapter splits further). */
const DELETE_CHUNK = 200;

export interface ForgetOptions {
  /** Why (`blocklist`, `messages.delete`, `privacy.erase`, `retention`, `purge`): kept with owed deletions. */
  reason: string;
  /** Also delete the CRM activities (default true); retention keeps them unless asked. */
  crm?: boolean;
  /**
   * Called inside the transaction that removes the local rows, with what it removed: a caller
   * that must report the count after a crash (an erase job) persists it here, atomically.
   */
  onRemoved?(removed: { messages: number; crmIds: number }): void;
}

export interface ForgetResult {
  /** Imported messages removed locally. */
  messages: number;
  /** CRM activities the CRM confirmed deleted. */
  crmDeleted: number;
  /** CRM activities still owed (the CRM failed; retried by `settleCrmDeletions`). */
  crmOwed: number;
}

export interface SettleResult {
  paid: number;
  owed: number;
}

type ForgetParts = Pick<AdminParts, 'db' | 'admin' | 'crm'>;

/** Deletes the messages with these ledger keys, locally and (by default) in the CRM. */
export async function forgetMessages(parts: ForgetParts, keys: readonly string[], opts: ForgetOptions): Promise<ForgetResult> {
  const withCrm = opts.crm ?? true;
  const { messages, crmIds } = removeLocally(parts.db, parts.admin, keys, withCrm ? opts.reason : null, opts.onRemoved);
  if (!withCrm || crmIds.length === 0) return { messages, crmDeleted: 0, crmOwed: 0 };
  const crm = parts.crm();
  const paid = await payCrmDeletions(parts.admin, (ids) => crm.deleteActivities(ids), crmIds);
  return { messages, crmDeleted: paid.paid, crmOwed: paid.owed };
}

/** Local rows out and CRM ids owed, atomically. `reason` null: keep the CRM activities. */
function removeLocally(
  db: SqliteDatabase,
  admin: SqliteAdminStore,
  keys: readonly string[],
  reason: string | null,
  onRemoved?: ForgetOptions['onRemoved'],
): { messages: number; crmIds: string[] } {
  const crmIdOf = db.prepare<[string], string>('SELECT crm_id FROM ledger WHERE key = ?').pluck();
  const dropText = prepareDropMessageText(db);
  const remember = prepareRememberForgotten(db);
  const dropLedger = db.prepare<[string]>('DELETE FROM ledger WHERE key = ?');
  return db.transaction(() => {
    const crmIds = new Set<string>();
    let messages = 0;
    for (const key of new Set(keys)) {
      const crmId = crmIdOf.get(key);
      dropText.run(key);
      if (crmId === undefined) continue;
      dropLedger.run(key);
      remember(key);
      messages++;
      if (crmId) crmIds.add(crmId);
    }
    if (reason !== null) admin.oweCrmDeletions([...crmIds], reason);
    onRemoved?.({ messages, crmIds: crmIds.size });
    return { messages, crmIds: [...crmIds] };
  }).immediate();
}

/**
 * Tries to delete owed CRM activities in chunks through `remove` (emails: the adapter; meetings:
 * the meeting writer); a failing chunk stays owed with its error.
 */
export async function payCrmDeletions(admin: GovernanceStore, remove: (crmIds: string[]) => Promise<void>, crmIds: readonly string[]): Promise<SettleResult> {
  let paid = 0;
  let owed = 0;
  for (let i = 0; i < crmIds.length; i += DELETE_CHUNK) {
    const chunk = crmIds.slice(i, i + DELETE_CHUNK);
    try {
      await remove(chunk);
      await admin.crmDeletionsPaid(chunk);
      paid += chunk.length;
    } catch (err) {
      await admin.crmDeletionsFailed(chunk, err instanceof Error ? err.message : String(err));
      owed += chunk.length;
    }
  }
  return { paid, owed };
}

/**
 * Retries every CRM deletion still owed. The sync round calls this before writing new
 * activities; `purge --all` and the admin commands call it too. Returns what was paid and what
 * is still owed after this attempt.
 */
export async function settleCrmDeletions(admin: GovernanceStore, crm: CrmAdapter): Promise<SettleResult> {
  // Meeting activities are deleted through the meeting writer (forget-meetings.ts).
  const owed = (await admin.crmDeletionsOwed()).filter((r) => !isMeetingDeletion(r.reason)).map((r) => r.crmId);
  if (owed.length === 0) return { paid: 0, owed: 0 };
  const result = await payCrmDeletions(admin, (ids) => crm.deleteActivities(ids), owed);
  return { paid: result.paid, owed: await admin.crmDeletionsOwedCount() };
}
