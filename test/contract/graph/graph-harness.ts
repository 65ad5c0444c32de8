/**
 * Shared set-up for the Graph contract tests: an emulator seeded by the generator and a provider
 * pointed at it by configuration only (base URL and MSAL network client).
 */
import { generateMailboxes, type GeneratorOptions } from '../../../src/emulators/common/mailbox-generator.js';
import { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from '../../../src/emulators/graph/graph-emulator.js';
import { GraphProvider, type GraphProviderConfig } from '../../../src/providers/graph/graph-provider.js';
import { RedirectingNetworkClient } from '../../../src/providers/graph/graph-network-client.js';
import type { Mailbox, ScanFolder } from '../../../src/core/ports.js';

export const SINCE = new Date('2020-01-01T00:00:00Z');

export async function startSeededGraph(gen: Partial<GeneratorOptions> = {}, opts: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const { mailboxes } = generateMailboxes({ mailboxes: 2, messagesPerMailbox: 60, ...gen });
  return startGraphEmulator({ mailboxes, ...opts });
}

/** A provider configured for the emulator the way a deployment would configure it for Graph. */
export function providerFor(emu: GraphEmulator, config: Partial<GraphProviderConfig> = {}): GraphProvider {
  return new GraphProvider({
    mode: 'company',
    baseUrl: emu.url,
    auth: { ...emu.credentials, networkClient: new RedirectingNetworkClient(emu.url) },
    retry: { maxAttempts: 6, baseDelayMs: 20, maxDelayMs: 2_000 },
    requestTimeoutMs: 2_000,
    pageSize: 25,
    ...config,
  });
}

/** Every message id a full scan of one folder yields, plus the final cursor. */
export async function scanAll(
  provider: GraphProvider,
  mailbox: Mailbox,
  folder: ScanFolder,
  cursor: string | null = null,
): Promise<{ ids: string[]; removed: string[]; cursor: string | null; pages: number }> {
  const ids: string[] = [];
  const removed: string[] = [];
  let last: string | null = cursor;
  let pages = 0;
  for await (const page of provider.scan(mailbox, folder, cursor, { since: SINCE })) {
    pages += 1;
    ids.push(...page.messages.map((m) => m.id));
    removed.push(...page.removedIds);
    last = page.cursor;
  }
  return { ids, removed, cursor: last, pages };
}
