/**
 * The domain index read back as CRM records, one kind at a time, for `mailbridge crm snapshot`.
 * Values are the index's normalised keys (lower-cased addresses, registrable ASCII domains), which
 * the engine matches exactly as it matches the CRM's originals. Rows are streamed: a large CRM is
 * never held in memory at once.
 */
import type { Account, Contact, CrmUser, Deal, Lead } from '../core/types.js';
import type { SqliteDatabase } from './database.js';

const list = (json: string): string[] => JSON.parse(json) as string[];

export function* exportUsers(db: SqliteDatabase): Generator<CrmUser> {
  for (const r of db.prepare<[], { id: string; email: string | null; name: string | null }>('SELECT id, email, name FROM users ORDER BY id').iterate()) {
    yield { id: r.id, email: r.email ?? '', name: r.name };
  }
}

export function* exportAccounts(db: SqliteDatabase): Generator<Account> {
  const rows = db.prepare<[], { id: string; name: string; owner_id: string | null; domains: string }>('SELECT id, name, owner_id, domains FROM accounts ORDER BY id');
  for (const r of rows.iterate()) yield { id: r.id, name: r.name, domains: list(r.domains), ownerId: r.owner_id };
}

export function* exportContacts(db: SqliteDatabase): Generator<Contact> {
  const rows = db.prepare<[], { id: string; account_id: string | null; name: string | null; emails: string; phones: string }>(
    'SELECT id, account_id, name, emails, phones FROM contacts ORDER BY id',
  );
  for (const r of rows.iterate()) yield { id: r.id, emails: list(r.emails), phones: list(r.phones), accountId: r.account_id, name: r.name };
}

export function* exportLeads(db: SqliteDatabase): Generator<Lead> {
  const rows = db.prepare<[], { id: string; company: string | null; name: string | null; domain: string | null; emails: string; phones: string }>(
    'SELECT id, company, name, domain, emails, phones FROM leads ORDER BY id',
  );
  for (const r of rows.iterate()) {
    yield { id: r.id, emails: list(r.emails), phones: list(r.phones), company: r.company, domain: r.domain, name: r.name };
  }
}

export function* exportDeals(db: SqliteDatabase): Generator<Deal> {
  const rows = db.prepare<[], { id: string; account_id: string | null; name: string; is_closed: number; close_date: string | null; created_date: string; last_modified: string; owner_id: string | null; roles: string }>(
    `SELECT d.id, d.account_id, d.name, d.is_closed, d.close_date, d.created_date, d.last_modified, d.owner_id,
            (SELECT json_group_array(contact_id) FROM (SELECT contact_id FROM deal_contact_roles WHERE deal_id = d.id ORDER BY contact_id)) AS roles
     FROM deals d ORDER BY d.id`,
  );
  for (const r of rows.iterate()) {
    yield {
      id: r.id, accountId: r.account_id, name: r.name, isClosed: r.is_closed !== 0, closeDate: r.close_date,
      createdDate: r.created_date, lastModified: r.last_modified, ownerId: r.owner_id, contactRoles: list(r.roles),
    };
  }
}
