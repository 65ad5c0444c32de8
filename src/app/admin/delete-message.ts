/**
 * `mailbridge messages delete <id>` (DESIGN §3: admins delete any message; a standard user only
 * messages on accounts they own). The id is the CRM activity id or the ledger key.
 *
 * Roles, decided here:
 * - Admin: the acting address is in the tenant's `admins`. There is no built-in super-actor:
 *   whoever runs the CLI says who they are with `--as`, and is judged by that address.
 * - Standard user: a CRM user found by that address in the index. They may delete a message
 *   when it is written to at least one account and every account it touches (directly, or as a
 *   deal's account) is owned by them (account owner = their CRM user id). A message on leads
 *   only, or touching another owner's account, is an admin's to delete.
 * - Anyone else is refused. A refusal is an AdminError (exit 2) and an audit entry.
 */
import { normalizeAddress } from '../../core/address.js';
import { AdminError, type AdminParts } from './admin-parts.js';
import { forgetMessages, type ForgetResult } from './forget-messages.js';

export interface DeleteMessageResult {
  key: string;
  crmId: string;
  role: 'admin' | 'owner';
  result: ForgetResult;
}

export async function deleteMessage(parts: AdminParts, id: string, asAddress: string): Promise<DeleteMessageResult> {
  const actor = normalizeAddress(asAddress);
  if (!actor) throw new AdminError(`--as "${asAddress}" is not an email address`);
  const row = parts.db
    .prepare<[string, string], { key: string; crm_id: string }>('SELECT key, crm_id FROM ledger WHERE key = ? OR crm_id = ? LIMIT 1')
    .get(id, id);
  if (!row) throw new AdminError(`no imported message with id ${id} (give the CRM activity id or the ledger key)`);

  const verdict = roleOf(parts, actor, row.key);
  if (!verdict.allowed) {
    parts.admin.audit(actor, 'messages.delete.refused', row.key, { crmId: row.crm_id, why: verdict.why });
    throw new AdminError(`${actor} may not delete this message: ${verdict.why}`);
  }
  const result = await forgetMessages(parts, [row.key], { reason: 'messages.delete' });
  parts.admin.audit(actor, 'messages.delete', row.key, { crmId: row.crm_id, role: verdict.role, ...result });
  return { key: row.key, crmId: row.crm_id, role: verdict.role, result };
}

type Verdict = { allowed: true; role: 'admin' | 'owner' } | { allowed: false; why: string };

function roleOf(parts: AdminParts, actor: string, key: string): Verdict {
  const admins = new Set(parts.config.admins.map((a) => normalizeAddress(a)).filter((a): a is string => a !== null));
  if (admins.has(actor)) return { allowed: true, role: 'admin' };
  const user = parts.index.userByEmail(actor);
  if (!user) return { allowed: false, why: 'not an admin and not a CRM user' };
  const accounts = accountsOf(parts, key);
  if (accounts.length === 0) return { allowed: false, why: 'the message is on no account (only admins may delete it)' };
  const foreign = accounts.filter((id) => parts.index.account(id)?.ownerId !== user.id);
  if (foreign.length) return { allowed: false, why: `it is on ${foreign.length} account(s) owned by someone else` };
  return { allowed: true, role: 'owner' };
}

/** Accounts the message was written to, directly or through a deal. */
function accountsOf(parts: AdminParts, key: string): string[] {
  const rows = parts.db
    .prepare<[string, string], string>(
      `SELECT record_id FROM ledger_records WHERE key = ? AND kind = 'account'
       UNION SELECT d.account_id FROM ledger_records r JOIN deals d ON d.id = r.record_id
        WHERE r.key = ? AND r.kind = 'deal' AND d.account_id IS NOT NULL`,
    )
    .pluck()
    .all(key, key);
  return rows.sort();
}
