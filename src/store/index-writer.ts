/**
 * Writes CRM records into the domain index tables with prepared statements. Used by both the
 * incremental path (`applyChanges`: upsert, replacing a record's emails/domains/phones) and the
 * bulk path (tables just emptied: plain inserts, no per-record deletes).
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { CrmEntityKind } from '../core/ports.js';
import type { Account, Contact, CrmUser, Deal, Lead } from '../core/types.js';
import { normalizeAddress } from '../core/address.js';
import { domainKeys, emailKeys, type EmailKey } from './index-keys.js';

function prepareStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    user: p(`INSERT INTO users (id, email, name) VALUES (?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name`),
    account: p(`INSERT INTO accounts (id, name, owner_id, domains) VALUES (?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, owner_id = excluded.owner_id,
                  domains = excluded.domains`),
    accountDomain: p('INSERT INTO account_domains (account_id, domain) VALUES (?, ?)'),
    clearAccountDomains: p('DELETE FROM account_domains WHERE account_id = ?'),
    contact: p(`INSERT INTO contacts (id, account_id, name, emails, phones) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, name = excluded.name,
                  emails = excluded.emails, phones = excluded.phones`),
    contactEmail: p('INSERT INTO contact_emails (contact_id, email, domain) VALUES (?, ?, ?)'),
    contactPhone: p('INSERT INTO contact_phones (contact_id, phone) VALUES (?, ?)'),
    clearContactEmails: p('DELETE FROM contact_emails WHERE contact_id = ?'),
    clearContactPhones: p('DELETE FROM contact_phones WHERE contact_id = ?'),
    lead: p(`INSERT INTO leads (id, company, name, domain, emails, phones) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET company = excluded.company, name = excluded.name,
               domain = excluded.domain, emails = excluded.emails, phones = excluded.phones`),
    leadEmail: p('INSERT INTO lead_emails (lead_id, email, domain) VALUES (?, ?, ?)'),
    leadPhone: p('INSERT INTO lead_phones (lead_id, phone) VALUES (?, ?)'),
    leadDomain: p('INSERT INTO lead_domains (lead_id, domain) VALUES (?, ?)'),
    clearLeadEmails: p('DELETE FROM lead_emails WHERE lead_id = ?'),
    clearLeadPhones: p('DELETE FROM lead_phones WHERE lead_id = ?'),
    clearLeadDomains: p('DELETE FROM lead_domains WHERE lead_id = ?'),
    deal: p(`INSERT INTO deals (id, account_id, name, is_closed, close_date, created_date, last_modified, owner_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, name = excluded.name,
               is_closed = excluded.is_closed, close_date = excluded.close_date,
               created_date = excluded.created_date, last_modified = excluded.last_modified,
               owner_id = excluded.owner_id`),
    role: p('INSERT OR IGNORE INTO deal_contact_roles (deal_id, contact_id) VALUES (?, ?)'),
    clearDealRoles: p('DELETE FROM deal_contact_roles WHERE deal_id = ?'),
    clearContactRoles: p('DELETE FROM deal_contact_roles WHERE contact_id = ?'),
    deleteUser: p('DELETE FROM users WHERE id = ?'),
    deleteAccount: p('DELETE FROM accounts WHERE id = ?'),
    deleteContact: p('DELETE FROM contacts WHERE id = ?'),
    deleteLead: p('DELETE FROM leads WHERE id = ?'),
    deleteDeal: p('DELETE FROM deals WHERE id = ?'),
  };
}

/** Upserts and deletes of index records; the caller owns the transaction. */
export class IndexWriter {
  private readonly s: ReturnType<typeof prepareStatements>;

  /** `onKey` sees every address and domain key written (for the index's key filter). */
  constructor(
    db: Database.Database,
    private readonly onKey: (key: string) => void = () => {},
  ) {
    this.s = prepareStatements(db);
  }

  private addressKey(k: EmailKey): void {
    this.onKey(k.email);
    if (k.domain) this.onKey(k.domain);
  }

  user(u: CrmUser): void {
    const email = normalizeAddress(u.email);
    if (email) this.onKey(email);
    this.s.user.run(String(u.id), email, u.name ?? null);
  }

