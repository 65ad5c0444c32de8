/**
 * Gmail scans through `@googleapis/gmail` against the emulator: full sync by label across pages,
 * history rounds, expired history, and bodies only for requested ids.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import type { GmailProvider } from '../../../src/providers/gmail/gmail-provider.js';
import type { Mailbox } from '../../../src/core/ports.js';
import { providerFor, scanAll, startSeededGmail, SINCE } from './gmail-harness.js';

const newMail = (n: number) => ({
  folder: 'inbox' as const,
  receivedAt: new Date(Date.UTC(2026, 10, 20, 12, n)).toISOString(),
  headers: [
    { name: 'From', value: `"Buyer, ${n}" <buyer${n}@acme.com>` },
    { name: 'To', value: 'ann@ours.example, "Kim" <kim@ours.example>' },
    { name: 'Subject', value: `Order ${n}` },
    { name: 'Message-ID', value: `<gnew-${n}@acme.com>` },
    { name: 'References', value: `<a-${n}@ours.example> <b-${n}@acme.com>` },
  ],
  text: `plain ${n}`,
  html: `<p>html ${n}</p>`,
});

describe('Gmail provider scan against the emulator', () => {
  let emu: GmailEmulator;
  let provider: GmailProvider;
  let box: Mailbox;

  beforeAll(async () => {
    emu = await startSeededGmail({ mailboxes: 2, messagesPerMailbox: 200, seed: 9 });
    provider = providerFor(emu);
    box = (await provider.listMailboxes())[0]!;
  });
  afterEach(() => emu.control.clearFaults());
  afterAll(async () => {
    await provider.close();
    await emu.close();
  });

  it('lists the INBOX label across many pages; never drafts, trash or spam', async () => {
    const lists = emu.emulator.counters.get('messages.list');
    const result = await scanAll(provider, box, 'inbox');
    const expected = emu.control.messageIds(box.address, 'inbox');
    expect(expected.length).toBeGreaterThan(100);
    expect(new Set(result.ids).size).toBe(result.ids.length);
    expect([...result.ids].sort()).toEqual([...expected].sort());
    expect(emu.emulator.counters.get('messages.list') - lists).toBe(Math.ceil(expected.length / 20));
    const excluded = ['drafts', 'deleted', 'junk'].flatMap((f) => emu.control.messageIds(box.address, f as 'drafts'));
    expect(excluded.length).toBeGreaterThan(0);
    const sent = await scanAll(provider, box, 'sent');
    for (const id of excluded) expect([...result.ids, ...sent.ids]).not.toContain(id);
    expect(result.cursor).toMatch(/^h:\d+$/);
  });

  it('maps every header of format=metadata and fetches no body while scanning', async () => {
    const before = emu.control.bodyRequests().length;
    const added = emu.control.addMessage(box.address, newMail(1));
    const metas = [];
    for await (const page of provider.scan(box, 'inbox', null, { since: new Date('2026-11-20T00:00:00Z') })) metas.push(...page.messages);
    expect(emu.control.bodyRequests().length).toBe(before);
    const m = metas.find((x) => x.id === added)!;
    expect(m.from).toEqual({ name: 'Buyer, 1', address: 'buyer1@acme.com' });
    expect(m.to.map((a) => a.address)).toEqual(['ann@ours.example', 'kim@ours.example']);
    expect(m.references).toEqual(['<a-1@ours.example>', '<b-1@acme.com>']);
    expect(m.messageId).toBe('<gnew-1@acme.com>');
    expect(m.sentAt).toBe('2026-11-20T12:01:00.000Z');
    expect(m.headers.subject).toEqual(['Order 1']);
  });

  it('history rounds: added and deleted mail, then a quiet round trip', async () => {
    const first = await scanAll(provider, box, 'inbox');
    const gone = first.ids.slice(0, 2);
    for (const id of gone) expect(emu.control.deleteMessage(box.address, id)).toBe(true);
    const added = [2, 3, 4].map((n) => emu.control.addMessage(box.address, newMail(n)));
    emu.control.addMessage(box.address, { ...newMail(5), folder: 'sent' });
    const second = await scanAll(provider, box, 'inbox', first.cursor);
    expect([...second.ids].sort()).toEqual([...added].sort());
    expect([...second.removed].sort()).toEqual([...gone].sort());
    const third = await scanAll(provider, box, 'inbox', second.cursor);
    expect(third.ids).toEqual([]);
    expect(third.removed).toEqual([]);
  });

  it('history pages are followed and resume points move forward', async () => {
    const first = await scanAll(provider, box, 'inbox');
    const added = Array.from({ length: 45 }, (_, i) => emu.control.addMessage(box.address, newMail(10 + i)));
    const cursors: string[] = [];
    const ids: string[] = [];
    for await (const page of provider.scan(box, 'inbox', first.cursor, { since: SINCE })) {
      cursors.push(page.cursor);
      ids.push(...page.messages.map((m) => m.id));
    }
    expect(cursors.length).toBe(3);
    const numbers = cursors.map((c) => Number(c.slice(2)));
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    expect([...ids].sort()).toEqual([...added].sort());
  });

  it('history older than retained → 404 → one bounded resync without duplicates', async () => {
    const first = await scanAll(provider, box, 'inbox');
    emu.control.expireHistory(box.address);
    const added = emu.control.addMessage(box.address, newMail(70));
    const before = emu.emulator.counters.get('history.list');
    const since = new Date('2026-01-01T00:00:00Z');
    const resync = await scanAll(provider, box, 'inbox', first.cursor, since);
    expect(emu.emulator.counters.get('history.list') - before).toBe(1);
    expect(new Set(resync.ids).size).toBe(resync.ids.length);
    const window = emu.store.liveAt(box.address).filter((m) => m.folder === 'inbox' && m.receivedAt >= since.toISOString());
    expect(resync.ids.length).toBe(window.length);
    expect(resync.ids).toContain(added);
    const after = await scanAll(provider, box, 'inbox', resync.cursor);
    expect(after.ids).toEqual([]);
  });

  it('fetchBodies fetches exactly the requested ids with format=full, text and HTML', async () => {
    const ids = emu.control.messageIds(box.address, 'inbox');
    const wanted = ids.filter((_, i) => i % 4 === 0).slice(0, 30);
    const before = emu.control.bodyRequests().length;
    const bodies = await provider.fetchBodies(box, wanted);
    expect([...bodies.keys()].sort()).toEqual([...wanted].sort());
    expect(emu.control.bodyRequests().slice(before).map((r) => r.id).sort()).toEqual([...wanted].sort());
    const added = emu.control.addMessage(box.address, newMail(80));
    const one = (await provider.fetchBodies(box, [added])).get(added)!;
    expect(one).toEqual({ text: 'plain 80', html: '<p>html 80</p>' });
    emu.control.deleteMessage(box.address, added);
    expect((await provider.fetchBodies(box, [added, wanted[0]!])).size).toBe(1);
  });
});
