/**
 * Ledger contract, on both stores: claims (one winner, idempotent for the claimant, holders
 * carried onto the import), imports with holders, records and participants, tombstones and
 * full-text search.
 */
import { expect, it } from 'vitest';
import type { ActivityDraft, ImportRecord, LateMatchKey } from '../../../src/core/ports.js';
import { sampleImport } from './sample-import.js';
import { describeStores } from './store-under-test.js';

const record = (key: string, mailboxId: string, over: Partial<ActivityDraft> = {}): ImportRecord =>
  sampleImport(key, mailboxId, { cc: [{ name: '', address: 'cfo@acme.example' }], ...over }, [{ name: '', address: ' Audit@Seller.Example ' }]);

describeStores('ledger', (sut) => {
  it('records an import with its holder, records and participants (Bcc included, lower-cased)', async () => {
    const ledger = sut.store().ledger;
    expect(await ledger.hasImported('mid:a')).toBe(false);
    await ledger.recordImport(record('mid:a', 'mbx-1'));
    expect(await ledger.hasImported('mid:a')).toBe(true);
    expect(await ledger.entry('mid:a')).toEqual({
      key: 'mid:a',
      crmId: '00T-mid:a',
      mailboxId: 'mbx-1',
      direction: 'inbound',
      sentAt: '2026-11-02T09:00:00.000Z',
      subject: 'Renewal quote for Acme',
      relatedToId: '006A',
      explanation: 'jane@acme.example is contact Jane Buyer',
      holders: ['mbx-1'],
    });
    expect(await ledger.records('mid:a')).toEqual([
      { kind: 'account', recordId: '001A' },
      { kind: 'contact', recordId: '003A' },
      { kind: 'deal', recordId: '006A' },
      { kind: 'user', recordId: '005S' },
    ]);
    expect(await ledger.participants('mid:a')).toEqual([
      { address: 'audit@seller.example', role: 'bcc' },
      { address: 'cfo@acme.example', role: 'cc' },
      { address: 'jane@acme.example', role: 'from' },
      { address: 'sam@seller.example', role: 'to' },
    ]);
    expect(await ledger.entry('mid:unknown')).toBeUndefined();
  });

  it('adds holders idempotently', async () => {
    const ledger = sut.store().ledger;
    await ledger.recordImport(record('mid:b', 'mbx-1'));
    await ledger.addHolder('mid:b', 'mbx-2');
    await ledger.addHolder('mid:b', 'mbx-2');
    await ledger.recordImport(record('mid:b', 'mbx-1'));
    expect((await ledger.entry('mid:b'))?.holders).toEqual(['mbx-1', 'mbx-2']);
  });

  it('gives a claim to exactly one mailbox, again to the same one after a retry, and carries the others as holders', async () => {
    const ledger = sut.store().ledger;
    const results = await Promise.all(['mbx-1', 'mbx-2', 'mbx-3', 'mbx-4'].map((m) => ledger.claim('mid:c', m)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = ['mbx-1', 'mbx-2', 'mbx-3', 'mbx-4'][results.indexOf(true)]!;
    // The claimant's job crashed and is retried: it gets its claim back; the others still do not.
    expect(await ledger.claim('mid:c', winner)).toBe(true);
    expect(await ledger.claim('mid:c', winner === 'mbx-1' ? 'mbx-2' : 'mbx-1')).toBe(false);
    await ledger.recordImport(record('mid:c', winner));
    expect((await ledger.entry('mid:c'))?.holders).toEqual(['mbx-1', 'mbx-2', 'mbx-3', 'mbx-4']);
    // Imported: nobody wins it any more, not even the claimant; a late mailbox becomes a holder.
    expect(await ledger.claim('mid:c', winner)).toBe(false);
    expect(await ledger.claim('mid:c', 'mbx-5')).toBe(false);
    expect((await ledger.entry('mid:c'))?.holders).toContain('mbx-5');
  });

  it('counts imported emails, and per mailbox the ones it holds (for status)', async () => {
    const ledger = sut.store().ledger;
    expect(await ledger.importedCount()).toBe(0);
    await ledger.claim('mid:n1', 'mbx-1');
    await ledger.claim('mid:n1', 'mbx-2');
    await ledger.recordImport(record('mid:n1', 'mbx-1'));
    await ledger.recordImport(record('mid:n2', 'mbx-2'));
    expect(await ledger.importedCount()).toBe(2);
    expect(await ledger.importedCount('mbx-1')).toBe(1);
    expect(await ledger.importedCount('mbx-2')).toBe(2);
    expect(await ledger.importedCount('mbx-9')).toBe(0);
  });

  it('releases a claim whose mail was not written, so another mailbox can claim it', async () => {
    const ledger = sut.store().ledger;
    expect(await ledger.claim('mid:d', 'mbx-1')).toBe(true);
    expect(await ledger.claim('mid:d', 'mbx-2')).toBe(false);
    await ledger.releaseClaim('mid:d');
    expect(await ledger.claim('mid:d', 'mbx-2')).toBe(true);
  });

  it('remembers a forgotten message by its key (tombstone)', async () => {
    const ledger = sut.store().ledger;
    expect(await ledger.wasForgotten('mid:e')).toBe(false);
    await ledger.rememberForgotten('mid:e');
    await ledger.rememberForgotten('mid:e');
    expect(await ledger.wasForgotten('mid:e')).toBe(true);
    expect(await ledger.wasForgotten('mid:f')).toBe(false);
  });

  it('finds imported messages by words of the subject, text and participants, every word required', async () => {
    const ledger = sut.store().ledger;
    await ledger.recordImport(record('mid:g', 'mbx-1'));
    await ledger.recordImport(record('mid:h', 'mbx-1', { subject: 'Lunch on Friday', text: 'Shall we meet at noon?', from: { name: '', address: 'bob@other.example' }, cc: [] }));
    expect(await ledger.searchText('platinum')).toEqual(['mid:g']);
    expect(await ledger.searchText('PRICING tier')).toEqual(['mid:g']);
    expect(await ledger.searchText('bob@other.example')).toEqual(['mid:h']);
    expect((await ledger.searchText('seller')).sort()).toEqual(['mid:g', 'mid:h']);
    expect(await ledger.searchText('platinum lunch')).toEqual([]);
    // Query syntax is never interpreted: punctuation alone finds nothing, and fails nowhere.
    expect(await ledger.searchText('"*" -')).toEqual([]);
  });
});

describeStores('ledger: threads and late matching', (sut) => {
  it('answers the imported associations of the keys asked for, in one call, and nothing else', async () => {
    const ledger = sut.store().ledger;
    await ledger.recordImport(record('mid:parent', 'mbx-1'));
    const found = await ledger.importedAssociations(['mid:parent', 'mid:never-imported']);
    expect([...found.keys()]).toEqual(['mid:parent']);
    expect(found.get('mid:parent')).toEqual({
      key: 'mid:parent',
      activityId: '00T-mid:parent',
      contactIds: ['003A'],
      accountIds: ['001A'],
      leadIds: [],
      dealIds: ['006A'],
    });
    expect((await ledger.importedAssociations([])).size).toBe(0);
  });

  it('keeps the late-match queue between rounds', async () => {
    const ledger = sut.store().ledger;
    expect(await ledger.lateMatchQueue()).toEqual([]);
    const entry: LateMatchKey = { kind: 'address', key: 'new@acme.example', since: '2026-10-03T00:00:00.000Z', detectedAt: '2026-11-02T09:00:00.000Z', searched: ['mbx-1'] };
    await ledger.saveLateMatchQueue([entry]);
    expect(await ledger.lateMatchQueue()).toEqual([entry]);
    await ledger.saveLateMatchQueue([]);
    expect(await ledger.lateMatchQueue()).toEqual([]);
  });
});
