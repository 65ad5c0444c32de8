/**
 * Migration 1: the domain index tables (DESIGN §1.1, §2). Keys are stored normalised:
 * addresses as `normalizeAddress` gives them, domains registrable and ASCII. Since migration 5
 * free-mail domains are stored like any other; matching skips them (`associate`).
 *
 * Parent tables are WITHOUT ROWID (the CRM id is the only key, stored once) and carry their
 * record's normalised addresses, phones and domains as JSON arrays, so a lookup reads one key
 * entry and one record. Every page read is decrypted and authenticated; measured, reading the
 * lists from the child tables made a cold contact lookup ~2.7× slower. The child tables
 * (emails, domains, phones) are the keys the lookups search, through covering indexes that a
 * bulk load drops and rebuilds.
 */
import type Database from 'better-sqlite3-multiple-ciphers';

/** Every table of the domain index, children before parents (the order to clear them in). */
export const DOMAIN_INDEX_TABLES = [
  'deal_contact_roles',
  'deals',
  'lead_domains',
  'lead_phones',
  'lead_emails',
  'leads',
  'contact_phones',
  'contact_emails',
  'contacts',
  'account_domains',
  'accounts',
  'users',
] as const;

/**
 * Indexes a bulk load maintains row by row instead of dropping and rebuilding. Sorts run in
 * memory (temporary files would be unencrypted), and sorting the 1.1M address keys of a
 * 1M-contact tenant peaked ~60 MB higher, for about the same total time as inserting into them.
 */
export const INDEXES_KEPT_DURING_BULK_LOAD: readonly string[] = ['contact_emails_by_email', 'contact_emails_by_domain'];

/** Migration 1's `up`: creates the domain index tables and the indexes the lookups use. */
export function createDomainIndexSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      email TEXT,
      name TEXT
    ) WITHOUT ROWID;
    CREATE INDEX users_by_email ON users (email);

    CREATE TABLE accounts (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      owner_id TEXT,
      domains TEXT NOT NULL DEFAULT '[]'
    ) WITHOUT ROWID;
    CREATE TABLE account_domains (
      account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      domain TEXT NOT NULL
    );
    CREATE INDEX account_domains_by_domain ON account_domains (domain, account_id);
    CREATE INDEX account_domains_by_account ON account_domains (account_id);

    CREATE TABLE contacts (
      id TEXT PRIMARY KEY,
      account_id TEXT,
      name TEXT,
      emails TEXT NOT NULL DEFAULT '[]',
      phones TEXT NOT NULL DEFAULT '[]'
    ) WITHOUT ROWID;
    CREATE TABLE contact_emails (
      contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
      email TEXT NOT NULL,
      domain TEXT
    );
    CREATE INDEX contact_emails_by_email ON contact_emails (email, contact_id);
    CREATE INDEX contact_emails_by_contact ON contact_emails (contact_id);
    CREATE INDEX contact_emails_by_domain ON contact_emails (domain, contact_id) WHERE domain IS NOT NULL;
    CREATE TABLE contact_phones (
      contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
      phone TEXT NOT NULL
    );
    CREATE INDEX contact_phones_by_contact ON contact_phones (contact_id);

    CREATE TABLE leads (
      id TEXT PRIMARY KEY,
      company TEXT,
      name TEXT,
      domain TEXT,
      emails TEXT NOT NULL DEFAULT '[]',
      phones TEXT NOT NULL DEFAULT '[]'
    ) WITHOUT ROWID;
    CREATE TABLE lead_emails (
      lead_id TEXT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
      email TEXT NOT NULL,
      domain TEXT
    );
    CREATE INDEX lead_emails_by_email ON lead_emails (email, lead_id);
    CREATE INDEX lead_emails_by_lead ON lead_emails (lead_id);
    CREATE INDEX lead_emails_by_domain ON lead_emails (domain, lead_id) WHERE domain IS NOT NULL;
    CREATE TABLE lead_phones (
      lead_id TEXT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
      phone TEXT NOT NULL
    );
    CREATE INDEX lead_phones_by_lead ON lead_phones (lead_id);
    CREATE TABLE lead_domains (
      lead_id TEXT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
      domain TEXT NOT NULL
    );
    CREATE INDEX lead_domains_by_domain ON lead_domains (domain, lead_id);
    CREATE INDEX lead_domains_by_lead ON lead_domains (lead_id);

    CREATE TABLE deals (
      id TEXT PRIMARY KEY,
      account_id TEXT,
      name TEXT NOT NULL,
      is_closed INTEGER NOT NULL,
      close_date TEXT,
      created_date TEXT NOT NULL,
      last_modified TEXT NOT NULL,
      owner_id TEXT
    ) WITHOUT ROWID;
    CREATE INDEX deals_by_account ON deals (account_id);
    -- No foreign key: roles may arrive before their deal or contact in an incremental pull.
    CREATE TABLE deal_contact_roles (
      deal_id TEXT NOT NULL,
      contact_id TEXT NOT NULL,
      PRIMARY KEY (deal_id, contact_id)
    ) WITHOUT ROWID;
    CREATE INDEX deal_contact_roles_by_contact ON deal_contact_roles (contact_id);
  `);
}
