/**
 * The index read back for `crm snapshot`, on both stores: every kind in byte order of its ids,
 * values normalised as the index matches them (addresses lower-cased and plus-tags dropped,
 * websites as registrable domains, phones trimmed and distinct), deal roles sorted, and the
 * records in pages, so a large index streams.
 */
import { expect, it } from 'vitest';
import type { CrmChangeBatch, CrmEntityKind } from '../../../src/core/ports.js';
import { EXPORT_PAGE } from '../../../src/store/index-export.js';
import type { IndexRecordOf } from '../../../src/store/store-ports.js';
import { describeStores } from './store-under-test.js';

const BATCH: CrmChangeBatch = {
  users: [
    { id: '005S', email: 'Sam@Seller.Example', name: 'Sam Seller' },
    { id: '005N', email: 'not an address' },
  ],
  accounts: [
    { id: '001b', name: 'Beta', domains: ['beta.example', 'gmail.com'] },
    { id: '001A', name: 'Acme', domains: ['https://www.acme.co.uk/about', 'ACME.co.uk'], ownerId: '005S' },
  ],
  contacts: [
    { id: '003A', emails: ['Jane+news@acme.co.uk', 'jane@ACME.co.uk'], phones: [' +44 20 7946 0000 ', '+44 20 7946 0000', ''], accountId: '001A', name: 'Jane' },
    { id: '003B', emails: ['cfo@mail.acme.co.uk'], phones: [], accountId: null },
  ],
  leads: [{ id: '00QL', emails: ['Lee@Startup.Example'], phones: [], company: 'Startup', domain: 'https://startup.example/', name: 'Lee' }],
  deals: [
    { id: '006B', accountId: '001A', name: 'Upsell', isClosed: true, closeDate: '2026-06-01', createdDate: '2026-02-01', lastModified: '2026-06-01T00:00:00Z', ownerId: null, contactRoles: [] },
    { id: '006A', accountId: '001A', name: 'Renewal', isClosed: false, closeDate: null, createdDate: '2026-01-01', lastModified: '2026-10-01T00:00:00Z', ownerId: '005S', contactRoles: ['003B', '003A'] },
  ],
  cursor: 'c1',
};

describeStores('domain index export', (sut) => {
  async function exported<K extends CrmEntityKind>(kind: K): Promise<IndexRecordOf[K][][]> {
    const pages: IndexRecordOf[K][][] = [];
    for await (const page of sut.store().index.exportRecords(kind)) pages.push(page);
    return pages;
  }
  /** As JSON text: values and field order, which the snapshot file shows, must be the same on both stores. */
  const all = async <K extends CrmEntityKind>(kind: K) => JSON.stringify((await exported(kind)).flat());
  const text = (records: unknown[]) => JSON.stringify(records);

  it('gives every kind normalised as the index matches it, ordered by id in byte order', async () => {
    await sut.store().index.applyChanges(BATCH);
    expect(await all('user')).toBe(text([
      { id: '005N', email: '', name: null },
      { id: '005S', email: 'sam@seller.example', name: 'Sam Seller' },
    ]));
    // Upper case before lower case: byte order, whatever the server's collation.
    expect(await all('account')).toBe(text([
      { id: '001A', name: 'Acme', domains: ['acme.co.uk'], ownerId: '005S' },
      { id: '001b', name: 'Beta', domains: ['beta.example', 'gmail.com'], ownerId: null },
    ]));
    expect(await all('contact')).toBe(text([
      { id: '003A', emails: ['jane@acme.co.uk'], phones: ['+44 20 7946 0000'], accountId: '001A', name: 'Jane' },
      { id: '003B', emails: ['cfo@mail.acme.co.uk'], phones: [], accountId: null, name: null },
    ]));
    expect(await all('lead')).toBe(text([{ id: '00QL', emails: ['lee@startup.example'], phones: [], company: 'Startup', domain: 'startup.example', name: 'Lee' }]));
    expect(await all('deal')).toBe(text([
      { id: '006A', accountId: '001A', name: 'Renewal', isClosed: false, closeDate: null, createdDate: '2026-01-01', lastModified: '2026-10-01T00:00:00Z', ownerId: '005S', contactRoles: ['003A', '003B'] },
      { id: '006B', accountId: '001A', name: 'Upsell', isClosed: true, closeDate: '2026-06-01', createdDate: '2026-02-01', lastModified: '2026-06-01T00:00:00Z', ownerId: null, contactRoles: [] },
    ]));
  });

  it('streams a large kind in pages, each record once, and nothing for an empty kind', async () => {
    const n = EXPORT_PAGE * 2 + 7;
    const contacts = Array.from({ length: n }, (_, i) => ({ id: `003-${String(i).padStart(5, '0')}`, emails: [`p${i}@acme.example`], phones: [], accountId: null }));
    await sut.store().index.applyChanges({ contacts, cursor: 'c' });
    const pages = await exported('contact');
    expect(pages.map((p) => p.length)).toEqual([EXPORT_PAGE, EXPORT_PAGE, 7]);
    expect(pages.flat().map((c) => c.id)).toEqual(contacts.map((c) => c.id));
    expect(await exported('lead')).toEqual([]);
    // A reader that stops early leaves the store usable.
    for await (const page of sut.store().index.exportRecords('contact')) {
      expect(page.length).toBe(EXPORT_PAGE);
      break;
    }
    expect((await sut.store().index.counts()).contacts).toBe(n);
  });
});
