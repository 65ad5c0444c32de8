/**
 * Imported mail read back for admins (`messages list|search`, `explain`), on both stores: subject
 * and explanation opened, the sender, holders as mailbox addresses (the id while the address is
 * unknown), CRM records by kind; newest first; search by every word, query syntax never applied.
 */
import { expect, it } from 'vitest';
import type { ActivityDraft, ImportRecord } from '../../../src/core/ports.js';
import { sampleImport } from './sample-import.js';
import { describeStores } from './store-under-test.js';

const record = (key: string, mailboxId: string, sentAt: string, over: Partial<ActivityDraft> = {}): ImportRecord => sampleImport(key, mailboxId, { sentAt, ...over });

describeStores('imported messages', (sut) => {
  async function seed(): Promise<void> {
    const { ledger, status } = sut.store();
    await status.setConnection('sam@seller.example', 'connected', 'mbx-sam');
    await ledger.recordImport(record('mid:old', 'mbx-sam', '2026-11-01T09:00:00.000Z'));
    await ledger.addHolder('mid:old', 'mbx-unknown');
    await ledger.recordImport(
      record('mid:new', 'mbx-sam', '2026-11-03T09:00:00.000Z', {
        direction: 'outbound',
        from: { name: 'Sam', address: 'Sam@Seller.Example' },
        to: [{ name: '', address: 'bob@globex.example' }],
        subject: 'Lunch on Friday',
        text: 'Shall we meet at noon?',
        contactIds: ['003B'],
        accountIds: ['001G'],
        dealIds: [],
        leadIds: ['00QL'],
        explanation: 'bob@globex.example is contact Bob',
      }),
    );
  }

  it('gives one message by its key as admins see it', async () => {
    await seed();
    const m = await sut.store().messages.byKey('mid:old');
    expect(m).toEqual({
      key: 'mid:old',
      messageId: '<mid:old@acme.example>',
      subject: 'Renewal quote for Acme',
      sentAt: '2026-11-01T09:00:00.000Z',
      direction: 'inbound',
      from: 'jane@acme.example',
      holders: ['mbx-unknown', 'sam@seller.example'],
      crmIds: { activity: '00T-mid:old', contacts: ['003A'], accounts: ['001A'], leads: [], deals: ['006A'], users: ['005S'] },
      explanation: 'jane@acme.example is contact Jane Buyer',
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(await sut.store().messages.byKey('mid:unknown')).toBeNull();
  });

  it('lists the newest first, up to the limit', async () => {
    await seed();
    const messages = sut.store().messages;
    expect((await messages.list(10)).map((m) => [m.key, m.subject, m.from, m.direction])).toEqual([
      ['mid:new', 'Lunch on Friday', 'Sam@Seller.Example', 'outbound'],
      ['mid:old', 'Renewal quote for Acme', 'jane@acme.example', 'inbound'],
    ]);
    expect((await messages.list(1)).map((m) => m.key)).toEqual(['mid:new']);
    expect((await messages.list(10))[0]!.crmIds).toEqual({ activity: '00T-mid:new', contacts: ['003B'], accounts: ['001G'], leads: ['00QL'], deals: [], users: ['005S'] });
  });

  it('searches subject, text and participants, every word required, query syntax taken as words', async () => {
    await seed();
    const keys = async (text: string) => (await sut.store().messages.search(text, 10)).map((m) => m.key);
    expect(await keys('platinum PRICING')).toEqual(['mid:old']);
    expect(await keys('bob@globex.example')).toEqual(['mid:new']);
    expect((await keys('seller')).sort()).toEqual(['mid:new', 'mid:old']);
    expect(await keys('platinum noon')).toEqual([]);
    expect(await keys('"*" - AND')).toEqual([]);
    expect(await keys('')).toEqual([]);
    expect((await sut.store().messages.search('seller', 1)).length).toBe(1);
    expect((await sut.store().messages.search('noon', 10))[0]!.subject).toBe('Lunch on Friday');
  });
});