  /**
   * `fresh`: the tables were emptied for a bulk load, so there is nothing to replace. Otherwise
   * the record's child rows (emails, domains, phones) are replaced, the way a CRM update reads.
   */
  account(a: Account, fresh: boolean): void {
    const id = String(a.id);
    const domains = domainKeys(a.domains);
    this.s.account.run(id, a.name ?? '', a.ownerId ?? null, JSON.stringify(domains));
    if (!fresh) this.s.clearAccountDomains.run(id);
    for (const domain of domains) {
      this.onKey(domain);
      this.s.accountDomain.run(id, domain);
    }
  }

  contact(c: Contact, fresh: boolean): void {
    const id = String(c.id);
    const emails = emailKeys(c.emails);
    const phones = distinctPhones(c.phones);
    this.s.contact.run(id, c.accountId ?? null, c.name ?? null, emailList(emails), JSON.stringify(phones));
    if (!fresh) {
      this.s.clearContactEmails.run(id);
      this.s.clearContactPhones.run(id);
    }
    for (const k of emails) {
      this.addressKey(k);
      this.s.contactEmail.run(id, k.email, k.domain);
    }
    for (const phone of phones) this.s.contactPhone.run(id, phone);
  }

  lead(l: Lead, fresh: boolean): void {
    const id = String(l.id);
    const emails = emailKeys(l.emails);
    const phones = distinctPhones(l.phones);
    const domains = domainKeys([l.domain]);
    this.s.lead.run(id, l.company ?? null, l.name ?? null, domains[0] ?? null, emailList(emails), JSON.stringify(phones));
    if (!fresh) {
      this.s.clearLeadEmails.run(id);
      this.s.clearLeadPhones.run(id);
      this.s.clearLeadDomains.run(id);
    }
    for (const k of emails) {
      this.addressKey(k);
      this.s.leadEmail.run(id, k.email, k.domain);
    }
    for (const phone of phones) this.s.leadPhone.run(id, phone);
    for (const domain of domains) {
      this.onKey(domain);
      this.s.leadDomain.run(id, domain);
    }
  }

  /**
   * A deal's non-empty `contactRoles` become its role set; an empty list leaves stored roles
   * alone, because adapters that pull roles separately (Salesforce OpportunityContactRole) send
   * deals without them and the roles through `roles()`.
   */
  deal(d: Deal, fresh: boolean): void {
    const id = String(d.id);
    this.s.deal.run(
      id,
      d.accountId ?? null,
      d.name ?? '',
      d.isClosed ? 1 : 0,
      d.closeDate ?? null,
      d.createdDate,
      d.lastModified,
      d.ownerId ?? null,
    );
    const roles = d.contactRoles ?? [];
    if (roles.length > 0) this.roles(id, roles, fresh);
  }

  /** Replaces the contact-role set of a deal. */
  roles(dealId: string, contactIds: readonly string[], fresh = false): void {
    const id = String(dealId);
    if (!fresh) this.s.clearDealRoles.run(id);
    for (const contactId of contactIds) this.s.role.run(id, String(contactId));
  }

  /** Removes a record with its emails, domains, phones and contact roles. */
  delete(kind: CrmEntityKind, id: string): void {
    switch (kind) {
      case 'user':
        this.s.deleteUser.run(id);
        return;
      case 'account':
        this.s.deleteAccount.run(id);
        return;
      case 'contact':
        this.s.deleteContact.run(id);
        this.s.clearContactRoles.run(id);
        return;
      case 'lead':
        this.s.deleteLead.run(id);
        return;
      case 'deal':
        this.s.deleteDeal.run(id);
        this.s.clearDealRoles.run(id);
        return;
    }
  }
}

function emailList(keys: readonly EmailKey[]): string {
  return JSON.stringify(keys.map((k) => k.email));
}

/** A record's phones trimmed, blanks and repeats dropped, in the CRM's order. */
export function distinctPhones(raw: readonly string[] | null | undefined): string[] {
  if (!raw || raw.length === 0) return [];
  const out: string[] = [];
  for (const value of raw) {
    const phone = typeof value === 'string' ? value.trim() : '';
    if (phone && !out.includes(phone)) out.push(phone);
  }
  return out;
}
