/**
 * Every injected fault ends with the same scanned set as a clean run, and bodies survive
 * per-item throttling inside `$batch`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../../src/emulators/common/faults.js';
import type { GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import { graphThrottleFault } from '../../../src/emulators/graph/graph-errors.js';
import type { Mailbox } from '../../../src/core/ports.js';
import { providerFor, scanAll, startSeededGraph } from './graph-harness.js';

const FAULTS: [string, Fault, number][] = [
  ['429 with a fractional Retry-After', { type: 'status', status: 429, headers: { 'Retry-After': '0.05' } }, 2],
  // Only the mailbox-concurrency throttle comes without Retry-After (API_NOTES §1.9).
  ['429 ApplicationThrottled without Retry-After', graphThrottleFault('concurrency'), 2],
  ['500', { type: 'status', status: 500 }, 1],
  ['503 with Retry-After', { type: 'status', status: 503, headers: { 'Retry-After': '0' } }, 2],
  ['401 token expiry', { type: 'status', status: 401 }, 1],
  ['slow response', { type: 'delay', ms: 150 }, 2],
  ['hung response', { type: 'hang' }, 1],
  ['truncated JSON', { type: 'truncate' }, 2],
];

describe('Graph provider under injected faults', () => {
  let emu: GraphEmulator;
  let box: Mailbox;
  let clean: string[];

  beforeAll(async () => {
    emu = await startSeededGraph({ mailboxes: 1, messagesPerMailbox: 120, seed: 11 });
    const provider = providerFor(emu);
    box = (await provider.listMailboxes())[0]!;
    clean = (await scanAll(provider, box, 'inbox')).ids.sort();
    await provider.close();
  });
  afterAll(async () => emu.close());

  for (const [name, fault, times] of FAULTS) {
    it(`${name} on delta pages: same messages as a clean run`, async () => {
      const provider = providerFor(emu, { requestTimeoutMs: 300 });
      const served = emu.emulator.faults.servedCount();
      // Hit the second page, so the fault lands on a nextLink, not only on the first request.
      emu.control.injectFault({ fault, kind: 'messages.delta', pathIncludes: "mailFolders('", times });
      const result = await scanAll(provider, box, 'inbox');
      expect(emu.emulator.faults.servedCount() - served).toBe(times);
      expect([...result.ids].sort()).toEqual(clean);
      expect(provider.connectionStatus(box.address)).toBe('connected');
      await provider.close();
    });
  }

  it('an expired access token is refreshed once through MSAL and the scan goes on', async () => {
    const provider = providerFor(emu);
    await scanAll(provider, box, 'inbox');
    const tokens = emu.emulator.counters.get('token');
    emu.control.expireTokens();
    const result = await scanAll(provider, box, 'inbox');
    expect([...result.ids].sort()).toEqual(clean);
    expect(emu.emulator.counters.get('token') - tokens).toBe(1);
    await provider.close();
  });

  it('per-item 429s inside $batch are retried after their Retry-After', async () => {
    const provider = providerFor(emu);
    const wanted = clean.slice(0, 30);
    emu.control.injectFault({ fault: { type: 'status', status: 429, headers: { 'Retry-After': '0.05' } }, kind: 'message.get', times: 5 });
    emu.control.injectFault({ fault: { type: 'status', status: 503 }, kind: 'message.get', times: 2 });
    const bodies = await provider.fetchBodies(box, wanted);
    expect([...bodies.keys()].sort()).toEqual([...wanted].sort());
    expect(emu.emulator.faults.pending()).toBe(0);
    await provider.close();
  });

  it('a whole $batch failing with 503 is retried', async () => {
    const provider = providerFor(emu);
    const wanted = clean.slice(30, 50);
    emu.control.injectFault({ fault: { type: 'status', status: 503 }, kind: 'batch', times: 2 });
    const bodies = await provider.fetchBodies(box, wanted);
    expect(bodies.size).toBe(wanted.length);
    await provider.close();
  });
});
