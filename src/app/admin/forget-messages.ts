/**
 * The one way imported messages are deleted (blocklist purges, `messages delete`, erase requests,
 * retention, purge). In one transaction the store drops the local rows (ledger with its holders,
 * participants, records and text) and writes every CRM activity to delete down as owed
 * (`LedgerStore.forgetMessages`); then the CRM deletes are attempted and each confirmed one is
 * struck off. Writing the debt before calling the CRM means a crash or a CRM outage at any point
 * loses nothing: `settleCrmDeletions` (run by every sync round) pays what is left. Deleting an
 * activity that is already gone counts as done in both adapters, so paying twice is harmless.
 */
import { isMeetingDeletion } from './forget-meetings.js';
import type { CrmAdapter } from '../../core/ports.js';
import type { ForgetKeysOptions, GovernanceStore } from '../../store/store-ports.js';
import type { AdminParts } from './admin-parts.js';

/** Ids per delete call: a Salesforce collection's limit (the HubSpot adapter splits further). */
const DELETE_CHUNK = 200;

export interface ForgetOptions {
  /** Why (`blocklist`, `messages.delete`, `privacy.erase`, `retention`, `purge`): kept with owed deletions. */
  reason: string;
  /** Also delete the CRM activities (default true); retention keeps them unless asked. */
  crm?: boolean;
  /**
   * A privacy job whose running result is written in the transaction that removes the local
   * rows: an erase job that must report the count after a crash persists it atomically.
   */
  progress?: ForgetKeysOptions['progress'];
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

type ForgetParts = Pick<AdminParts, 'stores' | 'crm'>;

/** Deletes the messages with these ledger keys, locally and (by default) in the CRM. */
export async function forgetMessages(parts: ForgetParts, keys: readonly string[], opts: ForgetOptions): Promise<ForgetResult> {
  const withCrm = opts.crm ?? true;
  const { messages, crmIds } = await parts.stores.ledger.forgetMessages(keys, { oweReason: withCrm ? opts.reason : null, ...(opts.progress ? { progress: opts.progress } : {}) });
  if (!withCrm || crmIds.length === 0) return { messages, crmDeleted: 0, crmOwed: 0 };
  const crm = parts.crm();
  const paid = await payCrmDeletions(parts.stores.governance, (ids) => crm.deleteActivities(ids), crmIds);
  return { messages, crmDeleted: paid.paid, crmOwed: paid.owed };
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
