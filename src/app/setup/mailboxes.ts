/**
 * `mailbridge mailboxes add|remove|list`: who is synced, without editing JSON. The list lives in
 * the tenant's `mail.users` (the file is rewritten with everything else kept); a removal is also
 * recorded in the tenant's database (connection `removed`), so every process skips the mailbox
 * from its next round, even where no list is configured (all users, a group, the directory).
 * Removing forgets the mailbox's stored tokens and waiting consent link; the mail already
 * imported stays until deleted with the privacy commands.
 */
import { z } from 'zod';
import { gmailTokenKey } from '../../providers/gmail/gmail-tokens.js';
import { graphTokenKey } from '../../providers/graph/graph-tokens.js';
import { AdminError } from '../admin/admin-parts.js';
import { connectionList, pendingConsentKey, REMOVED, type ConnectionRow } from '../connect.js';
import type { OpenTenant } from '../open-tenant.js';
import { readConfigJson, tenantIndex, writeConfigJson } from './config-file.js';

export type MailboxChange = 'added' | 'restored' | 'already-synced' | 'removed' | 'not-synced';

export interface MailboxChangeResult {
  tenant: string;
  changes: { address: string; change: MailboxChange }[];
  /** What the admin does next (connect a user, restart `run`), when anything. */
  next: string[];
}

const email = z.string().email();

function addresses(input: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of input) {
    const address = raw.trim().toLowerCase();
    if (!email.safeParse(address).success) throw new AdminError(`"${raw}" is not an email address`);
    if (!out.includes(address)) out.push(address);
  }
  if (!out.length) throw new AdminError('name at least one mailbox (an email address)');
  return out;
}

interface TenantJson {
  mail: { mode?: string; provider?: string; users?: string[]; directory?: unknown; group?: unknown };
}

/** Reads the tenant's raw JSON out of the file, for a change to `mail.users`. */
function tenantJson(tenant: OpenTenant, file: string) {
  const json = readConfigJson(file);
  const at = tenantIndex(json, tenant.config.id);
  if (at < 0) throw new AdminError(`no tenant "${tenant.config.id}" in ${file}`);
  return { json, t: json.tenants![at] as unknown as TenantJson };
}

/**
 * Whether the tenant syncs a list of its own (`mail.users`) rather than whatever the service
 * lists: always in user mode; in company mode a Graph list (even empty) or a non-empty Gmail
 * one (an empty Gmail list means "the directory's users").
 */
export function syncsAList(mail: { mode?: string; provider?: string; users?: readonly string[] }): boolean {
  if ((mail.mode ?? 'company') === 'user') return true;
  if (!Array.isArray(mail.users)) return false;
  return mail.provider === 'graph' || mail.users.length > 0;
}

const connectionOf = async (tenant: OpenTenant, address: string) => (await tenant.stores.status.mailboxStatuses()).find((s) => s.address === address)?.connection;

/**
 * Adds mailboxes to the synced list. Where no list is configured (company mode over all users,
 * a group or the directory), every mailbox the service lists is synced already: adding one only
 * undoes an earlier removal, and the file is left as it is (a list would narrow the sync).
 */
export async function addMailboxes(tenant: OpenTenant, file: string, input: readonly string[], actor = 'cli'): Promise<MailboxChangeResult> {
  const wanted = addresses(input);
  const { json, t } = tenantJson(tenant, file);
  const mode = t.mail.mode ?? 'company';
  const listed = syncsAList(t.mail);
  const users = [...(t.mail.users ?? [])];
  const changes: MailboxChangeResult['changes'] = [];
  for (const address of wanted) {
    const wasRemoved = (await connectionOf(tenant, address)) === REMOVED;
    const inList = users.some((u) => u.toLowerCase() === address);
    if (listed && !inList) users.push(address);
    changes.push({ address, change: listed && !inList ? 'added' : wasRemoved ? 'restored' : 'already-synced' });
  }
  if (listed) {
    t.mail.users = users;
    writeConfigJson(file, json);
  }
  // Only after the file is written: a refused file leaves the database as it was.
  for (const { address, change } of changes) {
    if (change === 'already-synced' && (await connectionOf(tenant, address)) !== REMOVED) continue;
    await tenant.stores.status.setConnection(address, mode === 'user' ? 'invited' : 'not-connected', null);
  }
  await tenant.stores.audit.audit(actor, 'mailboxes.add', null, { mailboxes: changes.length });
  const next = mode === 'user' ? changes.filter((c) => c.change !== 'already-synced').map((c) => `mailbridge connect --user ${c.address}`) : ['mailbridge connect'];
  next.push('a running `mailbridge run` reads the file when it starts: restart it to sync added mailboxes');
  return { tenant: tenant.config.id, changes, next };
}

/**
 * Stops syncing mailboxes: out of `mail.users`, recorded `removed`, their stored tokens and
 * waiting consent forgotten. Imported mail is not touched.
 */
export async function removeMailboxes(tenant: OpenTenant, file: string, input: readonly string[], actor = 'cli'): Promise<MailboxChangeResult> {
  const gone = addresses(input);
  const { json, t } = tenantJson(tenant, file);
  const known = new Set((await tenant.stores.status.mailboxStatuses()).map((s) => s.address));
  const listed = syncsAList(t.mail);
  const users = t.mail.users ?? [];
  const changes: MailboxChangeResult['changes'] = gone.map((address) => {
    const inList = users.some((u) => u.toLowerCase() === address);
    // With a list, a mailbox outside it was never synced; without one, any mailbox may be.
    const synced = listed ? inList : (t.mail.mode ?? 'company') === 'company';
    return { address, change: synced || known.has(address) ? 'removed' : 'not-synced' };
  });
  if (listed) {
    t.mail.users = users.filter((u) => !gone.includes(u.toLowerCase()));
    writeConfigJson(file, json);
  }
  for (const { address } of changes) {
    await tenant.stores.status.setConnection(address, REMOVED, null);
    for (const key of [graphTokenKey(address), gmailTokenKey(address), pendingConsentKey(address)]) await tenant.secrets.delete(key);
  }
  await tenant.stores.audit.audit(actor, 'mailboxes.remove', null, { mailboxes: changes.length });
  return {
    tenant: tenant.config.id,
    changes,
    next: ['imported mail stays: delete it with `mailbridge privacy` if it must go'],
  };
}

export interface MailboxRow extends ConnectionRow {
  /** Whether the next round syncs it (configured or listed, and not removed). */
  synced: boolean;
}

/** Every mailbox the tenant knows: configured ones and those seen, each with its connection status. */
export async function listMailboxes(tenant: OpenTenant): Promise<{ tenant: string; mode: string; mailboxes: MailboxRow[] }> {
  const list = await connectionList(tenant);
  const mail = tenant.config.mail;
  const configured = syncsAList(mail) ? new Set((mail.users ?? []).map((u) => u.toLowerCase())) : null;
  const mailboxes = list.users.map((row) => ({
    ...row,
    synced: row.connection !== REMOVED && (configured ? configured.has(row.address) : true),
  }));
  return { tenant: list.tenant, mode: list.mode, mailboxes };
}
