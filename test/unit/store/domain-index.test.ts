import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { domainOf, normalizeAddress, registrableDomain } from '../../../src/core/address.js';
import type { CrmSnapshot } from '../../../src/core/types.js';
import { openDatabase, type SqliteDatabase } from '../../../src/store/database.js';
import { SqliteDomainIndex } from '../../../src/store/domain-index.js';

/** A small tenant written by hand; each record exercises one normalisation rule. */
function tenant(): CrmSnapshot {
  return {
    companyDomains: ['example-seller.com'],
    users: [
      { id: 'U1', email: 'Sara.Seller+crm@Example-Seller.COM', name: 'Sara Seller' },
      { id: 'U2', email: 'not an address', name: 'Broken User' },
    ],
    accounts: [
      { id: 'A1', name: 'Acme UK', domains: ['https://www.acme.co.uk/about?x=1', 'ACME.com'], ownerId: 'U1' },
      { id: 'A2', name: 'Bücher GmbH', domains: ['bücher.de'], ownerId: null },
      { id: 'A3', name: 'Personal Accounts Inc', domains: ['gmail.com', 'http://'], ownerId: null },
      { id: 'A4', name: 'Acme Holdings', domains: ['www.acme.com'], ownerId: 'U1' },
    ],
    contacts: [
      { id: 'C1', name: 'Jane Doe', emails: ['Jane.Doe+CRM@Mail.ACME.co.uk', 'JANE.DOE@mail.acme.co.uk'], phones: ['+44 20 1234'], accountId: 'A1' },
      { id: 'C2', name: 'Jane Doe (dup)', emails: ['jane.doe@mail.acme.co.uk'], phones: [], accountId: 'A4' },
      { id: 'C3', name: 'Jörg Buch', emails: ['jörg@BÜCHER.de'], phones: [], accountId: 'A2' },
      { id: 'C4', name: 'Pat Orphan', emails: ['pat@orphan-corp.com'], phones: [], accountId: null },
      { id: 'C5', name: 'Bob Personal', emails: ['bob.personal@gmail.com'], phones: [], accountId: 'A1' },
      { id: 'C6', name: "Sean O'Brien", emails: ["O'Brien@acme.com"], phones: [], accountId: 'A4' },
      { id: 'C7', name: 'Junk', emails: ['not-an-address', '', 'x@localhost'], phones: [], accountId: 'A1' },
      { id: 'C8', name: 'Ghost Account', emails: ['ghost@phantom.io'], phones: [], accountId: 'A-missing' },
    ],
    leads: [
      { id: 'L1', name: 'Lee Prospect', company: 'Prospect', emails: ['Lee@Prospect.io'], phones: ['555'], domain: 'https://prospect.io/' },
      { id: 'L2', name: 'Kim New', company: 'NewCo', emails: ['kim@sales.newco.co.uk'], phones: [], domain: null },
      { id: 'L3', name: 'Free Lead', company: null, emails: ['lee.free@gmail.com'], phones: [], domain: null },
    ],
    deals: [
      { id: 'D1', accountId: 'A1', name: 'Renewal 2027', isClosed: false, closeDate: null, createdDate: '2026-01-10', lastModified: '2026-03-01T10:00:00Z', ownerId: 'U1', contactRoles: ['C1', 'C5'] },
      { id: 'D2', accountId: 'A1', name: 'Pilot', isClosed: true, closeDate: '2026-02-01', createdDate: '2025-10-01', lastModified: '2026-02-01T09:00:00Z', ownerId: null, contactRoles: [] },
      { id: 'D3', accountId: 'A4', name: 'Holdings deal', isClosed: false, closeDate: null, createdDate: '2026-01-01', lastModified: '2026-01-01T00:00:00Z', ownerId: 'U1', contactRoles: ['C6'] },
    ],
    blocklist: { addresses: [], domains: [], phrases: [] },
  };
}

const ids = (records: readonly { id: string }[]) => records.map((r) => r.id);
/** Lookups take normalised keys: the engine normalises once, as here. */
const email = (raw: string) => normalizeAddress(raw)!;
const domain = (raw: string) => registrableDomain(raw)!;

