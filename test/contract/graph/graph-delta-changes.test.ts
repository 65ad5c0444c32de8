/**
 * Delta rounds as Outlook gives them after the first: sparse rows for changes in place, moves
 * between folders, replays of earlier changes, a nextLink that stops working mid-round.
 *
 * Sources: concepts/delta-query-messages.md and delta-query-overview.md (updated items,
 * `@removed`, "the same entity may appear more than once", 410 SyncStateNotFound);
 * microsoft-graph-docs#7776 / docs-contrib#5544 (a read toggle returns only id, isRead,
 * parentFolderId); microsoft-graph-docs#2162 (older nextLinks fail with SyncStateNotFound).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Mailbox } from '../../../src/core/ports.js';
import type { GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import type { GraphEmulatorOptions } from '../../../src/emulators/graph/graph-emulator.js';
import { providerFor, scanAll, startSeededGraph } from './graph-harness.js';

describe('Graph delta changes after the first round', () => {
  let emu: GraphEmulator;
  afterEach(async () => emu.close());

  async function setUp(opts: GraphEmulatorOptions = {}) {
    emu = await startSeededGraph({ mailboxes: 1, messagesPerMailbox: 30, seed: 51 }, opts);
    const provider = providerFor(emu);
    const box: Mailbox = (await provider.listMailboxes())[0]!;
    const first = await scanAll(provider, box, 'inbox');
    return { provider, box, first };
  }

  async function rawDelta(link: string): Promise<Record<string, unknown>[]> {
    const form = new URLSearchParams({
      client_id: emu.credentials.clientId, client_secret: emu.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials',
    });
    const { access_token } = (await (await fetch(emu.tokenUrl, { method: 'POST', body: form })).json()) as { access_token: string };
    const page = (await (await fetch(link, { headers: { Authorization: `Bearer ${access_token}` } })).json()) as { value: Record<string, unknown>[] };
    return page.value;
  }

  it('a read toggle comes as a sparse row (id, isRead, parentFolderId) and is not yielded as a message', async () => {
    const { provider, box, first } = await setUp();
    const id = first.ids[0]!;
    emu.control.setRead(box.address, id, false);
    const rows = await rawDelta(first.cursor!);
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).filter((k) => !k.startsWith('@odata')).sort()).toEqual(['id', 'isRead', 'parentFolderId']);
    expect(rows[0]!.isRead).toBe(false);
    // Defect: the sparse row was mapped as a new message with no sender, subject or Message-ID.
    const next = await scanAll(provider, box, 'inbox', first.cursor);
    expect(next.ids).toEqual([]);
    expect(next.removed).toEqual([]);
    await provider.close();
  });

  it('a move: @removed in the folder it left, a full row in the one it entered', async () => {
    const { provider, box, first } = await setUp();
    const sent = await scanAll(provider, box, 'sent');
    const id = first.ids[1]!;
    expect(emu.control.moveMessage(box.address, id, 'other')).toBe(true);
    const out = await scanAll(provider, box, 'inbox', first.cursor);
    expect(out.removed).toEqual([id]);
    expect(out.ids).toEqual([]);
    // Back into the Inbox: yielded again, in full, so the engine can see it (its Message-ID
    // dedupe keeps it from being imported twice).
    expect(emu.control.moveMessage(box.address, id, 'inbox')).toBe(true);
    const back = await scanAll(provider, box, 'inbox', out.cursor);
    expect(back.ids).toEqual([id]);
    const sentAgain = await scanAll(provider, box, 'sent', sent.cursor);
    expect(sentAgain.ids).toEqual([]);
    await provider.close();
  });

  it('replays: the previous round\'s changes come again; each id is yielded at most once per scan', async () => {
    const { provider, box, first } = await setUp({ deltaReplays: true });
    const added = emu.control.addMessage(box.address, {
      folder: 'inbox', receivedAt: new Date().toISOString(), text: 'hello', html: null,
      headers: [{ name: 'From', value: 'a@acme.com' }, { name: 'To', value: box.address }, { name: 'Subject', value: 'x' }, { name: 'Message-ID', value: '<replay-1@acme.com>' }],
    });
    const second = await scanAll(provider, box, 'inbox', first.cursor);
    // The first round is replayed with the new mail: every id once.
    expect(new Set(second.ids)).toEqual(new Set([...first.ids, added]));
    expect(second.ids).toHaveLength(first.ids.length + 1);
    emu.control.setRead(box.address, added, false);
    const third = await scanAll(provider, box, 'inbox', second.cursor);
    // The add is replayed in full (the engine's Message-ID ledger makes it a duplicate, not an import).
    expect(third.ids).toEqual([added]);
    await provider.close();
  });

  it('a nextLink that expires mid-round: one resync of the folder, each message once', async () => {
    emu = await startSeededGraph({ mailboxes: 1, messagesPerMailbox: 80, seed: 52 });
    const provider = providerFor(emu, { pageSize: 10 });
    const box = (await provider.listMailboxes())[0]!;
    const ids: string[] = [];
    let pages = 0;
    for await (const page of provider.scan(box, 'inbox', null, { since: new Date('2020-01-01T00:00:00Z') })) {
      ids.push(...page.messages.map((m) => m.id));
      if (++pages === 2) emu.control.expireDelta(box.address, 'inbox');
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(emu.control.messageIds(box.address, 'inbox')));
    await provider.close();
  });
});
