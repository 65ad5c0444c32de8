/**
 * Re-association work list contract, on both stores (docs/rules.md "Re-association"): a CRM
 * change queues the imported emails of the window that it touches (by record, address, domain or
 * subdomain); the facts come back as recorded; a move updates the ledger and leaves the list in
 * one step.
 */
import { expect, it } from 'vitest';
import type { ActivityDraft, ImportRecord } from '../../../src/core/ports.js';
import { describeStores } from './store-under-test.js';

function record(key: string, sentAt: string, over: Partial<ActivityDraft> = {}): ImportRecord {
  const activity: ActivityDraft = {
    key, direction: 'inbound', sentAt,
    from: { name: 'Jane', address: 'jane@acme.example' },
    to: [{ name: 'Sam', address: 'sam@seller.example' }],
    cc: [{ name: '', address: 'cfo@eu.globex.example' }],
    subject: 'Renewal', text: 'Pricing.', messageId: `<${key}>`, inReplyTo: '<parent@acme.example>', references: [],
    contactIds: ['003A'], accountIds: ['001A'], leadIds: [], dealIds: ['006A'], userIds: ['005S'], ownerId: '005S',
    relatedToId: '006A', explanation: 'contact jane@acme.example → account Acme', ...over,
  };
  return { key, crmId: `02s-${key}`, mailboxId: 'mbx-1', activity, bcc: [] };
}

const SINCE = '2026-11-01T00:00:00.000Z';
const none = { recordIds: [], addresses: [], domains: [] };

describeStores('re-association work list', (sut) => {
  it('queues the emails of the window a change touches: by record, address, domain and subdomain', async () => {
    const ledger = sut.store().ledger;
    await ledger.recordImport(record('mid:new', '2026-11-20T09:00:00.000Z'));
    await ledger.recordImport(record('mid:other', '2026-11-21T09:00:00.000Z', { from: { name: '', address: 'x@initech.example' }, cc: [], contactIds: ['003B'], accountIds: ['001B'], dealIds: [], relatedToId: '001B' }));
    await ledger.recordImport(record('mid:old', '2026-10-01T09:00:00.000Z'));
    expect(await ledger.queueTouched({ ...none, recordIds: ['006A'] }, SINCE)).toBe(1);
    // Again: already queued, nothing added.
    expect(await ledger.queueTouched({ ...none, recordIds: ['006A', '001A'] }, SINCE)).toBe(0);
    expect(await ledger.reassociationQueue(10)).toEqual(['mid:new']);
    // A user id is not a filing record: it touches nothing.
    expect(await ledger.queueTouched({ ...none, recordIds: ['005S'] }, SINCE)).toBe(0);
    await ledger.dropFromReassociation(['mid:new']);
    expect(await ledger.queueTouched({ ...none, addresses: ['x@initech.example'] }, SINCE)).toBe(1);
    await ledger.dropFromReassociation(['mid:other']);
    // globex.example covers cfo@eu.globex.example; xglobex.example would not.
    expect(await ledger.queueTouched({ ...none, domains: ['xglobex.example'] }, SINCE)).toBe(0);
    expect(await ledger.queueTouched({ ...none, domains: ['globex.example'] }, SINCE)).toBe(1);
    expect(await ledger.queueTouched({ ...none, domains: ['initech.example'] }, SINCE)).toBe(1);
    expect(await ledger.reassociationQueue(10)).toEqual(['mid:new', 'mid:other']);
    expect(await ledger.reassociationQueue(1)).toEqual(['mid:new']);
    expect(await ledger.reassociationQueueSize()).toBe(2);
  });

  it('gives back the facts as recorded, and a move updates the ledger and leaves the list together', async () => {
    const ledger = sut.store().ledger;
    await ledger.recordImport(record('mid:m', '2026-11-20T09:00:00.000Z'));
    await ledger.queueTouched({ ...none, recordIds: ['003A'] }, SINCE);
    const [facts] = await ledger.ledgerFacts(['mid:m', 'mid:absent']);
    expect(facts).toEqual({
      key: 'mid:m', crmId: '02s-mid:m', sentAt: '2026-11-20T09:00:00.000Z', direction: 'inbound',
      participants: [{ address: 'jane@acme.example', role: 'from' }, { address: 'sam@seller.example', role: 'to' }, { address: 'cfo@eu.globex.example', role: 'cc' }],
      inReplyTo: '<parent@acme.example>',
      links: { contactIds: ['003A'], accountIds: ['001A'], leadIds: [], dealIds: ['006A'], userIds: ['005S'], relatedToId: '006A', ownerId: '005S' },
      explanation: 'contact jane@acme.example → account Acme',
    });
    const to = { contactIds: ['003A'], accountIds: ['001C'], leadIds: [], dealIds: [], userIds: ['005S'], relatedToId: '001C', ownerId: '005T' };
    const explanation = 'contact jane@acme.example → account Acme\nre-associated 2026-11-25: deal Renewal → account Initech (…)';
    await ledger.recordMove('mid:m', '02s-new', to, explanation);
    expect(await ledger.reassociationQueue(10)).toEqual([]);
    expect(await ledger.entry('mid:m')).toMatchObject({ crmId: '02s-new', relatedToId: '001C', explanation });
    expect(await ledger.records('mid:m')).toEqual([
      { kind: 'account', recordId: '001C' },
      { kind: 'contact', recordId: '003A' },
      { kind: 'user', recordId: '005S' },
    ]);
    expect((await ledger.ledgerFacts(['mid:m']))[0]!.links).toEqual(to);
  });
});
