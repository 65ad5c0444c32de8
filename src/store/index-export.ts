/**
 * The domain index read back as CRM records, one kind at a time, for `mailbridge crm snapshot`.
 * Values are the index's normalised keys (lower-cased addresses, registrable ASCII domains), which
 * the engine matches exactly as it matches the CRM's originals. Records come in pages ordered by
 * id (byte order): a large CRM is never held in memory at once. Both stores give the same records:
 * SQLite stores them normalised; PostgreSQL keeps the CRM's record and normalises it on the way
 * out with `indexedRecord`, the same steps the SQLite writer takes (index-writer.ts).
 */
import { normalizeAddress } from '../core/address.js';
import type { CrmEntityKind } from '../core/ports.js';
import type { Account, Contact, CrmUser, Deal, Lead } from '../core/types.js';
import type { SqliteDatabase } from './database.js';
import { distinctPhones } from './index-writer.js';
import { domainKeys, emailKeys } from './index-keys.js';
import type { IndexRecordOf } from './store-ports.js';

/** Records per page of an export. */
export const EXPORT_PAGE = 500;

const list = (json: string): string[] => JSON.parse(json) as string[];

type Page<T> = (db: SqliteDatabase, after: string, limit: number) => T[];

const usersAfter: Page<CrmUser> = (db, after, limit) =>
  db
    .prepare<[string, number], { id: string; email: string | null; name: string | null }>('SELECT id, email, name FROM users WHERE id > ? ORDER BY id LIMIT ?')
    .all(after, limit)
    .map((r) => ({ id: r.id, email: r.email ?? '', name: r.name }));

const accountsAfter: Page<Account> = (db, after, limit) =>
  db
    .prepare<[string, number], { id: string; name: string; owner_id: string | null; domains: string }>('SELECT id, name, owner_id, domains FROM accounts WHERE id > ? ORDER BY id LIMIT ?')
    .all(after, limit)
    .map((r) => ({ id: r.id, name: r.name, domains: list(r.domains), ownerId: r.owner_id }));

const contactsAfter: Page<Contact> = (db, after, limit) =>
  db
    .prepare<[string, number], { id: string; account_id: string | null; name: string | null; emails: string; phones: string }>(
      'SELECT id, account_id, name, emails, phones FROM contacts WHERE id > ? ORDER BY id LIMIT ?',
    )
    .all(after, limit)
    .map((r) => ({ id: r.id, emails: list(r.emails), phones: list(r.phones), accountId: r.account_id, name: r.name }));

const leadsAfter: Page<Lead> = (db, after, limit) =>
  db
    .prepare<[string, number], { id: string; company: string | null; name: string | null; domain: string | null; emails: string; phones: string }>(
      'SELECT id, company, name, domain, emails, phones FROM leads WHERE id > ? ORDER BY id LIMIT ?',
    )
    .all(after, limit)
    .map((r) => ({ id: r.id, emails: list(r.emails), phones: list(r.phones), company: r.company, domain: r.domain, name: r.name }));

const dealsAfter: Page<Deal> = (db, after, limit) =>
  db
    .prepare<[string, number], { id: string; account_id: string | null; name: string; is_closed: number; close_date: string | null; created_date: string; last_modified: string; owner_id: string | null; roles: string }>(
      `SELECT d.id, d.account_id, d.name, d.is_closed, d.close_date, d.created_date, d.last_modified, d.owner_id,
              (SELECT json_group_array(contact_id) FROM (SELECT contact_id FROM deal_contact_roles WHERE deal_id = d.id ORDER BY contact_id)) AS roles
       FROM deals d WHERE d.id > ? ORDER BY d.id LIMIT ?`,
    )
    .all(after, limit)
    .map((r) => ({
      id: r.id, accountId: r.account_id, name: r.name, isClosed: r.is_closed !== 0, closeDate: r.close_date,
      createdDate: r.created_date, lastModified: r.last_modified, ownerId: r.owner_id, contactRoles: list(r.roles),
    }));

const SQLITE_PAGES: { [K in CrmEntityKind]: Page<IndexRecordOf[K]> } = {
  user: usersAfter,
  account: accountsAfter,
  contact: contactsAfter,
  lead: leadsAfter,
  deal: dealsAfter,
};

/**
 * The embedded index's records of one kind, a page at a time (keyset on the primary key): no
 * statement stays open between pages, so the connection stays free for other work meanwhile.
 */
export async function* exportSqliteRecords<K extends CrmEntityKind>(db: SqliteDatabase, kind: K, pageSize = EXPORT_PAGE): AsyncGenerator<IndexRecordOf[K][]> {
  const page = SQLITE_PAGES[kind] as Page<IndexRecordOf[K]>;
  // '' sorts before every id (ids are never empty).
  for (let after = ''; ; ) {
    const rows = page(db, after, pageSize);
    if (!rows.length) return;
    yield rows;
    if (rows.length < pageSize) return;
    after = rows.at(-1)!.id;
  }
}

/** A CRM value the SQLite index stores in a TEXT column: text, or null. */
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * A record as the CRM sent it (PostgreSQL keeps it so) in the form the SQLite index stores and
 * exports it: the same normalisation, defaults and field order, so both stores export one text.
 * `accountId` and `contactRoles` come from the store's own columns.
 */
export function indexedRecord<K extends CrmEntityKind>(kind: K, raw: Record<string, unknown>, extra: { id: string; accountId: string | null; contactRoles: string[] }): IndexRecordOf[K] {
  const r = raw as Partial<Record<string, never>> & Record<string, unknown>;
  const emails = () => emailKeys(r.emails as string[] | undefined).map((k) => k.email);
  const phones = () => distinctPhones(r.phones as string[] | undefined);
  const id = extra.id;
  let out: IndexRecordOf[CrmEntityKind];
  switch (kind) {
    case 'user':
      out = { id, email: normalizeAddress(text(r.email) ?? '') ?? '', name: text(r.name) };
      break;
    case 'account':
      out = { id, name: text(r.name) ?? '', domains: domainKeys(r.domains as string[] | undefined), ownerId: text(r.ownerId) };
      break;
    case 'contact':
      out = { id, emails: emails(), phones: phones(), accountId: extra.accountId, name: text(r.name) };
      break;
    case 'lead':
      out = { id, emails: emails(), phones: phones(), company: text(r.company), domain: domainKeys([text(r.domain)])[0] ?? null, name: text(r.name) };
      break;
    default:
      out = {
        id, accountId: extra.accountId, name: text(r.name) ?? '', isClosed: Boolean(r.isClosed), closeDate: text(r.closeDate),
        createdDate: text(r.createdDate) ?? '', lastModified: text(r.lastModified) ?? '', ownerId: text(r.ownerId), contactRoles: extra.contactRoles,
      };
  }
  return out as IndexRecordOf[K];
}
