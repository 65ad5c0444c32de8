/**
 * The domain index (DESIGN §1.1, §2): CRM users, accounts, contacts, leads, deals and contact
 * roles kept in the encrypted SQLite database, with every lookup the association cascade makes
 * served from bounded in-memory caches. SQLite is the durable copy; memory is the hot path.
 *
 * Keys stored and looked up are normalised (see `index-keys.ts`): `Jane+news@Bücher.DE` is
 * found as `jane@xn--bcher-kva.de`, an account website `https://www.acme.co.uk/about` as
 * `acme.co.uk`. Free-mail domains are never domain keys.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { CrmChangeBatch, CrmEntityKind, DomainIndex, IndexResolver } from '../core/ports.js';
import type { Account, Contact, CrmUser, Deal, Lead } from '../core/types.js';
import { BulkLoad, type IndexRecords } from './bulk-load.js';
import { exportSqliteRecords } from './index-export.js';
import type { IndexRecordOf } from './store-ports.js';
import { IndexReader } from './index-reader.js';
import { IndexWriter } from './index-writer.js';
import { KeyFilter } from './key-filter.js';
import { LookupCache } from './lookup-cache.js';
import type { IndexErasure } from './store-ports.js';

export interface DomainIndexOptions {
  /** Entries kept per lookup kind (contacts by email, accounts by domain, …); default 25,000. */
  cacheEntries?: number;
}

/** Records per kind, for `status` and the benchmarks. */
export interface IndexCounts {
  users: number;
  accounts: number;
  contacts: number;
  leads: number;
  deals: number;
  contactRoles: number;
}

/** A single value that may be absent, wrapped because the caches cannot hold `undefined`. */
interface Found<T> {
  value: T | undefined;
}

/**
 * Per lookup kind. Measured, a cached entry costs ~0.4 KB of heap (a frozen contact, account or
 * deal list), so eight full caches of 25k stay under ~90 MB. Keys the index does not hold at
 * all are answered by the key filter and take no cache entry.
 */
const DEFAULT_CACHE_ENTRIES = 25_000;
const NONE: readonly never[] = Object.freeze([]);
/** The table holding each kind of CRM record (for `present` reconciles). */
const ENTITY_TABLES: Record<CrmEntityKind, string> = { user: 'users', account: 'accounts', contact: 'contacts', lead: 'leads', deal: 'deals' };

export class SqliteDomainIndex implements DomainIndex, IndexResolver {
  private readonly reader: IndexReader;
  private readonly writer: IndexWriter;
  private readonly caches: { clear(): void }[] = [];
  private loading: BulkLoad | null = null;
  /** Every address and domain key; null until first needed after an open or an aborted load. */
  private filter: KeyFilter | null = null;

  private readonly contacts;
  private readonly accountsOnDomain;
  private readonly contactAccounts;
  private readonly leadsOnEmail;
  private readonly leadsOnDomain;
  private readonly deals;
  private readonly accountById;
  private readonly userOnEmail;

  /** `db` comes from `openDatabase` (schema migrated). */
  constructor(
    private readonly db: Database.Database,
    opts: DomainIndexOptions = {},
  ) {
    this.reader = new IndexReader(db);
    this.writer = new IndexWriter(db, (key) => this.filter?.add(key));
    const max = opts.cacheEntries ?? DEFAULT_CACHE_ENTRIES;
    const r = this.reader;
    const cache = <V extends object>(load: (key: string) => V) => {
      const c = new LookupCache<V>(max, load);
      this.caches.push(c);
      return c;
    };
    this.contacts = cache((k) => r.contactsByEmail(k));
    this.accountsOnDomain = cache((k) => r.accountsByDomain(k));
    this.contactAccounts = cache((k) => r.contactAccountIdsByDomain(k));
    this.leadsOnEmail = cache((k) => r.leadsByEmail(k));
    this.leadsOnDomain = cache((k) => r.leadsByDomain(k));
    this.deals = cache((k) => r.dealsByAccount(k));
    this.accountById = cache((k): Found<Account> => ({ value: r.account(k) }));
    this.userOnEmail = cache((k): Found<CrmUser> => ({ value: r.userByEmail(k) }));
  }

