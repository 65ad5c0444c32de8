/**
 * Domain index contract on both stores: CRM changes applied, then a page's keys resolved in one
 * call and answered synchronously, with the same normalisation (plus-tags, registrable domains,
 * free-mail never a domain key), deal contact roles, deletions and `present` reconciles.
 */
import { expect, it } from 'vitest';
import type { CrmChangeBatch, DomainIndex } from '../../../src/core/ports.js';
import { describeStores } from './store-under-test.js';

const BATCH: CrmChangeBatch = {
  users: [{ id: '005S', email: 'Sam@Seller.Example', name: 'Sam Seller' }],
  accounts: [
    { id: '001A', name: 'Acme', domains: ['https://www.acme.co.uk/about'], ownerId: '005S' },
    { id: '001B', name: 'Beta', domains: ['beta.example', 'gmail.com'] },
  ],
  contacts: [
    { id: '003A', emails: ['Jane+news@acme.co.uk'], phones: [], accountId: '001A', name: 'Jane' },
    { id: '003B', emails: ['cfo@mail.acme.co.uk', 'cfo.home@gmail.com'], phones: [], accountId: '001B', name: 'Cfo' },
  ],
  leads: [{ id: '00QL', emails: ['lee@startup.example'], phones: [], company: 'Startup', domain: 'startup.example', name: 'Lee' }],
  deals: [
    { id: '006A', accountId: '001A', name: 'Renewal', isClosed: false, closeDate: null, createdDate: '2026-01-01', lastModified: '2026-10-01T00:00:00Z', ownerId: '005S', contactRoles: ['003A'] },
    { id: '006B', accountId: '001A', name: 'Upsell', isClosed: true, closeDate: '2026-06-01', createdDate: '2026-02-01', lastModified: '2026-06-01T00:00:00Z', ownerId: null, contactRoles: [] },
  ],
  cursor: 'c1',
};

const ids = (records: readonly { id: string }[]) => records.map((r) => r.id);

describeStores('domain index', (sut) => {
  async function resolved(keys: string[]): Promise<DomainIndex> {
    return sut.store().index.resolveKeys(keys);
  }

  it('answers the cascade lookups for a page of keys', async () => {
    await sut.store().index.applyChanges(BATCH);
    const index = await resolved(['jane@acme.co.uk', 'acme.co.uk', 'cfo.home@gmail.com', 'gmail.com', 'lee@startup.example', 'startup.example', 'sam@seller.example']);
    expect(ids(index.contactsByEmail('jane@acme.co.uk'))).toEqual(['003A']);
    expect(ids(index.contactsByEmail('cfo.home@gmail.com'))).toEqual(['003B']);
    expect(ids(index.accountsByDomain('acme.co.uk'))).toEqual(['001A']);
    // The index keeps every domain, free mail included, so a tenant's freeMail change needs no
    // reload; matching skips free-mail domains (src/core/associate.ts, test/unit/free-mail.test.ts).
    expect(ids(index.accountsByDomain('gmail.com'))).toEqual(['001B']);
    expect(index.contactAccountIdsByDomain('gmail.com')).toEqual(['001B']);
    expect(index.contactAccountIdsByDomain('acme.co.uk')).toEqual(['001A', '001B']);
    expect(ids(index.leadsByEmail('lee@startup.example'))).toEqual(['00QL']);
    expect(ids(index.leadsByDomain('startup.example'))).toEqual(['00QL']);
    expect(index.userByEmail('sam@seller.example')?.id).toBe('005S');
    // Reached from the page's records: the contacts' accounts and their deals with roles.
    expect(index.account('001A')?.name).toBe('Acme');
    expect(index.account('001B')?.name).toBe('Beta');
    const deals = index.dealsByAccount('001A');
    expect(ids(deals)).toEqual(['006A', '006B']);
    expect(deals[0]!.contactRoles).toEqual(['003A']);
    expect(ids(await sut.store().index.openDealsOwnedBy('005S'))).toEqual(['006A']);
    expect(await sut.store().index.counts()).toEqual({ users: 1, accounts: 2, contacts: 2, leads: 1, deals: 2, contactRoles: 1 });
    // Keys not asked for, or unknown, answer empty.
    expect(index.contactsByEmail('nobody@acme.co.uk')).toEqual([]);
    expect(index.userByEmail('ghost@seller.example')).toBeUndefined();
  });

  it('applies updates, roles, deletions and present lists', async () => {
    const store = sut.store().index;
    await store.applyChanges(BATCH);
    await store.applyChanges({
      contacts: [{ id: '003A', emails: ['jane@newco.example'], phones: [], accountId: '001A', name: 'Jane' }],
      contactRoles: [{ dealId: '006B', contactIds: ['003B'] }],
      deleted: [{ kind: 'lead', id: '00QL' }],
      cursor: 'c2',
    });
    let index = await resolved(['jane@acme.co.uk', 'jane@newco.example', 'lee@startup.example', 'acme.co.uk']);
    expect(index.contactsByEmail('jane@acme.co.uk')).toEqual([]);
    expect(ids(index.contactsByEmail('jane@newco.example'))).toEqual(['003A']);
    expect(index.leadsByEmail('lee@startup.example')).toEqual([]);
    expect(index.dealsByAccount('001A').find((d) => d.id === '006B')?.contactRoles).toEqual(['003B']);

    await store.applyChanges({ present: [{ kind: 'account', ids: ['001B'] }], cursor: 'c3' });
    index = await resolved(['acme.co.uk', 'beta.example']);
    expect(index.accountsByDomain('acme.co.uk')).toEqual([]);
    expect(ids(index.accountsByDomain('beta.example'))).toEqual(['001B']);
  });
});
