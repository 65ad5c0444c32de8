/**
 * A deterministic CRM tenant of any size, produced lazily so a million contacts never exist as
 * one array: both CRM emulators seed from it (or from a `CrmSnapshot`, which has the same shape).
 * The same spec always yields the same entities, ids and dates.
 *
 * Example: `{ accounts: 2, contactsPerAccount: 2 }` gives accounts `acct-1`, `acct-2` on
 * `company1.example`, `company2.example`, and contacts `contact-1@company1.example` … .
 */
import type { Account, Contact, CrmSnapshot, CrmUser, Deal, Lead } from '../../core/types.js';
import { prng } from './prng.js';

/** The entities of a tenant, each as a re-iterable sequence. */
export interface TenantSource {
  companyDomains: readonly string[];
  users: Iterable<CrmUser>;
  accounts: Iterable<Account>;
  contacts: Iterable<Contact>;
  leads: Iterable<Lead>;
  deals: Iterable<Deal>;
}

export interface TenantSpec {
  accounts: number;
  /** Contacts are spread evenly over accounts; the total is `accounts × contactsPerAccount`. */
  contactsPerAccount: number;
  /** Deals per account, the first of them open. */
  dealsPerAccount?: number;
  /** Or a total number of deals, dealt round-robin over the accounts (overrides the above). */
  deals?: number;
  leads?: number;
  users?: number;
  seed?: number;
  /** Company domain of the tenant's own users. */
  companyDomain?: string;
  /** Creation date of every generated entity; modification times follow it by the entity index. */
  epoch?: string;
}

const iterable = <T>(make: () => Generator<T>): Iterable<T> => ({ [Symbol.iterator]: make });

/** Builds the lazy tenant described by `spec`. */
export function generateTenant(spec: TenantSpec): TenantSource {
  const companyDomain = spec.companyDomain ?? 'mailbridge-demo.example';
  const userCount = spec.users ?? 5;
  const epoch = Date.parse(spec.epoch ?? '2026-01-01T00:00:00Z');
  const dealsPerAccount = spec.dealsPerAccount ?? 0;
  const seed = spec.seed ?? 1;
  const userId = (i: number) => `user-${(i % userCount) + 1}`;
  return {
    companyDomains: [companyDomain],
    users: iterable(function* () {
      for (let i = 1; i <= userCount; i++) yield { id: `user-${i}`, email: `seller${i}@${companyDomain}`, name: `Seller ${i}` };
    }),
    accounts: iterable(function* () {
      for (let i = 1; i <= spec.accounts; i++) {
        yield {
          id: `acct-${i}`,
          name: `Company ${i}`,
          domains: i % 10 === 0 ? [`https://www.company${i}.example`, `company${i}-group.example`] : [`company${i}.example`],
          ownerId: userId(i),
        };
      }
    }),
    contacts: iterable(function* () {
      let n = 0;
      for (let a = 1; a <= spec.accounts; a++) {
        for (let c = 0; c < spec.contactsPerAccount; c++) {
          n++;
          yield {
            id: `contact-${n}`,
            emails: [`contact-${n}@company${a}.example`],
            phones: n % 3 === 0 ? [`+1 555 ${String(n % 10_000).padStart(4, '0')}`] : [],
            accountId: `acct-${a}`,
            name: `Contact ${n}`,
          };
        }
      }
    }),
    leads: iterable(function* () {
      for (let i = 1; i <= (spec.leads ?? 0); i++) {
        yield { id: `lead-${i}`, emails: [`lead-${i}@prospect${i}.example`], phones: [], company: `Prospect ${i}`, domain: `prospect${i}.example`, name: `Lead ${i}` };
      }
    }),
    deals: iterable(function* () {
      const random = prng(seed);
      const total = spec.deals ?? spec.accounts * dealsPerAccount;
      for (let n = 1; n <= total; n++) {
        // Round-robin over accounts: the k-th deal of an account is open when k is 0.
        const a = ((n - 1) % spec.accounts) + 1;
        const k = Math.floor((n - 1) / spec.accounts);
        const created = epoch + n * 1000;
        const isClosed = k > 0 && random() < 0.7;
        const firstContact = (a - 1) * spec.contactsPerAccount + 1;
        yield {
          id: `deal-${n}`,
          accountId: `acct-${a}`,
          name: `Deal ${n}`,
          isClosed,
          closeDate: isClosed ? new Date(created + 30 * 86_400_000).toISOString().slice(0, 10) : null,
          createdDate: new Date(created).toISOString(),
          lastModified: new Date(created + 60_000).toISOString(),
          ownerId: userId(a),
          contactRoles: spec.contactsPerAccount > 0 ? [`contact-${firstContact}`] : [],
        };
      }
    }),
  };
}

/** A snapshot is already a tenant source. */
export function tenantFromSnapshot(snapshot: CrmSnapshot): TenantSource {
  return snapshot;
}