  /** In process, every lookup is already a cached read: the index resolves to itself. */
  resolveKeys(): DomainIndex {
    return this;
  }

  contactsByEmail(address: string): readonly Contact[] {
    return this.known(address) ? this.contacts.get(address) : NONE;
  }

  accountsByDomain(domain: string): readonly Account[] {
    return this.known(domain) ? this.accountsOnDomain.get(domain) : NONE;
  }

  contactAccountIdsByDomain(domain: string): readonly string[] {
    return this.known(domain) ? this.contactAccounts.get(domain) : NONE;
  }

  leadsByEmail(address: string): readonly Lead[] {
    return this.known(address) ? this.leadsOnEmail.get(address) : NONE;
  }

  leadsByDomain(domain: string): readonly Lead[] {
    return this.known(domain) ? this.leadsOnDomain.get(domain) : NONE;
  }

  /** Deals of the account, each with its `contactRoles`. */
  /** Open deals a CRM user owns: the first-run backfill starts at the oldest (DESIGN §3). Not cached: once per mailbox. */
  openDealsOwnedBy(ownerId: string): readonly Deal[] {
    return this.reader.openDealsOwnedBy(ownerId);
  }

  dealsByAccount(accountId: string): readonly Deal[] {
    return this.deals.get(accountId);
  }

  account(id: string): Account | undefined {
    return this.accountById.get(id).value;
  }

  userByEmail(address: string): CrmUser | undefined {
    return this.known(address) ? this.userOnEmail.get(address).value : undefined;
  }

  /** False when the key is certainly absent from the index (no query needed). */
  private known(key: string): boolean {
    if (this.loading) return true;
    this.filter ??= this.scanKeys();
    return this.filter.mayContain(key);
  }

  /** Fills the key filter from the tables (an index opened on an existing database). */
  private scanKeys(): KeyFilter {
    const counts = this.counts();
    const filter = new KeyFilter(Math.max(65_536, (counts.contacts + counts.leads) * 2 + counts.accounts * 2));
    const keys = this.db
      .prepare<[], string>(
        `SELECT email FROM contact_emails UNION ALL SELECT domain FROM contact_emails WHERE domain IS NOT NULL
         UNION ALL SELECT email FROM lead_emails UNION ALL SELECT domain FROM lead_emails WHERE domain IS NOT NULL
         UNION ALL SELECT domain FROM account_domains UNION ALL SELECT domain FROM lead_domains
         UNION ALL SELECT email FROM users WHERE email IS NOT NULL`,
      )
      .pluck();
    for (const key of keys.iterate()) filter.add(key);
    return filter;
  }

  /**
   * Replaces the whole index with a snapshot in one transaction. Any object with iterable
   * `users`, `accounts`, … fits (a `CrmSnapshot`, or generators that never hold the whole
   * tenant in memory). Returns the number of records loaded.
   */
  loadSnapshot(snapshot: IndexRecords): number {
    const load = this.beginBulkLoad();
    try {
      load.add({
        users: snapshot.users,
        accounts: snapshot.accounts,
        contacts: snapshot.contacts,
        leads: snapshot.leads,
        deals: snapshot.deals,
      });
      return load.commit();
    } catch (err) {
      load.abort();
      throw err;
    }
  }

  /**
   * Starts replacing the index: `add()` batches as they arrive from the CRM, then `commit()`
   * (or `abort()`). Lookups made before the commit see the partial load; the sync makes none.
   */
  beginBulkLoad(): BulkLoad {
    if (this.loading) throw new Error('a bulk load is already in progress on this index');
    const load = new BulkLoad(this.db, this.writer, (committed) => {
      this.loading = null;
      this.dropCachedLookups();
      if (!committed) this.filter = null;
    });
    this.dropCachedLookups();
    // The tables are emptied: the filter starts empty and learns every key as it is written.
    this.filter = new KeyFilter();
    this.loading = load;
    return load;
  }

