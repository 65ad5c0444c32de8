/**
 * Graph delta scans through the real SDK against the emulator: paging, delta rounds, expired
 * cursors, and no body ever fetched by a scan.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import type { GraphProvider } from '../../../src/providers/graph/graph-provider.js';
import type { Mailbox } from '../../../src/core/ports.js';
import { backfillStart } from '../../../src/core/backfill-window.js';
import { providerFor, scanAll, startSeededGraph, SINCE } from './graph-harness.js';

const newMail = (n: number) => ({
  folder: 'inbox' as const,
  receivedAt: new Date(Date.UTC(2026, 10, 20, 12, n)).toISOString(),
  headers: [
    { name: 'From', value: `Buyer ${n} <buyer${n}@acme.com>` },
    { name: 'To', value: 'ann@ours.example' },
    { name: 'Subject', value: `New order ${n}` },
    { name: 'Message-ID', value: `<new-${n}@acme.com>` },
    { name: 'In-Reply-To', value: `<older-${n}@ours.example>` },
    { name: 'List-Id', value: n === 1 ? '<news.acme.com>' : '' },
  ].filter((h) => h.value !== ''),
  text: `order ${n}`,
  html: null,
});

describe('Graph provider scan against the emulator', () => {
  let emu: GraphEmulator;
  let provider: GraphProvider;
  let box: Mailbox;

  beforeAll(async () => {
    emu = await startSeededGraph({ mailboxes: 2, messagesPerMailbox: 300, seed: 7 });
    provider = providerFor(emu);
    box = (await provider.listMailboxes())[0]!;
  });
  afterEach(() => emu.control.clearFaults());
  afterAll(async () => {
    await provider.close();
    await emu.close();
  });

  it('follows nextLinks across many pages and yields each inbox message once', async () => {
    const before = emu.emulator.counters.get('messages.delta');
    const result = await scanAll(provider, box, 'inbox');
    const expected = emu.control.messageIds(box.address, 'inbox');
    expect(expected.length).toBeGreaterThan(150);
    expect(new Set(result.ids).size).toBe(result.ids.length);
    expect([...result.ids].sort()).toEqual([...expected].sort());
    expect(result.pages).toBe(Math.ceil(expected.length / 25));
    expect(emu.emulator.counters.get('messages.delta') - before).toBe(result.pages);
    expect(result.cursor).toContain('$deltatoken=');
  });

  it('maps metadata and headers, and never scans drafts, deleted items or junk', async () => {
    const inbox = [];
    for await (const page of provider.scan(box, 'inbox', null, { since: SINCE })) inbox.push(...page.messages);
    const sent = (await scanAll(provider, box, 'sent')).ids;
    const excluded = [
      ...emu.control.messageIds(box.address, 'drafts'),
      ...emu.control.messageIds(box.address, 'deleted'),
      ...emu.control.messageIds(box.address, 'junk'),
    ];
    expect(excluded.length).toBeGreaterThan(0);
    for (const id of excluded) expect([...inbox.map((m) => m.id), ...sent]).not.toContain(id);
    const sample = inbox[0]!;
    expect(sample.folder).toBe('inbox');
    expect(sample.messageId).toMatch(/^<.+@.+>$/);
    expect(sample.to[0]?.address).toBe(box.address);
    expect(sample.headers['message-id']).toEqual([sample.messageId]);
    expect(inbox.some((m) => m.headers['list-unsubscribe'] !== undefined)).toBe(true);
  });

  it('delta rounds: added and deleted mail, then a quiet round trip', async () => {
    const first = await scanAll(provider, box, 'inbox');
    const gone = first.ids.slice(0, 2);
    for (const id of gone) expect(emu.control.deleteMessage(box.address, id)).toBe(true);
    const added = [1, 2, 3].map((n) => emu.control.addMessage(box.address, newMail(n)));
    emu.control.addMessage(box.address, { ...newMail(9), folder: 'sent' });

    const second = await scanAll(provider, box, 'inbox', first.cursor);
    expect([...second.ids].sort()).toEqual([...added].sort());
    expect([...second.removed].sort()).toEqual([...gone].sort());

    const third = await scanAll(provider, box, 'inbox', second.cursor);
    expect(third.ids).toEqual([]);
    expect(third.removed).toEqual([]);

    // A message added and deleted between two rounds never shows up.
    const transient = emu.control.addMessage(box.address, newMail(4));
    emu.control.deleteMessage(box.address, transient);
    const fourth = await scanAll(provider, box, 'inbox', third.cursor);
    expect(fourth.ids).toEqual([]);
    expect(fourth.removed).toEqual([]);

    const meta = [];
    const fifthCursor = fourth.cursor;
    const added5 = emu.control.addMessage(box.address, newMail(5));
    for await (const page of provider.scan(box, 'inbox', fifthCursor, { since: SINCE })) meta.push(...page.messages);
    expect(meta.map((m) => m.id)).toEqual([added5]);
    expect(meta[0]!.inReplyTo).toBe('<older-5@ours.example>');
    expect(meta[0]!.from).toEqual({ name: 'Buyer 5', address: 'buyer5@acme.com' });
  });

  it('an expired delta token triggers one bounded resync without duplicates', async () => {
    const first = await scanAll(provider, box, 'inbox');
    emu.control.expireDelta(box.address, 'inbox');
    const added = emu.control.addMessage(box.address, newMail(6));
    const gone = emu.emulator.counters.get('messages.delta');
    const resync = await scanAll(provider, box, 'inbox', first.cursor);
    expect(new Set(resync.ids).size).toBe(resync.ids.length);
    expect([...resync.ids].sort()).toEqual([...emu.control.messageIds(box.address, 'inbox')].sort());
    expect(resync.ids).toContain(added);
    // The 410 plus one full round at 25 per page: nothing more.
    expect(emu.emulator.counters.get('messages.delta') - gone).toBe(1 + resync.pages);
  });

  it('a sync state lost in the middle of a round restarts it and still yields each message once', async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of provider.scan(box, 'inbox', null, { since: SINCE })) {
      ids.push(...page.messages.map((m) => m.id));
      pages += 1;
      if (pages === 3) emu.control.expireDelta(box.address, 'inbox');
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...emu.control.messageIds(box.address, 'inbox')].sort());
  });

  it('the backfill window (oldest open deal of the owner, else 7 days) bounds the first scan', async () => {
    const all = emu.store.liveAt(box.address).filter((m) => m.folder === 'inbox');
    const cut = all.map((m) => m.receivedAt).sort()[Math.floor(all.length / 2)]!;
    const deal = (id: string, createdDate: string, isClosed: boolean, ownerId: string) => ({
      id, accountId: 'a1', name: id, isClosed, closeDate: null, createdDate, lastModified: createdDate, ownerId, contactRoles: [],
    });
    const deals = [deal('d1', cut, false, 'u1'), deal('d2', '2019-01-01', true, 'u1'), deal('d3', '2019-01-01', false, 'u2')];
    const now = new Date(Date.parse(all.map((m) => m.receivedAt).sort().at(-1)!) + 3_600_000);
    const since = backfillStart(deals, 'u1', now);
    expect(since.toISOString()).toBe(new Date(cut).toISOString());
    const ids: string[] = [];
    for await (const page of provider.scan(box, 'inbox', null, { since })) ids.push(...page.messages.map((m) => m.id));
    expect(ids.length).toBe(all.filter((m) => m.receivedAt >= cut).length);
    expect(ids.length).toBeLessThan(all.length);

    const week = backfillStart(deals, 'nobody', now);
    expect(now.getTime() - week.getTime()).toBe(7 * 24 * 3_600_000);
    const recent: string[] = [];
    for await (const page of provider.scan(box, 'inbox', null, { since: week })) recent.push(...page.messages.map((m) => m.id));
    expect(recent.length).toBe(all.filter((m) => Date.parse(m.receivedAt) >= week.getTime()).length);
    expect(recent.length).toBeLessThan(ids.length);
  });

  it('a scan fetches no body; fetchBodies fetches exactly the requested ids, in batches of 20', async () => {
    const before = emu.control.bodyRequests().length;
    const scanned = await scanAll(provider, box, 'inbox');
    expect(emu.control.bodyRequests().length).toBe(before);
    const wanted = scanned.ids.filter((_, i) => i % 5 === 0).slice(0, 45);
    const batchesBefore = emu.emulator.counters.get('batch');
    const bodies = await provider.fetchBodies(box, wanted);
    expect([...bodies.keys()].sort()).toEqual([...wanted].sort());
    const served = emu.control.bodyRequests().slice(before).map((r) => r.id);
    expect([...served].sort()).toEqual([...wanted].sort());
    expect(emu.emulator.counters.get('batch') - batchesBefore).toBe(Math.ceil(wanted.length / 20));
    const one = bodies.get(wanted[0]!)!;
    expect(one.text ?? one.html).toMatch(/About/);
  });

  it('a deleted message is simply absent from fetched bodies', async () => {
    const ids = emu.control.messageIds(box.address, 'inbox').slice(-3);
    emu.control.deleteMessage(box.address, ids[0]!);
    const bodies = await provider.fetchBodies(box, ids);
    expect([...bodies.keys()].sort()).toEqual(ids.slice(1).sort());
  });
});

describe('Graph Sent Items without internetMessageHeaders', () => {
  it('still yields participants, Message-ID and the sent time from the typed properties', async () => {
    const emu = await startSeededGraph({ mailboxes: 1, messagesPerMailbox: 40, seed: 17 }, { sentItemsWithoutHeaders: true });
    const provider = providerFor(emu);
    try {
      const box = (await provider.listMailboxes())[0]!;
      const sent = [];
      for await (const page of provider.scan(box, 'sent', null, { since: SINCE })) sent.push(...page.messages);
      expect(sent.length).toBe(emu.control.messageIds(box.address, 'sent').length);
      for (const m of sent) {
        expect(m.headers).toEqual({});
        expect(m.messageId).toMatch(/^<.+>$/);
        expect(m.from?.address).toBe(box.address);
        expect(m.to.length).toBe(1);
        expect(m.sentAt).not.toBeNull();
      }
    } finally {
      await provider.close();
      await emu.close();
    }
  });
});
