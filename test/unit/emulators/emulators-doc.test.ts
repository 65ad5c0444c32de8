/**
 * docs/emulators.md "Trying it on the emulators" says what works: the `--mail` folder layout
 * (one sub-folder per user, Sent by folder name) and the control route's message shape (its
 * example is posted as written).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMailboxes } from '../../../src/emulators/common/mail-seed.js';
import { startGraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';

const doc = readFileSync(new URL('../../../docs/emulators.md', import.meta.url), 'utf8');

const eml = (subject: string, from: string, to: string) =>
  `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nDate: Mon, 04 May 2026 09:30:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '')}@x.example>\r\n\r\nHello\r\n`;

describe('docs/emulators.md', () => {
  it('the --mail layout: one mailbox per sub-folder, the Sent folder by its name', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mailbridge-mail-'));
    for (const dir of ['ana/inbox', 'ana/sent', 'bo']) mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, 'ana/inbox/0001.eml'), eml('Renewal', 'jane@customer.example', 'ana@acme.com'));
    writeFileSync(join(root, 'ana/sent/0002.eml'), eml('Re Renewal', 'ana@acme.com', 'jane@customer.example'));
    writeFileSync(join(root, 'bo/0003.eml'), eml('Hello', 'kim@customer.example', 'bo@acme.com'));
    const boxes = await loadMailboxes(root, 'acme.com');
    expect(boxes.map((b) => [b.address, b.messages.map((m) => m.folder).sort()])).toEqual([
      ['ana@acme.com', ['inbox', 'sent']],
      ['bo@acme.com', ['inbox']],
    ]);
  });

  it("the control route's example message is accepted as documented", async () => {
    const example = /```json\n([\s\S]*?)\n```/.exec(doc.slice(doc.indexOf('## Trying it on the emulators')))![1]!;
    const graph = await startGraphEmulator({ mailboxes: [{ address: 'ana@acme.com', messages: [] }] });
    try {
      const res = await fetch(`${graph.url}/__mock/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: example });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { id: string }).id).toBeTruthy();
      const box = graph.store.mailboxes().find((b) => b.address === 'ana@acme.com')!;
      expect(box.messages.map((m) => m.headers.find((h) => h.name === 'Subject')?.value)).toEqual(['Renewal pricing']);
    } finally {
      await graph.close();
    }
  });
});