let db: SqliteDatabase;
let index: SqliteDomainIndex;

beforeEach(() => {
  db = openDatabase({ path: ':memory:' });
  index = new SqliteDomainIndex(db, { cacheEntries: 1000 });
  index.loadSnapshot(tenant());
});
afterEach(() => db.close());

describe('lookups on a loaded snapshot', () => {
  it('contacts by address: case and plus-tags folded, several contacts on one address', () => {
    expect(ids(index.contactsByEmail(email('JANE.DOE+news@MAIL.acme.co.uk')))).toEqual(['C1', 'C2']);
    const [jane] = index.contactsByEmail(email('jane.doe@mail.acme.co.uk'));
    expect(jane).toEqual({ id: 'C1', name: 'Jane Doe', accountId: 'A1', emails: ['jane.doe@mail.acme.co.uk'], phones: ['+44 20 1234'] });
    expect(index.contactsByEmail('someone.else@mail.acme.co.uk')).toEqual([]);
  });

  it('IDN addresses and domains are keyed in their ASCII form', () => {
    expect(email('JÖRG@bücher.de')).toBe('jörg@xn--bcher-kva.de');
    expect(ids(index.contactsByEmail(email('JÖRG@bücher.de')))).toEqual(['C3']);
    expect(ids(index.accountsByDomain(domain('BÜCHER.DE')))).toEqual(['A2']);
    expect(index.account('A2')?.domains).toEqual(['xn--bcher-kva.de']);
  });

  it('account domains: URL, www. and path dropped, co.uk suffix kept, several accounts per domain', () => {
    expect(ids(index.accountsByDomain('acme.co.uk'))).toEqual(['A1']);
    expect(ids(index.accountsByDomain('acme.com'))).toEqual(['A1', 'A4']);
    expect(index.accountsByDomain('co.uk')).toEqual([]);
    expect(index.account('A1')).toEqual({ id: 'A1', name: 'Acme UK', ownerId: 'U1', domains: ['acme.co.uk', 'acme.com'] });
  });

  // Free mail is the tenant's rule, applied when matching (associate), so the index keeps the
  // domain keys of free-mail addresses like any other; a change to freeMail needs no reload.
  it('free-mail addresses are domain keys like any other; exact addresses match', () => {
    expect(index.leadsByDomain('gmail.com').map((l) => l.id)).toEqual(['L3']);
    expect(ids(index.contactsByEmail('bob.personal@gmail.com'))).toEqual(['C5']);
    expect(ids(index.leadsByEmail('lee.free@gmail.com'))).toEqual(['L3']);
  });

  it('account ids of contacts on a domain: distinct, only contacts with an existing account', () => {
    expect(index.contactAccountIdsByDomain(domain(domainOf(email('x@mail.acme.co.uk'))))).toEqual(['A1', 'A4']);
    expect(index.contactAccountIdsByDomain('acme.com')).toEqual(['A4']);
    expect(index.contactAccountIdsByDomain('orphan-corp.com')).toEqual([]);
    expect(index.contactAccountIdsByDomain('phantom.io')).toEqual([]);
    // The contact without an account is still found by its address.
    expect(index.contactsByEmail('pat@orphan-corp.com')[0]?.accountId).toBeNull();
  });

  it('an address with a quote', () => {
    expect(ids(index.contactsByEmail("o'brien@acme.com"))).toEqual(['C6']);
  });

  it('leads by address and by domain (company domain or address domain)', () => {
    expect(ids(index.leadsByEmail(email('LEE@prospect.IO')))).toEqual(['L1']);
    expect(ids(index.leadsByDomain('prospect.io'))).toEqual(['L1']);
    expect(ids(index.leadsByDomain(domain('mail.sales.newco.co.uk')))).toEqual(['L2']);
    expect(index.leadsByEmail('lee@prospect.io')[0]).toEqual({
      id: 'L1', name: 'Lee Prospect', company: 'Prospect', domain: 'prospect.io', emails: ['lee@prospect.io'], phones: ['555'],
    });
    expect(index.leadsByDomain('nowhere.example')).toEqual([]);
  });

  it('deals by account carry their contact roles', () => {
    const deals = index.dealsByAccount('A1');
    expect(ids(deals)).toEqual(['D1', 'D2']);
    expect(deals[0]).toEqual({
      id: 'D1', accountId: 'A1', name: 'Renewal 2027', isClosed: false, closeDate: null, createdDate: '2026-01-10',
      lastModified: '2026-03-01T10:00:00Z', ownerId: 'U1', contactRoles: ['C1', 'C5'],
    });
    expect(deals[1]?.isClosed).toBe(true);
    expect(deals[1]?.contactRoles).toEqual([]);
    expect(index.dealsByAccount('A2')).toEqual([]);
  });

  it('accounts by id and users by address', () => {
    expect(index.account('A4')?.name).toBe('Acme Holdings');
    expect(index.account('nope')).toBeUndefined();
    expect(index.userByEmail(email('sara.seller@example-seller.com'))).toEqual({ id: 'U1', email: 'sara.seller@example-seller.com', name: 'Sara Seller' });
    expect(index.userByEmail('jane.doe@mail.acme.co.uk')).toBeUndefined();
  });

  it('values that do not normalise are skipped, not errors', () => {
    expect(index.contactsByEmail('x@localhost')).toEqual([]);
    expect(index.userByEmail('not an address')).toBeUndefined();
    // C7 and U2 are kept (counted) with no usable address.
    expect(db.prepare("SELECT count(*) FROM contact_emails WHERE contact_id = 'C7'").pluck().get()).toBe(0);
    expect(index.counts()).toEqual({ users: 2, accounts: 4, contacts: 8, leads: 3, deals: 3, contactRoles: 3 });
  });

  it('results are frozen and the same object on repeated calls', () => {
    const first = index.contactsByEmail('jane.doe@mail.acme.co.uk');
    expect(index.contactsByEmail('jane.doe@mail.acme.co.uk')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first[0])).toBe(true);
    expect(Object.isFrozen(first[0]?.emails)).toBe(true);
    expect(() => (first as unknown as string[]).push('x')).toThrow(TypeError);
    expect(index.dealsByAccount('A1')).toBe(index.dealsByAccount('A1'));
    expect(index.account('A1')).toBe(index.account('A1'));
    expect(index.accountsByDomain('nowhere.example')).toBe(index.accountsByDomain('nowhere.example'));
  });

  it('a repeated lookup is served from memory, not SQLite', () => {
    const before = index.contactsByEmail('pat@orphan-corp.com');
    // Change the table behind the index's back: a cached lookup cannot see it…
    db.prepare('DELETE FROM contact_emails WHERE email = ?').run('pat@orphan-corp.com');
    expect(index.contactsByEmail('pat@orphan-corp.com')).toBe(before);
    // …until the caches are cleared.
    index.clearCaches();
    expect(index.contactsByEmail('pat@orphan-corp.com')).toEqual([]);
  });
});

