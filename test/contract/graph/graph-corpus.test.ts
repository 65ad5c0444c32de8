/**
 * The Graph emulator seeded from real mail (the Enron corpus, read in place) serves it through
 * the SDK with its Message-IDs and headers intact.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMailboxes } from '../../../src/emulators/common/mail-seed.js';
import { startGraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import { providerFor } from './graph-harness.js';

const ENRON = fileURLToPath(new URL('../../../../shared/corpora/enron-dev', import.meta.url));

describe.skipIf(!existsSync(ENRON))('Graph emulator seeded from the Enron corpus', () => {
  it('serves every parsed inbox message once, with its Message-ID', async () => {
    const mailboxes = await loadMailboxes(ENRON, 'enron.com', { limit: 2, perMailbox: 40 });
    expect(mailboxes).toHaveLength(2);
    const emu = await startGraphEmulator({ mailboxes });
    const provider = providerFor(emu);
    try {
      for (const seeded of mailboxes) {
        const box = (await provider.listMailboxes()).find((b) => b.address === seeded.address)!;
        const metas = [];
        for await (const page of provider.scan(box, 'inbox', null, { since: new Date('1980-01-01T00:00:00Z') })) metas.push(...page.messages);
        const expected = seeded.messages.filter((m) => m.folder === 'inbox');
        expect(expected.length).toBeGreaterThan(0);
        expect(metas).toHaveLength(expected.length);
        const seededIds = expected.map((m) => m.headers.find((h) => h.name === 'Message-ID')?.value).sort();
        expect(metas.map((m) => m.messageId).sort()).toEqual(seededIds);
        expect(metas.every((m) => m.from !== null && m.headers['date'] !== undefined)).toBe(true);
      }
    } finally {
      await provider.close();
      await emu.close();
    }
  });
});
