/**
 * The emulator's unit log and counters prove the provider never exceeds a user's quota units per
 * window nor its concurrency; the same load without client limits gets throttled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import type { GmailProvider } from '../../../src/providers/gmail/gmail-provider.js';
import { providerFor, scanAll, startSeededGmail } from './gmail-harness.js';

const LIMITS = { unitsPerWindow: 400, windowMs: 2_000, concurrency: 3, getCost: 5 };

async function load(provider: GmailProvider): Promise<PromiseSettledResult<unknown>[]> {
  const boxes = await provider.listMailboxes();
  return Promise.allSettled(
    boxes.map(async (box) => {
      const [inbox] = await Promise.all([scanAll(provider, box, 'inbox'), scanAll(provider, box, 'sent')]);
      await Promise.all([provider.fetchBodies(box, inbox.ids.slice(0, 20)), provider.fetchBodies(box, inbox.ids.slice(20, 40))]);
    }),
  );
}

/** Most units charged inside any window of `windowMs`. */
function peakUnits(log: readonly { at: number; units: number }[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < log.length; i++) {
    let sum = 0;
    for (let j = i; j < log.length && log[j]!.at - log[i]!.at < windowMs; j++) sum += log[j]!.units;
    best = Math.max(best, sum);
  }
  return best;
}

describe('Gmail quota, proven by the emulator', () => {
  let emu: GmailEmulator | undefined;
  afterEach(async () => emu?.close());

  it('stays within quota units per window and the concurrency cap', async () => {
    emu = await startSeededGmail({ mailboxes: 2, messagesPerMailbox: 80, seed: 21 }, { limits: LIMITS, latencyMs: 10 });
    const provider = providerFor(emu, { limits: { limit: LIMITS.unitsPerWindow, windowMs: LIMITS.windowMs, concurrency: LIMITS.concurrency } });
    const results = await load(provider);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(emu.emulator.counters.get('throttled')).toBe(0);
    for (const box of emu.store.mailboxes()) {
      const log = emu.control.unitLog(box.address);
      const total = log.reduce((s, e) => s + e.units, 0);
      expect(total).toBeGreaterThan(LIMITS.unitsPerWindow);
      expect(peakUnits(log, LIMITS.windowMs)).toBeLessThanOrEqual(LIMITS.unitsPerWindow);
      expect(emu.emulator.counters.peakConcurrent(box.address)).toBeLessThanOrEqual(LIMITS.concurrency);
    }
    await provider.close();
  });

  it('without client limits the same load is throttled by the emulator', async () => {
    emu = await startSeededGmail({ mailboxes: 2, messagesPerMailbox: 80, seed: 21 }, { limits: LIMITS, latencyMs: 10 });
    const provider = providerFor(emu, { limits: { limit: 1_000_000, windowMs: 1_000, concurrency: 20 }, retry: { maxAttempts: 2, baseDelayMs: 10 } });
    await load(provider);
    expect(emu.emulator.counters.get('throttled')).toBeGreaterThan(0);
    await provider.close();
  });
});
