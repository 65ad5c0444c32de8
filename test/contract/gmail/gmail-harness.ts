/**
 * Shared set-up for the Gmail contract tests: an emulator seeded by the generator and a provider
 * pointed at it by configuration only (rootUrl and the token origin).
 */
import { generateMailboxes, type GeneratorOptions } from '../../../src/emulators/common/mailbox-generator.js';
import { startGmailEmulator, type GmailEmulator, type GmailEmulatorOptions } from '../../../src/emulators/gmail/gmail-emulator.js';
import { GmailProvider, type GmailProviderConfig } from '../../../src/providers/gmail/gmail-provider.js';
import type { Mailbox, ScanFolder } from '../../../src/core/ports.js';

export const SINCE = new Date('2020-01-01T00:00:00Z');

export async function startSeededGmail(gen: Partial<GeneratorOptions> = {}, opts: GmailEmulatorOptions = {}): Promise<GmailEmulator> {
  const { mailboxes } = generateMailboxes({ mailboxes: 2, messagesPerMailbox: 60, ...gen });
  // A roomy quota keeps the repeated full syncs of these tests fast; gmail-limits tests the real one.
  return startGmailEmulator({ mailboxes, ...opts, limits: { unitsPerWindow: 100_000, ...opts.limits } });
}

export function providerFor(emu: GmailEmulator, config: Partial<GmailProviderConfig> = {}): GmailProvider {
  return new GmailProvider({
    mode: 'company',
    users: emu.store.mailboxes().map((b) => b.address),
    serviceAccount: emu.serviceAccount,
    oauthClient: emu.oauthClient,
    rootUrl: `${emu.url}/`,
    tokenOrigin: emu.url,
    retry: { maxAttempts: 6, baseDelayMs: 20, maxDelayMs: 2_000 },
    requestTimeoutMs: 2_000,
    pageSize: 20,
    batchSize: 20,
    limits: { limit: 100_000, windowMs: 60_000, concurrency: 8 },
    ...config,
  });
}

export async function scanAll(
  provider: GmailProvider,
  mailbox: Mailbox,
  folder: ScanFolder,
  cursor: string | null = null,
  since: Date = SINCE,
): Promise<{ ids: string[]; removed: string[]; cursor: string | null; pages: number }> {
  const ids: string[] = [];
  const removed: string[] = [];
  let last: string | null = cursor;
  let pages = 0;
  for await (const page of provider.scan(mailbox, folder, cursor, { since })) {
    pages += 1;
    ids.push(...page.messages.map((m) => m.id));
    removed.push(...page.removedIds);
    last = page.cursor;
  }
  return { ids, removed, cursor: last, pages };
}
