/**
 * The Gmail emulator seeded from real mail (the Enron corpus, read in place): metadata and full
 * bodies come back through the client as they were in the files.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMailbox } from '../../../src/emulators/common/mail-seed.js';
import { startGmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import { providerFor } from './gmail-harness.js';

const ENRON = fileURLToPath(new URL('../../../../shared/corpora/enron-dev', import.meta.url));
const MAILBOX = 'lavorato-j';

describe.skipIf(!existsSync(ENRON))('Gmail emulator seeded from the Enron corpus', () => {
  it('serves the parsed inbox with its headers and bodies', async () => {
    const seeded = await loadMailbox(`${ENRON}/${MAILBOX}`, `${MAILBOX}@enron.com`, { limit: 30 });
    const emu = await startGmailEmulator({ mailboxes: [seeded] });
    const provider = providerFor(emu);
    try {
      const box = (await provider.listMailboxes())[0]!;
      const metas = [];
      for await (const page of provider.scan(box, 'inbox', null, { since: new Date('1980-01-01T00:00:00Z') })) metas.push(...page.messages);
      const inbox = seeded.messages.filter((m) => m.folder === 'inbox');
      expect(metas).toHaveLength(inbox.length);
      expect(metas.map((m) => m.subject).sort()).toEqual(inbox.map((m) => m.headers.find((h) => h.name === 'Subject')?.value ?? '').sort());
      const bodies = await provider.fetchBodies(box, metas.slice(0, 5).map((m) => m.id));
      const texts = new Set(inbox.map((m) => m.text));
      for (const body of bodies.values()) expect(texts.has(body.text)).toBe(true);
    } finally {
      await provider.close();
      await emu.close();
    }
  });
});
