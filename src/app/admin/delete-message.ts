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
  const { ledger, audit } = parts.stores;
  const row = await ledger.findImported(id);
  if (!row) throw new AdminError(`no imported message with id ${id} (give the CRM activity id or the ledger key)`);

  const verdict = await roleOf(parts, actor, row.key);
  if (!verdict.allowed) {
    await audit.audit(actor, 'messages.delete.refused', row.key, { crmId: row.crmId, why: verdict.why });
    throw new AdminError(`${actor} may not delete this message: ${verdict.why}`);
  }
  const result = await forgetMessages(parts, [row.key], { reason: 'messages.delete' });
  await audit.audit(actor, 'messages.delete', row.key, { crmId: row.crmId, role: verdict.role, ...result });
  return { key: row.key, crmId: row.crmId, role: verdict.role, result };
}

type Verdict = { allowed: true; role: 'admin' | 'owner' } | { allowed: false; why: string };

async function roleOf(parts: AdminParts, actor: string, key: string): Promise<Verdict> {
  const admins = new Set(parts.config.admins.map((a) => normalizeAddress(a)).filter((a): a is string => a !== null));
  if (admins.has(actor)) return { allowed: true, role: 'admin' };
  const { index, ledger } = parts.stores;
  const user = await index.userByEmail(actor);
  if (!user) return { allowed: false, why: 'not an admin and not a CRM user' };
  // Accounts the message was written to, directly or through a deal.
  const accounts = await ledger.accountIdsOf(key);
  if (accounts.length === 0) return { allowed: false, why: 'the message is on no account (only admins may delete it)' };
  const owners = await Promise.all(accounts.map(async (id) => (await index.account(id))?.ownerId));
  const foreign = owners.filter((owner) => owner !== user.id);
  if (foreign.length) return { allowed: false, why: `it is on ${foreign.length} account(s) owned by someone else` };
  return { allowed: true, role: 'owner' };
}
