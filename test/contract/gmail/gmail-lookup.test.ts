/**
 * One message looked up live (for `mailbridge explain`): by Message-ID with `q=rfc822msgid:`
 * (spam and trash included), or by Gmail id; the folder comes from the system labels; a
 * message the mailbox lacks is null.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailbox } from '../../../src/core/ports.js';
import type { SeedMessage } from '../../../src/emulators/common/mail-store.js';
import { startGmailEmulator, type GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import type { GmailProvider } from '../../../src/providers/gmail/gmail-provider.js';
import { providerFor } from './gmail-harness.js';

const mail = (folder: SeedMessage['folder'], messageId: string, subject: string): SeedMessage => ({
  folder,
  receivedAt: '2026-11-02T10:00:00.000Z',
  headers: [
    { name: 'From', value: 'Jane <jane@acme.com>' },
    { name: 'To', value: 'ann@ours.example' },
    { name: 'Subject', value: subject },
    { name: 'Message-ID', value: messageId },
  ],
  text: 'Hello',
  html: null,
});

describe('Gmail provider: one message by Message-ID or id', () => {
  let emu: GmailEmulator;
  let provider: GmailProvider;
  let box: Mailbox;

  beforeAll(async () => {
    emu = await startGmailEmulator({
      mailboxes: [
        {
          address: 'ann@ours.example',
          messages: [mail('deleted', '<trashed-1@acme.com>', 'In the trash'), mail('sent', '<sent-1@acme.com>', 'Sent one'), mail('inbox', '<other@acme.com>', 'Unrelated')],
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

  it('finds a message by Message-ID, trash included, with its folder', async () => {
    expect(await provider.fetchMessageMeta(box, { messageId: '<trashed-1@acme.com>' })).toMatchObject({ folder: 'deleted', subject: 'In the trash' });
    expect(await provider.fetchMessageMeta(box, { messageId: 'sent-1@acme.com' })).toMatchObject({ folder: 'sent', subject: 'Sent one' });
  });

  it('gets a message by id', async () => {
    const found = await provider.fetchMessageMeta(box, { messageId: '<other@acme.com>' });
    expect(found).toMatchObject({ folder: 'inbox', subject: 'Unrelated' });
    expect(await provider.fetchMessageMeta(box, { id: found!.id })).toEqual(found);
  });

  it('returns null for a Message-ID or an id the mailbox does not hold', async () => {
    expect(await provider.fetchMessageMeta(box, { messageId: '<nowhere@acme.com>' })).toBeNull();
    expect(await provider.fetchMessageMeta(box, { id: '18c0ffee00000000' })).toBeNull();
  });
});
