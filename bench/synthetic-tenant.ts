/**
 * A deterministic synthetic CRM tenant for the benchmarks: every record is computed from its
 * index and the seed, so the same options always give the same tenant, any record can be
 * produced on its own (`contact(i)`), and the whole tenant streams through iterables without
 * ever being held in memory.
 *
 * Shape (defaults): 1,000,000 contacts, 200,000 accounts (1–2 domains each, some stored as
 * URLs), 50,000 leads, 100,000 deals (close dates spread ±2 years around `referenceDate`,
 * 1–3 contact roles), 200 users on `example-seller.com`. Contact `i` belongs to account
 * `i % accounts` and is written `first.last<i>@<account domain>`; about 4% are on free-mail
 * (half of those without an account).
 */
import type { Account, Blocklist, Contact, CrmSnapshot, CrmUser, Deal, Lead } from '../src/core/types.js';

export interface TenantOptions {
  contacts?: number;
  accounts?: number;
  leads?: number;
  deals?: number;
  users?: number;
  seed?: number;
  /** Middle of the deal dates (ISO date). */
  referenceDate?: string;
}

export const COMPANY_DOMAIN = 'example-seller.com';

const FIRST = ['anna', 'ben', 'carla', 'david', 'eva', 'felix', 'gina', 'hugo', 'ines', 'jonas', 'kara', 'liam', 'maya', 'noah', 'olga', 'paul', 'quinn', 'rosa', 'sam', 'tara'];
const LAST = ['adler', 'brown', 'costa', 'dubois', 'evans', 'fischer', 'garcia', 'huber', 'ito', 'jensen', 'kowalski', 'lopez', 'meyer', 'novak', 'olsen', 'peters', 'rossi', 'schmidt', 'tanaka', 'weber'];
const WORDS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'vandelay', 'stark', 'wayne', 'tyrell', 'cyberdyne', 'soylent', 'wonka', 'gringotts', 'oscorp', 'monarch', 'duff'];
const SUFFIXES = ['.com', '.co.uk', '.de', '.io', '.net', '.com.au', '.fr', '.nl'];
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'outlook.com', 'gmx.de', 'hotmail.co.uk'];
const DAY_MS = 86_400_000;

/** A 32-bit hash of (seed, index, stream): cheap, well mixed, and random-access. */
function hash(seed: number, index: number, stream: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35) ^ Math.imul(stream + 7, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function pick<T>(list: readonly T[], h: number): T {
  return list[h % list.length]!;
}

function iterable<T>(count: number, make: (i: number) => T): Iterable<T> {
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < count; i++) yield make(i);
    },
  };
}

export class SyntheticTenant {
  readonly sizes: Required<Omit<TenantOptions, 'seed' | 'referenceDate'>>;
  readonly companyDomains = [COMPANY_DOMAIN];
  readonly blocklist: Blocklist = {
    addresses: ['offers@bulk-deals.example.net'],
    domains: ['spam-vendor.example.org'],
    phrases: ['unsubscribe now'],
  };
  private readonly seed: number;
  private readonly reference: number;

  constructor(opts: TenantOptions = {}) {
    this.sizes = {
      contacts: opts.contacts ?? 1_000_000,
      accounts: opts.accounts ?? 200_000,
      leads: opts.leads ?? 50_000,
      deals: opts.deals ?? 100_000,
      users: opts.users ?? 200,
    };
    if (this.sizes.accounts < 1 || this.sizes.users < 1) throw new Error('a tenant needs an account and a user');
    this.seed = opts.seed ?? 42;
    this.reference = Date.parse(`${opts.referenceDate ?? '2026-06-01'}T00:00:00Z`);
  }

  /** Total records (users, accounts, contacts, leads, deals). */
  get records(): number {
    const s = this.sizes;
    return s.users + s.accounts + s.contacts + s.leads + s.deals;
  }

  /** Id of account `i` (contact, deal and user ids follow the same pattern). */
  accountId(i: number): string {
    return `001A${i}`;
  }

  contactId(i: number): string {
    return `003C${i}`;
  }

  /** User `i`, on the company domain. */
  user(i: number): CrmUser {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    return { id: `005U${i}`, email: `${first}.${last}${i}@${COMPANY_DOMAIN}`, name: `${cap(first)} ${cap(last)}` };
  }

  /** The account's domains as the CRM would hold them; the first is the contacts' domain. */
  accountDomains(i: number): string[] {
    const word = pick(WORDS, hash(this.seed, i, 1));
    const primary = `${word}${i}${pick(SUFFIXES, hash(this.seed, i, 2))}`;
    // About a third carry a second domain, stored as a website URL the index must normalise.
    return hash(this.seed, i, 3) % 3 === 0 ? [primary, `https://www.${word}-group${i}.com/about`] : [primary];
  }

  /** Account `i`, owned by a user. */
  account(i: number): Account {
    const domains = this.accountDomains(i);
    const word = domains[0]!.split(/\d/, 1)[0]!;
    return {
      id: this.accountId(i),
      name: `${cap(word)} ${i} Ltd`,
      domains,
      ownerId: this.user(hash(this.seed, i, 4) % this.sizes.users).id,
    };
  }

