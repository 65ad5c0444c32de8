/**
 * Late-match searches through the Graph provider: `$search` with KQL `participants:` and
 * `received>=` over the inbox and sent items, and the emulator holding the service's rules for
 * it (learn.microsoft.com/graph/search-query-parameter: message `$search` takes no `$filter` or
 * `$orderby`, its value is quoted; `participants` covers from, to, cc and bcc).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailbox } from '../../../src/core/ports.js';
import type { SeedMessage } from '../../../src/emulators/common/mail-store.js';
import { startGraphEmulator, type GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import type { GraphProvider } from '../../../src/providers/graph/graph-provider.js';
import { providerFor } from './graph-harness.js';

const ANN = 'ann@ours.example';
const mail = (folder: SeedMessage['folder'], at: string, h: Record<string, string>): SeedMessage => ({
  folder,
  receivedAt: at,
  headers: Object.entries({ Date: new Date(at).toUTCString(), ...h }).map(([name, value]) => ({ name, value })),
  text: 'Hello',
  html: null,
});

describe('Graph provider: participant searches (late matching)', () => {
  let emu: GraphEmulator;
  let provider: GraphProvider;
  let box: Mailbox;
  let token: string;

  const status = async (query: string): Promise<number> =>
    (await fetch(`${emu.url}/v1.0/users/${box.id}/mailFolders/inbox/messages?${query}`, { headers: { Authorization: `Bearer ${token}` } })).status;

  beforeAll(async () => {
    emu = await startGraphEmulator({
      mailboxes: [
        {
          address: ANN,
          messages: [
            mail('inbox', '2026-11-20T10:00:00Z', { From: 'Pat <pat@wayne.example>', To: ANN, Subject: 'From Pat', 'Message-ID': '<a@wayne.example>' }),
            mail('sent', '2026-11-21T10:00:00Z', { From: ANN, To: 'Pat <pat@wayne.example>', Subject: 'To Pat', 'Message-ID': '<b@ours.example>' }),
            mail('inbox', '2026-11-22T10:00:00Z', { From: 'Kim <kim@labs.wayne.example>', To: ANN, Cc: 'pat@wayne.example', Subject: 'Cc Pat', 'Message-ID': '<c@wayne.example>' }),
            mail('inbox', '2026-10-01T10:00:00Z', { From: 'Pat <pat@wayne.example>', To: ANN, Subject: 'Too old', 'Message-ID': '<d@wayne.example>' }),
            mail('inbox', '2026-11-20T11:00:00Z', { From: 'Lee <lee@notwayne.example>', To: ANN, Subject: 'Other domain', 'Message-ID': '<e@notwayne.example>' }),
            mail('junk', '2026-11-20T12:00:00Z', { From: 'pat@wayne.example', To: ANN, Subject: 'Junk', 'Message-ID': '<f@wayne.example>' }),
          ],
        },
      ],
    });
    provider = providerFor(emu);
    box = (await provider.listMailboxes())[0]!;
    const form = new URLSearchParams({
      client_id: emu.credentials.clientId, client_secret: emu.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials',
    });
    token = ((await (await fetch(emu.tokenUrl, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await provider.close();
    await emu.close();
  });

  it('finds an address as sender, recipient or cc, in the inbox and sent items, since the date only', async () => {
    const found = await provider.searchMessages(box, { kind: 'address', key: 'pat@wayne.example', since: new Date('2026-11-01T00:00:00Z') });
    expect(found.map((m) => [m.folder, m.subject]).sort()).toEqual([['inbox', 'Cc Pat'], ['inbox', 'From Pat'], ['sent', 'To Pat']]);
  });

  it('finds a domain and its subdomains, not a domain that merely ends the same way', async () => {
    const found = await provider.searchMessages(box, { kind: 'domain', key: 'wayne.example', since: new Date('2026-11-01T00:00:00Z') });
    expect(found.map((m) => m.subject).sort()).toEqual(['Cc Pat', 'From Pat', 'To Pat']);
  });

  it('the emulator refuses $search with $filter or $orderby, an unquoted value and $search on delta, as the service does', async () => {
    const search = encodeURIComponent('"participants:pat@wayne.example"');
    expect(await status(`$search=${search}`)).toBe(200);
    expect(await status(`$search=${search}&$filter=${encodeURIComponent('receivedDateTime ge 2026-11-01T00:00:00Z')}`)).toBe(400);
    expect(await status(`$search=${search}&$orderby=receivedDateTime`)).toBe(400);
    expect(await status(`$search=${encodeURIComponent('participants:pat@wayne.example')}`)).toBe(400);
    const delta = await fetch(`${emu.url}/v1.0/users/${box.id}/mailFolders/inbox/messages/delta?$search=${search}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(delta.status).toBe(400);
  });
});
