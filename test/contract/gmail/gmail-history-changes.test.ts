/**
 * History records beyond added and deleted mail: label changes for moves (into the Inbox from
 * elsewhere, to Trash) and read toggles, and records carrying only `messages[]`.
 *
 * Sources: `@googleapis/gmail` `Schema$History` (messagesAdded, messagesDeleted, labelsAdded,
 * labelsRemoved, messages), developers.google.com/gmail/api/guides/sync and guides/labels
 * (trash is the TRASH label; messagesDeleted is a permanent delete); API_NOTES §2.4, §12.4;
 * pimalaya/himalaya#753 (history messages may carry only ids).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mailbox } from '../../../src/core/ports.js';
import type { SeedMessage } from '../../../src/emulators/common/mail-store.js';
import type { GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import { delegatedJwt } from '../../../src/providers/gmail/gmail-tokens.js';
import { providerFor, scanAll, startSeededGmail } from './gmail-harness.js';

const archived = (box: string): SeedMessage => ({
  folder: 'other', receivedAt: new Date().toISOString(), text: 'an offer', html: null,
  headers: [{ name: 'From', value: 'buyer@acme.com' }, { name: 'To', value: box }, { name: 'Subject', value: 'Offer' }, { name: 'Message-ID', value: '<offer-1@acme.com>' }],
});

interface HistoryBody {
  history?: Record<string, unknown>[];
}

describe('Gmail history label changes', () => {
  let emu: GmailEmulator;
  let box: Mailbox;

  beforeEach(async () => {
    emu = await startSeededGmail({ mailboxes: 1, messagesPerMailbox: 20, seed: 61 });
    box = { id: emu.store.mailboxes()[0]!.address, address: emu.store.mailboxes()[0]!.address };
  });
  afterEach(async () => emu.close());

  async function history(startHistoryId: string, types: string[]): Promise<HistoryBody> {
    const token = (await delegatedJwt(emu.serviceAccount, box.address, emu.url).getAccessToken()).token!;
    const query = new URLSearchParams({ startHistoryId });
    for (const t of types) query.append('historyTypes', t);
    return (await (await fetch(`${emu.url}/gmail/v1/users/${box.address}/history?${query}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as HistoryBody;
  }

  it('mail moved into the Inbox from the archive is scanned in the next round', async () => {
    const id = emu.control.addMessage(box.address, archived(box.address));
    const provider = providerFor(emu);
    const first = await scanAll(provider, box, 'inbox');
    expect(first.ids).not.toContain(id);
    emu.control.moveMessage(box.address, id, 'inbox');
    // Defect: only messageAdded/messageDeleted were asked for, so the move was never seen.
    const next = await scanAll(provider, box, 'inbox', first.cursor);
    expect(next.ids).toEqual([id]);
    await provider.close();
  });

  it('the move is a record with labelsRemoved and labelsAdded; filtered out, it still comes with messages[] only', async () => {
    const id = emu.control.addMessage(box.address, archived(box.address));
    const start = (await scanAll(providerFor(emu), box, 'inbox')).cursor!.split(':')[1]!;
    emu.control.moveMessage(box.address, id, 'inbox');
    const full = await history(start, []);
    expect(full.history).toHaveLength(1);
    const record = full.history![0]! as { labelsAdded: { labelIds: string[] }[]; labelsRemoved: { labelIds: string[] }[]; messages: { id: string }[] };
    expect(record.labelsAdded[0]!.labelIds).toContain('INBOX');
    expect(record.labelsRemoved[0]!.labelIds).toContain('CATEGORY_UPDATES');
    expect(record.messages).toEqual([expect.objectContaining({ id })]);
    const bare = await history(start, ['messageAdded']);
    expect(Object.keys(bare.history![0]!).sort()).toEqual(['id', 'messages']);
  });

  it('mail trashed after its import is kept: no removal, no new message; a read toggle is nothing', async () => {
    const provider = providerFor(emu);
    const first = await scanAll(provider, box, 'inbox');
    const [trashed, read] = first.ids;
    emu.control.moveMessage(box.address, trashed!, 'deleted');
    emu.control.setRead(box.address, read!, false);
    const start = first.cursor!.split(':')[1]!;
    const records = (await history(start, ['labelAdded', 'labelRemoved'])).history!;
    expect(records.map((r) => Object.keys(r).filter((k) => k.startsWith('labels')).sort())).toEqual([['labelsAdded', 'labelsRemoved'], ['labelsAdded']]);
    const next = await scanAll(provider, box, 'inbox', first.cursor);
    expect(next.ids).toEqual([]);
    expect(next.removed).toEqual([]);
    await provider.close();
  });
});
