/**
 * The emulator's counters prove the provider never exceeds a mailbox's rate or concurrency, and
 * that the same load without the provider's limits does get throttled (so the proof can fail).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import type { GraphProvider } from '../../../src/providers/graph/graph-provider.js';
import { providerFor, scanAll, startSeededGraph } from './graph-harness.js';

const LIMITS = { requestsPerWindow: 80, windowMs: 2_000, concurrency: 4 };

/** Inbox scan, Sent scan and body batches of every mailbox, all at once. */
async function load(provider: GraphProvider): Promise<void> {
  const boxes = await provider.listMailboxes();
  await Promise.all(
    boxes.map(async (box) => {
      const [inbox] = await Promise.all([scanAll(provider, box, 'inbox'), scanAll(provider, box, 'sent')]);
      const ids = inbox.ids.slice(0, 100);
      await Promise.all([provider.fetchBodies(box, ids.slice(0, 50)), provider.fetchBodies(box, ids.slice(50))]);
    }),
  );
}

describe('Graph limits, proven by the emulator counters', () => {
  let emu: GraphEmulator | undefined;
  afterEach(async () => emu?.close());

  it('stays within the per-mailbox rate and concurrency', async () => {
    emu = await startSeededGraph({ mailboxes: 2, messagesPerMailbox: 150, seed: 3 }, { limits: LIMITS, latencyMs: 15 });
    const provider = providerFor(emu, {
      limits: { limit: LIMITS.requestsPerWindow, windowMs: LIMITS.windowMs, concurrency: LIMITS.concurrency },
      pageSize: 10,
    });
    await load(provider);
    const counters = emu.emulator.counters;
    expect(counters.get('throttled')).toBe(0);
    for (const box of emu.store.mailboxes()) {
      const starts = counters.startTimes(box.address).length;
      expect(starts).toBeGreaterThan(LIMITS.requestsPerWindow / 4);
      expect(counters.maxInWindow(box.address, LIMITS.windowMs)).toBeLessThanOrEqual(LIMITS.requestsPerWindow);
      expect(counters.peakConcurrent(box.address)).toBeLessThanOrEqual(LIMITS.concurrency);
      expect(counters.peakConcurrent(box.address)).toBeGreaterThan(1);
    }
    await provider.close();
  });

  it('without client limits the same load is throttled by the emulator', async () => {
    emu = await startSeededGraph({ mailboxes: 2, messagesPerMailbox: 150, seed: 3 }, { limits: LIMITS, latencyMs: 15 });
    const provider = providerFor(emu, { limits: { limit: 1_000_000, windowMs: 1_000, concurrency: 50 }, pageSize: 10 });
    await load(provider);
    expect(emu.emulator.counters.get('throttled')).toBeGreaterThan(0);
    await provider.close();
  });
});
