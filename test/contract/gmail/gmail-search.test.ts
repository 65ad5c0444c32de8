/**
 * Late-match searches through the Gmail provider: `messages.list` with
 * `q=(from:X OR to:X OR cc:X OR bcc:X) after:<epoch seconds>`, using the operators and grouping
 * Gmail documents (support.google.com/mail/answer/7190; epoch seconds per
 * developers.google.com/gmail/api/guides/filtering), and the emulator parsing that `q`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailbox } from '../../../src/core/ports.js';
import type { SeedMessage } from '../../../src/emulators/common/mail-store.js';
import { startGmailEmulator, type GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import { gmailParticipantQuery, type GmailProvider } from '../../../src/providers/gmail/gmail-provider.js';
import { delegatedJwt } from '../../../src/providers/gmail/gmail-tokens.js';
import { providerFor } from './gmail-harness.js';

const ANN = 'ann@ours.example';
const mail = (folder: SeedMessage['folder'], at: string, h: Record<string, string>): SeedMessage => ({
  folder,
  receivedAt: at,
  headers: Object.entries({ Date: new Date(at).toUTCString(), ...h }).map(([name, value]) => ({ name, value })),
  text: 'Hello',
  html: null,
});

describe('Gmail provider: participant searches (late matching)', () => {
  let emu: GmailEmulator;
  let provider: GmailProvider;
  let box: Mailbox;
  let token: string;

  const list = async (q: string): Promise<{ status: number; count: number }> => {
    const res = await fetch(`${emu.url}/gmail/v1/users/${ANN}/messages?q=${encodeURIComponent(q)}`, { headers: { Authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { messages?: unknown[] };
    return { status: res.status, count: body.messages?.length ?? 0 };
  };

  beforeAll(async () => {
    emu = await startGmailEmulator({
      mailboxes: [
        {
          address: ANN,
          messages: [
            mail('inbox', '2026-11-20T10:00:00Z', { From: 'Pat <pat@wayne.example>', To: ANN, Subject: 'From Pat', 'Message-ID': '<a@wayne.example>' }),
            mail('sent', '2026-11-21T10:00:00Z', { From: ANN, To: 'Pat <pat@wayne.example>', Subject: 'To Pat', 'Message-ID': '<b@ours.example>' }),
            mail('inbox', '2026-11-22T10:00:00Z', { From: 'Kim <kim@labs.wayne.example>', To: ANN, Cc: 'pat@wayne.example', Subject: 'Cc Pat', 'Message-ID': '<c@wayne.example>' }),
            mail('inbox', '2026-10-01T10:00:00Z', { From: 'Pat <pat@wayne.example>', To: ANN, Subject: 'Too old', 'Message-ID': '<d@wayne.example>' }),
            mail('inbox', '2026-11-20T11:00:00Z', { From: 'Lee <lee@notwayne.example>', To: ANN, Subject: 'Other domain', 'Message-ID': '<e@notwayne.example>' }),
            mail('junk', '2026-11-20T12:00:00Z', { From: 'pat@wayne.example', To: ANN, Subject: 'Spam', 'Message-ID': '<f@wayne.example>' }),
          ],
        },
      ],
    });
    provider = providerFor(emu, { users: [ANN] });
    box = (await provider.listMailboxes())[0]!;
    token = (await delegatedJwt(emu.serviceAccount, ANN, emu.url).getAccessToken()).token!;
  });
  afterAll(async () => {
    await provider.close();
    await emu.close();
  });

  it('builds the documented query: the key as any participant, after the window start in epoch seconds', () => {
    const since = new Date('2026-11-01T00:00:00Z');
    expect(gmailParticipantQuery({ kind: 'address', key: 'pat@wayne.example', since })).toBe(
      `(from:pat@wayne.example OR to:pat@wayne.example OR cc:pat@wayne.example OR bcc:pat@wayne.example) after:${since.getTime() / 1000}`,
    );
  });

  it('finds an address as sender, recipient or cc, inbox and sent, since the date, never spam', async () => {
    const found = await provider.searchMessages(box, { kind: 'address', key: 'pat@wayne.example', since: new Date('2026-11-01T00:00:00Z') });
    expect(found.map((m) => [m.folder, m.subject]).sort()).toEqual([['inbox', 'Cc Pat'], ['inbox', 'From Pat'], ['sent', 'To Pat']]);
  });

  it('finds a domain and its subdomains, not a domain that merely ends the same way', async () => {
    const found = await provider.searchMessages(box, { kind: 'domain', key: 'wayne.example', since: new Date('2026-11-01T00:00:00Z') });
    expect(found.map((m) => m.subject).sort()).toEqual(['Cc Pat', 'From Pat', 'To Pat']);
  });

  it('the emulator reads OR tighter than the implicit AND, { } as either, - as not, YYYY/MM/DD dates, and refuses unbalanced brackets', async () => {
    // Gmail: `a OR b c` is `(a OR b) c`.
    expect((await list('from:pat@wayne.example OR to:pat@wayne.example after:2026/11/01')).count).toBe(2);
    expect((await list('{from:pat@wayne.example to:pat@wayne.example}')).count).toBe(3);
    expect((await list('from:pat@wayne.example -after:2026/11/01')).count).toBe(1);
    expect((await list('(from:pat@wayne.example')).status).toBe(400);
  });
});
