/**
 * The lookups of the domain index as prepared statements, turning rows into frozen core
 * entities. One statement per lookup: a key-table probe joined to the records, whose lists
 * (emails, phones, domains) are JSON columns; a deal's roles come from a correlated subquery.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { Account, Contact, CrmUser, Deal, Lead } from '../core/types.js';

const CONTACT_COLUMNS = 'c.id, c.account_id, c.name, c.emails, c.phones';
const ACCOUNT_COLUMNS = 'a.id, a.name, a.owner_id, a.domains';
const LEAD_COLUMNS = 'l.id, l.company, l.name, l.domain, l.emails, l.phones';

const DEAL_COLUMNS = `d.id, d.account_id, d.name, d.is_closed, d.close_date, d.created_date, d.last_modified, d.owner_id,
  (SELECT json_group_array(contact_id) FROM deal_contact_roles WHERE deal_id = d.id) AS roles`;

interface ContactRow {
  id: string;
  account_id: string | null;
  name: string | null;
  emails: string;
  phones: string;
}
interface AccountRow {
  id: string;
  name: string;
  owner_id: string | null;
  domains: string;
}
interface LeadRow {
  id: string;
  company: string | null;
  name: string | null;
  emails: string;
  phones: string;
  domain: string | null;
}
interface DealRow {
  id: string;
  account_id: string | null;
  name: string;
  is_closed: number;
  close_date: string | null;
  created_date: string;
  last_modified: string;
  owner_id: string | null;
  roles: string;
}
interface UserRow {
  id: string;
  email: string | null;
  name: string | null;
}

/** Shared by every empty result: a cached miss costs no allocation. */
const NONE: readonly never[] = Object.freeze([]);

function list(json: string): readonly string[] {
  return json === '[]' ? NONE : Object.freeze(JSON.parse(json) as string[]);
}

function frozen<R, T>(rows: R[], map: (row: R) => T): readonly T[] {
  return rows.length === 0 ? NONE : Object.freeze(rows.map(map));
}

const toContact = (r: ContactRow): Contact =>
  Object.freeze({
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    emails: list(r.emails) as string[],
    phones: list(r.phones) as string[],
  });

const toAccount = (r: AccountRow): Account =>
  Object.freeze({ id: r.id, name: r.name, ownerId: r.owner_id, domains: list(r.domains) as string[] });

const toLead = (r: LeadRow): Lead =>
  Object.freeze({
    id: r.id,
    company: r.company,
    name: r.name,
    domain: r.domain,
    emails: list(r.emails) as string[],
    phones: list(r.phones) as string[],
  });

const toDeal = (r: DealRow): Deal =>
  Object.freeze({
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    isClosed: r.is_closed !== 0,
    closeDate: r.close_date,
    createdDate: r.created_date,
    lastModified: r.last_modified,
    ownerId: r.owner_id,
    contactRoles: list(r.roles) as string[],
  });

/** Uncached reads; `SqliteDomainIndex` puts its caches and key filter in front. */
export class IndexReader {
  private readonly contactsByEmailStmt;
  private readonly accountsByDomainStmt;
  private readonly accountIdsByContactDomainStmt;
  private readonly leadsByEmailStmt;
  private readonly leadsByDomainStmt;
  private readonly dealsByAccountStmt;
  private readonly openDealsOwnedByStmt;
  private readonly accountStmt;
  private readonly userByEmailStmt;

  constructor(db: Database.Database) {
    this.contactsByEmailStmt = db.prepare<[string], ContactRow>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts c
       WHERE c.id IN (SELECT contact_id FROM contact_emails WHERE email = ?) ORDER BY c.id`,
    );
    this.accountsByDomainStmt = db.prepare<[string], AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts a
       WHERE a.id IN (SELECT account_id FROM account_domains WHERE domain = ?) ORDER BY a.id`,
    );
    // Only accounts present in the index: a contact may point at one not loaded or deleted.
    this.accountIdsByContactDomainStmt = db
      .prepare<[string], string>(
        `SELECT DISTINCT c.account_id FROM contact_emails e
         JOIN contacts c ON c.id = e.contact_id
         JOIN accounts a ON a.id = c.account_id
         WHERE e.domain = ? ORDER BY 1`,
      )
      .pluck();
    this.leadsByEmailStmt = db.prepare<[string], LeadRow>(
      `SELECT ${LEAD_COLUMNS} FROM leads l
       WHERE l.id IN (SELECT lead_id FROM lead_emails WHERE email = ?) ORDER BY l.id`,
    );
    // A lead is on a domain by its company domain or by one of its addresses.
    this.leadsByDomainStmt = db.prepare<[string, string], LeadRow>(
      `SELECT ${LEAD_COLUMNS} FROM leads l
       WHERE l.id IN (SELECT lead_id FROM lead_domains WHERE domain = ?
                      UNION SELECT lead_id FROM lead_emails WHERE domain = ?) ORDER BY l.id`,
    );
    this.openDealsOwnedByStmt = db.prepare<[string], DealRow>(
      `SELECT ${DEAL_COLUMNS} FROM deals d WHERE d.owner_id = ? AND d.is_closed = 0 ORDER BY d.id`,
    );
    this.dealsByAccountStmt = db.prepare<[string], DealRow>(
      `SELECT ${DEAL_COLUMNS} FROM deals d WHERE d.account_id = ? ORDER BY d.id`,
    );
    this.accountStmt = db.prepare<[string], AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?`);
    this.userByEmailStmt = db.prepare<[string], UserRow>(
      'SELECT id, email, name FROM users WHERE email = ? ORDER BY id LIMIT 1',
    );
  }

  contactsByEmail(email: string): readonly Contact[] {
    return frozen(this.contactsByEmailStmt.all(email), toContact);
  }

  accountsByDomain(domain: string): readonly Account[] {
    return frozen(this.accountsByDomainStmt.all(domain), toAccount);
  }

  contactAccountIdsByDomain(domain: string): readonly string[] {
    const ids = this.accountIdsByContactDomainStmt.all(domain);
    return ids.length === 0 ? NONE : Object.freeze(ids);
  }

  leadsByEmail(email: string): readonly Lead[] {
    return frozen(this.leadsByEmailStmt.all(email), toLead);
  }

  leadsByDomain(domain: string): readonly Lead[] {
    return frozen(this.leadsByDomainStmt.all(domain, domain), toLead);
  }

  openDealsOwnedBy(ownerId: string): readonly Deal[] {
    return frozen(this.openDealsOwnedByStmt.all(ownerId), toDeal);
  }

  dealsByAccount(accountId: string): readonly Deal[] {
    return frozen(this.dealsByAccountStmt.all(accountId), toDeal);
  }

  account(id: string): Account | undefined {
    const row = this.accountStmt.get(id);
    return row ? toAccount(row) : undefined;
  }

  userByEmail(email: string): CrmUser | undefined {
    const row = this.userByEmailStmt.get(email);
    return row ? Object.freeze({ id: row.id, email: row.email ?? email, name: row.name }) : undefined;
  }
}