  /** Index of the contact's account, or null for a contact without one. */
  contactAccountIndex(i: number): number | null {
    return hash(this.seed, i, 10) % 50 === 0 ? null : i % this.sizes.accounts;
  }

  /** The contact's primary address, as stored in the CRM. */
  contactEmail(i: number): string {
    const h = hash(this.seed, i, 11);
    const first = pick(FIRST, h);
    const last = pick(LAST, h >>> 8);
    const account = this.contactAccountIndex(i);
    const freeMail = account === null || h % 50 === 1;
    const domain = freeMail ? pick(FREE_MAIL, h >>> 16) : this.accountDomains(account)[0]!;
    return `${first}.${last}${i}@${domain}`;
  }

  /** Contact `i`: its primary address, sometimes a case/plus-tag variant, one phone. */
  contact(i: number): Contact {
    const email = this.contactEmail(i);
    const h = hash(this.seed, i, 12);
    const [local, domain] = email.split('@') as [string, string];
    // Some CRM entries carry case and plus-tags the index must fold.
    const emails = h % 10 === 0 ? [email, `${cap(local)}+crm@${domain.toUpperCase()}`] : [email];
    const account = this.contactAccountIndex(i);
    return {
      id: this.contactId(i),
      accountId: account === null ? null : this.accountId(account),
      name: local.replace(/\d+$/, '').split('.').map(cap).join(' '),
      emails,
      phones: [`+44 20 7${String(h % 1_000_000).padStart(6, '0')}`],
    };
  }

  /** Lead `i` on its own company domain (10% on free-mail, without a domain). */
  lead(i: number): Lead {
    const h = hash(this.seed, i, 20);
    const freeMail = h % 10 === 0;
    const domain = `prospect${i}${pick(SUFFIXES, h >>> 4)}`;
    const first = pick(FIRST, h >>> 8);
    const last = pick(LAST, h >>> 16);
    return {
      id: `00QL${i}`,
      company: `Prospect ${i}`,
      name: `${cap(first)} ${cap(last)}`,
      emails: [`${first}.${last}${i}@${freeMail ? pick(FREE_MAIL, h) : domain}`],
      phones: [],
      domain: freeMail ? null : domain,
    };
  }

  /** Deal `i`: 60% closed, on a random account, with 1–3 of that account's contacts in roles. */
  deal(i: number): Deal {
    const h = hash(this.seed, i, 30);
    const account = h % this.sizes.accounts;
    const isClosed = h % 5 < 3;
    // Close (or expected close) within ±2 years of the reference date; created up to a year before.
    const closeAt = this.reference + ((hash(this.seed, i, 31) % 1461) - 730) * DAY_MS;
    const createdAt = closeAt - ((hash(this.seed, i, 32) % 365) + 1) * DAY_MS;
    const modifiedAt = isClosed ? closeAt : Math.min(this.reference, closeAt) - (h % 30) * DAY_MS;
    const perAccount = Math.max(1, Math.floor(this.sizes.contacts / this.sizes.accounts));
    const roles: string[] = [];
    for (let r = 0; r < (hash(this.seed, i, 33) % 3) + 1 && r < perAccount; r++) {
      const contact = account + ((hash(this.seed, i, 34 + r) % perAccount) * this.sizes.accounts);
      const id = this.contactId(contact);
      if (contact < this.sizes.contacts && !roles.includes(id)) roles.push(id);
    }
    return {
      id: `006D${i}`,
      accountId: this.accountId(account),
      name: `${isClosed ? 'Deal' : 'Renewal'} ${i}`,
      isClosed,
      closeDate: isClosed ? isoDay(closeAt) : null,
      createdDate: new Date(createdAt).toISOString(),
      lastModified: new Date(Math.max(modifiedAt, createdAt)).toISOString(),
      ownerId: this.user(hash(this.seed, i, 35) % this.sizes.users).id,
      contactRoles: roles,
    };
  }

  /** Every record of a kind, generated on each iteration (nothing is held). */
  get users(): Iterable<CrmUser> {
    return iterable(this.sizes.users, (i) => this.user(i));
  }
  get accounts(): Iterable<Account> {
    return iterable(this.sizes.accounts, (i) => this.account(i));
  }
  get contacts(): Iterable<Contact> {
    return iterable(this.sizes.contacts, (i) => this.contact(i));
  }
  get leads(): Iterable<Lead> {
    return iterable(this.sizes.leads, (i) => this.lead(i));
  }
  get deals(): Iterable<Deal> {
    return iterable(this.sizes.deals, (i) => this.deal(i));
  }

  /** The whole tenant as a plain snapshot (for small tenants: it holds every record). */
  toSnapshot(): CrmSnapshot {
    return {
      companyDomains: [...this.companyDomains],
      users: [...this.users],
      accounts: [...this.accounts],
      contacts: [...this.contacts],
      leads: [...this.leads],
      deals: [...this.deals],
      blocklist: structuredClone(this.blocklist),
    };
  }
}

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