  /**
   * Applies one batch of CRM changes in a transaction: upserts by id (a record's emails,
   * domains and phones replaced), `contactRoles` replacing each named deal's roles, then
   * deletions (with the record's emails, domains and roles). A `present` list first deletes
   * the held records of its kind that it does not name. Caches are cleared afterwards.
   */
  applyChanges(batch: CrmChangeBatch): void {
    if (this.loading) throw new Error('cannot apply changes while a bulk load is in progress');
    const w = this.writer;
    try {
      this.db.transaction(() => {
        for (const p of batch.present ?? []) {
          const live = new Set(p.ids);
          const held = this.db.prepare(`SELECT id FROM ${ENTITY_TABLES[p.kind]}`).pluck().all() as string[];
          for (const id of held) if (!live.has(id)) w.delete(p.kind, id);
        }
        for (const u of batch.users ?? []) w.user(u);
        for (const a of batch.accounts ?? []) w.account(a, false);
        for (const c of batch.contacts ?? []) w.contact(c, false);
        for (const l of batch.leads ?? []) w.lead(l, false);
        for (const d of batch.deals ?? []) w.deal(d, false);
        for (const r of batch.contactRoles ?? []) w.roles(r.dealId, r.contactIds);
        for (const d of batch.deleted ?? []) w.delete(d.kind, String(d.id));
      }).immediate();
    } catch (err) {
      // Keys of the rolled-back batch may be in the filter: harmless extra "maybe"s.
      this.dropCachedLookups();
      throw err;
    }
    // Clearing everything is the simplest correct invalidation: a change to one contact
    // touches lookups by address, by domain and through its account's deals. New keys went
    // into the filter as they were written.
    this.dropCachedLookups();
  }

  counts(): IndexCounts {
    const count = (table: string) => this.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return {
      users: count('users'),
      accounts: count('accounts'),
      contacts: count('contacts'),
      leads: count('leads'),
      deals: count('deals'),
      contactRoles: count('deal_contact_roles'),
    };
  }

  /** The records of one kind, normalised as stored, in pages ordered by id (`crm snapshot`). */
  exportRecords<K extends CrmEntityKind>(kind: K): AsyncIterable<IndexRecordOf[K][]> {
    return exportSqliteRecords(this.db, kind);
  }

  /**
   * Privacy erase: the address leaves each contact and lead holding it; one left with none goes
   * whole (child rows cascade; contact roles have no foreign key). Users are staff and stay.
   */
  eraseAddress(address: string): IndexErasure {
    const { db } = this;
    const counts: IndexErasure = { contactsUpdated: 0, contactsRemoved: 0, leadsUpdated: 0, leadsRemoved: 0 };
    db.transaction(() => {
      for (const kind of ['contact', 'lead'] as const) {
        const table = `${kind}s`;
        const emails = `${kind}_emails`;
        const owners = db
          .prepare<[string], { id: string; emails: string }>(`SELECT id, emails FROM ${table} WHERE id IN (SELECT ${kind}_id FROM ${emails} WHERE email = ?)`)
          .all(address);
        for (const row of owners) {
          const rest = (JSON.parse(row.emails) as string[]).filter((e) => e !== address);
          if (rest.length === 0) {
            db.prepare(`DELETE FROM ${table} WHERE id = ?`).run(row.id);
            if (kind === 'contact') db.prepare('DELETE FROM deal_contact_roles WHERE contact_id = ?').run(row.id);
            counts[`${kind}sRemoved`]++;
          } else {
            db.prepare(`UPDATE ${table} SET emails = ? WHERE id = ?`).run(JSON.stringify(rest), row.id);
            db.prepare(`DELETE FROM ${emails} WHERE ${kind}_id = ? AND email = ?`).run(row.id, address);
            counts[`${kind}sUpdated`]++;
          }
        }
      }
    }).immediate();
    this.clearCaches();
    return counts;
  }

  /** Forgets everything held in memory (after a change made to the tables outside this object). */
  clearCaches(): void {
    this.dropCachedLookups();
    this.filter = null;
  }

  private dropCachedLookups(): void {
    for (const c of this.caches) c.clear();
  }
}
