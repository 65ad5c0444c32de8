/**
 * One message looked up live (for `mailbridge explain`): by Message-ID over the whole mailbox
 * with `$filter=internetMessageId eq '…'`, or by Graph id; the folder comes from comparing
 * `parentFolderId` with the well-known folders; a message the mailbox lacks is null.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailbox } from '../../../src/core/ports.js';
import type { SeedMessage } from '../../../src/emulators/common/mail-store.js';
import { startGraphEmulator, type GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import type { GraphProvider } from '../../../src/providers/graph/graph-provider.js';
import { providerFor } from './graph-harness.js';

const mail = (folder: SeedMessage['folder'], messageId: string, subject: string): SeedMessage => ({
  folder,
  receivedAt: '2026-11-02T10:00:00.000Z',
  headers: [
    { name: 'From', value: 'Jane <jane@acme.com>' },
    { name: 'To', value: 'ann@ours.example' },
    { name: 'Subject', value: subject },
    { name: 'Message-ID', value: messageId },
    { name: 'Date', value: 'Mon, 02 Nov 2026 10:00:00 +0000' },
  ],
  text: 'Hello',
  html: null,
});

describe('Graph provider: one message by Message-ID or id', () => {
  let emu: GraphEmulator;
  let provider: GraphProvider;
  let box: Mailbox;

  beforeAll(async () => {
    emu = await startGraphEmulator({
      mailboxes: [
        {
          address: 'ann@ours.example',
          messages: [
            mail('deleted', "<o'brien-1@acme.com>", 'Deleted copy'),
            mail('inbox', "<o'brien-1@acme.com>", 'Inbox copy'),
            mail('junk', '<junk-1@acme.com>', 'Junk only'),
            mail('inbox', '<other@acme.com>', 'Unrelated'),
          ],
        },
      ],
    });
    provider = providerFor(emu);
    box = (await provider.listMailboxes())[0]!;
  });
  afterAll(async () => {
    await provider.close();
    await emu.close();
  });

  it('finds a message by Message-ID in any folder, preferring the inbox copy (quotes escaped, brackets optional)', async () => {
    const meta = await provider.fetchMessageMeta(box, { messageId: "o'brien-1@acme.com" });
    expect(meta).toMatchObject({ folder: 'inbox', subject: 'Inbox copy', messageId: "<o'brien-1@acme.com>" });
    expect(meta!.from).toEqual({ name: 'Jane', address: 'jane@acme.com' });
  });

  it('reports the folder of a copy outside inbox and sent', async () => {
    expect(await provider.fetchMessageMeta(box, { messageId: '<junk-1@acme.com>' })).toMatchObject({ folder: 'junk', subject: 'Junk only' });
  });

  it('gets a message by id, with its folder', async () => {
    const found = await provider.fetchMessageMeta(box, { messageId: '<other@acme.com>' });
    const byId = await provider.fetchMessageMeta(box, { id: found!.id });
    expect(byId).toEqual(found);
  });

  it('returns null for a Message-ID or an id the mailbox does not hold', async () => {
    expect(await provider.fetchMessageMeta(box, { messageId: '<nowhere@acme.com>' })).toBeNull();
    expect(await provider.fetchMessageMeta(box, { id: 'AAMkbm90LWEtbWVzc2FnZQ=' })).toBeNull();
  });
});