describe('keys the index does not hold', () => {
  it('are answered from memory without a query', () => {
    expect(ids(index.contactsByEmail('jane.doe@mail.acme.co.uk'))).toEqual(['C1', 'C2']);
    // With the connection closed, any query throws: what still answers never reached SQLite.
    db.close();
    expect(index.contactsByEmail('stranger@unknown-company.example')).toEqual([]);
    expect(index.accountsByDomain('unknown-company.example')).toEqual([]);
    expect(index.contactAccountIdsByDomain('unknown-company.example')).toEqual([]);
    expect(index.leadsByEmail('stranger@unknown-company.example')).toEqual([]);
    expect(index.leadsByDomain('unknown-company.example')).toEqual([]);
    expect(index.userByEmail('stranger@example-seller.com')).toBeUndefined();
    expect(ids(index.contactsByEmail('jane.doe@mail.acme.co.uk'))).toEqual(['C1', 'C2']);
    expect(() => index.contactsByEmail('pat@orphan-corp.com')).toThrow(/not open/);
  });

  it('keys added by a change become known', () => {
    expect(index.contactsByEmail('late@newcomer.example')).toEqual([]);
    index.applyChanges({ contacts: [{ id: 'C20', name: 'Late', emails: ['late@newcomer.example'], phones: [], accountId: null }], cursor: 'k' });
    db.close();
    expect(() => index.contactsByEmail('late@newcomer.example')).toThrow(/not open/);
  });

  it('an index opened on an existing database learns its keys from the tables', () => {
    const second = new SqliteDomainIndex(db);
    expect(ids(second.contactsByEmail("o'brien@acme.com"))).toEqual(['C6']);
    expect(second.accountsByDomain('nowhere.example')).toEqual([]);
  });
});

