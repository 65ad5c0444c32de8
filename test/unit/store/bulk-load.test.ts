import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeAddress, registrableDomain } from '../../../src/core/address.js';
import { openDatabase, type SqliteDatabase } from '../../../src/store/database.js';
import { SqliteDomainIndex } from '../../../src/store/domain-index.js';
import { SyntheticTenant } from '../../../bench/synthetic-tenant.js';

const tenant = new SyntheticTenant({ contacts: 2_000, accounts: 400, leads: 100, deals: 200, users: 5 });

function* slices<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function indexNames(database: SqliteDatabase): string[] {
  return database.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").pluck().all() as string[];
}

let db: SqliteDatabase;
let index: SqliteDomainIndex;
beforeEach(() => {
  db = openDatabase({ path: ':memory:' });
  index = new SqliteDomainIndex(db);
});
afterEach(() => db.close());

describe('bulk load in batches', () => {
  it('a first load streamed in pages gives the same index as the snapshot', () => {
    const indexesBefore = indexNames(db);
    expect(indexesBefore.length).toBeGreaterThan(10);
    const load = index.beginBulkLoad();
    expect(indexNames(db).length).toBeLessThan(indexesBefore.length);
    load.add({ users: tenant.users });
    for (const accounts of slices(tenant.accounts, 150)) load.add({ accounts });
    for (const contacts of slices(tenant.contacts, 300)) load.add({ contacts });
    for (const leads of slices(tenant.leads, 64)) load.add({ leads });
    for (const deals of slices(tenant.deals, 64)) load.add({ deals });
    expect(load.commit()).toBe(tenant.records);

    expect(index.counts()).toMatchObject({ users: 5, accounts: 400, contacts: 2_000, leads: 100, deals: 200 });
    for (const i of [0, 1, 399, 400, 1_234, 1_999]) {
      const contact = tenant.contact(i);
      const found = index.contactsByEmail(normalizeAddress(contact.emails[0])!);
      expect(found.map((c) => c.id)).toContain(contact.id);
      expect(found.find((c) => c.id === contact.id)?.accountId).toBe(contact.accountId);
    }
    for (const i of [0, 3, 399]) {
      const account = tenant.account(i);
      expect(index.accountsByDomain(registrableDomain(account.domains[0])!).map((a) => a.id)).toContain(account.id);
    }
    const deal = tenant.deal(7);
    const stored = index.dealsByAccount(deal.accountId!).find((d) => d.id === deal.id);
    expect(stored?.contactRoles).toEqual([...deal.contactRoles].sort());
    // Every index dropped for the load is back.
    expect(indexNames(db)).toEqual(indexesBefore);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT account_id FROM account_domains WHERE domain = ?').all('x') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/account_domains_by_domain/);
  });

  it('abort leaves the previous index untouched', () => {
    index.loadSnapshot(tenant);
    const someone = normalizeAddress(tenant.contactEmail(42))!;
    expect(index.contactsByEmail(someone)).toHaveLength(1);
    const load = index.beginBulkLoad();
    load.add({ accounts: [{ id: 'X1', name: 'Other', domains: ['other.example'], ownerId: null }] });
    load.abort();
    expect(index.contactsByEmail(someone)).toHaveLength(1);
    expect(index.accountsByDomain('other.example')).toEqual([]);
    expect(index.counts().contacts).toBe(2_000);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('one load at a time, and no incremental changes during it', () => {
    const load = index.beginBulkLoad();
    expect(() => index.beginBulkLoad()).toThrow(/already/);
    expect(() => index.applyChanges({ cursor: 'x' })).toThrow(/bulk load/);
    load.commit();
    expect(() => load.add({ users: [] })).toThrow(/committed/);
    index.applyChanges({ users: [{ id: 'U9', email: 'u9@example-seller.com' }], cursor: 'y' });
    expect(index.userByEmail('u9@example-seller.com')?.id).toBe('U9');
  });

  it('refuses to start inside the caller\'s transaction, leaving it intact', () => {
    index.loadSnapshot(tenant);
    db.exec('BEGIN');
    db.prepare("INSERT INTO users (id, email) VALUES ('U7', 'u7@example-seller.com')").run();
    expect(() => index.beginBulkLoad()).toThrow(/inside another transaction/);
    expect(db.inTransaction).toBe(true);
    db.exec('COMMIT');
    expect(index.counts().contacts).toBe(2_000);
    expect(db.prepare("SELECT email FROM users WHERE id = 'U7'").pluck().get()).toBe('u7@example-seller.com');
  });
});

describe('synthetic tenant', () => {
  it('is deterministic and random-access', () => {
    const again = new SyntheticTenant({ contacts: 2_000, accounts: 400, leads: 100, deals: 200, users: 5 });
    expect([...again.contacts][777]).toEqual(tenant.contact(777));
    expect(tenant.deal(5)).toEqual(again.deal(5));
    expect(tenant.user(0).email.endsWith('@example-seller.com')).toBe(true);
    const c = tenant.contact(10);
    if (c.accountId) expect(c.emails[0]).toMatch(/^[a-z]+\.[a-z]+10@/);
  });
});