describe('applyChanges', () => {
  it('creates records that a cached miss now finds', () => {
    expect(index.contactsByEmail('new.person@acme.co.uk')).toEqual([]);
    expect(index.accountsByDomain('fresh.io')).toEqual([]);
    index.applyChanges({
      accounts: [{ id: 'A5', name: 'Fresh', domains: ['https://fresh.io'], ownerId: null }],
      contacts: [{ id: 'C9', name: 'New Person', emails: ['New.Person@ACME.co.uk'], phones: [], accountId: 'A5' }],
      cursor: 'c1',
    });
    expect(ids(index.contactsByEmail('new.person@acme.co.uk'))).toEqual(['C9']);
    expect(ids(index.accountsByDomain('fresh.io'))).toEqual(['A5']);
    expect(index.contactAccountIdsByDomain('acme.co.uk')).toEqual(['A1', 'A4', 'A5']);
  });

  it('updates replace a record\'s addresses and domains', () => {
    expect(ids(index.contactsByEmail('jane.doe@mail.acme.co.uk'))).toEqual(['C1', 'C2']);
    expect(ids(index.accountsByDomain('acme.co.uk'))).toEqual(['A1']);
    index.applyChanges({
      contacts: [{ id: 'C1', name: 'Jane Moved', emails: ['jane@acme-new.com'], phones: [], accountId: 'A1' }],
      accounts: [{ id: 'A1', name: 'Acme UK (renamed)', domains: ['acme-new.com'], ownerId: 'U1' }],
      leads: [{ id: 'L1', name: 'Lee Prospect', company: 'Prospect', emails: ['lee@other.io'], phones: [], domain: null }],
      users: [{ id: 'U1', email: 'sara@example-seller.com', name: 'Sara S.' }],
      cursor: 'c2',
    });
    expect(ids(index.contactsByEmail('jane.doe@mail.acme.co.uk'))).toEqual(['C2']);
    expect(index.contactsByEmail('jane@acme-new.com')[0]?.name).toBe('Jane Moved');
    expect(index.accountsByDomain('acme.co.uk')).toEqual([]);
    expect(ids(index.accountsByDomain('acme.com'))).toEqual(['A4']);
    expect(index.account('A1')?.name).toBe('Acme UK (renamed)');
    expect(index.leadsByDomain('prospect.io')).toEqual([]);
    expect(ids(index.leadsByDomain('other.io'))).toEqual(['L1']);
    expect(index.userByEmail('sara.seller@example-seller.com')).toBeUndefined();
    expect(index.userByEmail('sara@example-seller.com')?.name).toBe('Sara S.');
  });

  it('contact roles: a roles entry replaces the set; a deal without roles keeps its own', () => {
    expect(index.dealsByAccount('A1')[0]?.contactRoles).toEqual(['C1', 'C5']);
    index.applyChanges({
      deals: [{ id: 'D1', accountId: 'A1', name: 'Renewal 2027', isClosed: true, closeDate: '2026-04-01', createdDate: '2026-01-10', lastModified: '2026-04-01T00:00:00Z', ownerId: 'U1', contactRoles: [] }],
      cursor: 'c3',
    });
    expect(index.dealsByAccount('A1')[0]).toMatchObject({ isClosed: true, closeDate: '2026-04-01', contactRoles: ['C1', 'C5'] });
    index.applyChanges({ contactRoles: [{ dealId: 'D1', contactIds: ['C5'] }, { dealId: 'D2', contactIds: ['C1', 'C5'] }], cursor: 'c4' });
    expect(index.dealsByAccount('A1').map((d) => d.contactRoles)).toEqual([['C5'], ['C1', 'C5']]);
    index.applyChanges({ contactRoles: [{ dealId: 'D2', contactIds: [] }], cursor: 'c5' });
    expect(index.dealsByAccount('A1')[1]?.contactRoles).toEqual([]);
  });

  it('deletions remove records with their addresses, domains and roles', () => {
    expect(ids(index.contactsByEmail('jane.doe@mail.acme.co.uk'))).toEqual(['C1', 'C2']);
    expect(ids(index.dealsByAccount('A4'))).toEqual(['D3']);
    index.applyChanges({
      deleted: [
        { kind: 'contact', id: 'C1' },
        { kind: 'account', id: 'A4' },
        { kind: 'deal', id: 'D3' },
        { kind: 'lead', id: 'L1' },
        { kind: 'user', id: 'U1' },
      ],
      cursor: 'c6',
    });
    expect(ids(index.contactsByEmail('jane.doe@mail.acme.co.uk'))).toEqual(['C2']);
    expect(index.dealsByAccount('A1')[0]?.contactRoles).toEqual(['C5']);
    expect(ids(index.accountsByDomain('acme.com'))).toEqual(['A1']);
    expect(index.account('A4')).toBeUndefined();
    // C2 and C6 still point at the deleted account; the domain lookup no longer offers it.
    expect(index.contactAccountIdsByDomain('acme.com')).toEqual([]);
    expect(index.dealsByAccount('A4')).toEqual([]);
    expect(index.leadsByEmail('lee@prospect.io')).toEqual([]);
    expect(index.userByEmail('sara.seller@example-seller.com')).toBeUndefined();
    const rows = db.prepare("SELECT count(*) FROM contact_emails WHERE contact_id = 'C1'").pluck().get();
    expect(rows).toBe(0);
    expect(index.counts()).toMatchObject({ contacts: 7, accounts: 3, deals: 2, leads: 2, users: 1 });
  });

  it('a failing batch changes nothing', () => {
    const bad = { id: 'D9', accountId: 'A1', name: 'Broken', isClosed: false, closeDate: null, createdDate: null, lastModified: 'x', ownerId: null, contactRoles: [] };
    expect(() =>
      index.applyChanges({
        contacts: [{ id: 'C10', name: 'Half', emails: ['half@acme.com'], phones: [], accountId: 'A1' }],
        deals: [bad as never],
        cursor: 'c7',
      }),
    ).toThrow();
    expect(index.contactsByEmail('half@acme.com')).toEqual([]);
  });

  it('a present list deletes the held records of its kind it does not name, and only those', () => {
    // The orphan is warm in the lookup cache: the reconcile must drop it from there too.
    expect(ids(index.contactsByEmail('pat@orphan-corp.com'))).toEqual(['C4']);
    const contacts = ['C1', 'C2', 'C3', 'C5', 'C6', 'C7', 'C8'];
    index.applyChanges({
      present: [{ kind: 'contact', ids: contacts }],
      contacts: [{ id: 'C11', name: 'Arrived', emails: ['arrived@acme.com'], phones: [], accountId: 'A4' }],
      cursor: 'c8',
    });
    expect(index.contactsByEmail('pat@orphan-corp.com')).toEqual([]);
    expect(ids(index.contactsByEmail('arrived@acme.com'))).toEqual(['C11']);
    expect(ids(index.contactsByEmail('jane.doe@mail.acme.co.uk'))).toEqual(['C1', 'C2']);
    expect(index.counts()).toMatchObject({ contacts: 8, accounts: 4, leads: 3, deals: 3 });
  });
});

describe('loadSnapshot', () => {
  it('replaces the previous content entirely', () => {
    index.loadSnapshot({
      ...tenant(),
      accounts: [{ id: 'B1', name: 'Only', domains: ['only.example'], ownerId: null }],
      contacts: [],
      leads: [],
      deals: [],
      users: [],
    });
    expect(index.counts()).toEqual({ users: 0, accounts: 1, contacts: 0, leads: 0, deals: 0, contactRoles: 0 });
    expect(index.contactsByEmail('jane.doe@mail.acme.co.uk')).toEqual([]);
    expect(ids(index.accountsByDomain('only.example'))).toEqual(['B1']);
  });
});
