/**
 * Every injected fault ends with the same scanned set as a clean run; batch parts that fail are
 * asked again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../../src/emulators/common/faults.js';
import type { GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import type { Mailbox } from '../../../src/core/ports.js';
import { providerFor, scanAll, startSeededGmail } from './gmail-harness.js';

const RATE_403 = {
  error: { code: 403, message: 'User Rate Limit Exceeded', errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' }] },
};

const FAULTS: [string, Fault, number][] = [
  ['429 rateLimitExceeded', { type: 'status', status: 429 }, 2],
  ['429 with Retry-After', { type: 'status', status: 429, headers: { 'Retry-After': '0.05' } }, 1],
  ['403 userRateLimitExceeded', { type: 'status', status: 403, body: RATE_403 }, 2],
  ['500', { type: 'status', status: 500 }, 1],
  ['503', { type: 'status', status: 503 }, 2],
  ['401 token expiry', { type: 'status', status: 401 }, 1],
  ['slow response', { type: 'delay', ms: 150 }, 2],
  ['hung response', { type: 'hang' }, 1],
  ['truncated JSON', { type: 'truncate' }, 2],
];

describe('Gmail provider under injected faults', () => {
  let emu: GmailEmulator;
  let box: Mailbox;
  let clean: string[];

  beforeAll(async () => {
    emu = await startSeededGmail({ mailboxes: 1, messagesPerMailbox: 100, seed: 13 });
    const provider = providerFor(emu);
    box = (await provider.listMailboxes())[0]!;
    clean = (await scanAll(provider, box, 'inbox')).ids.sort();
    await provider.close();
  });
  afterEach(() => emu.control.clearFaults());
  afterAll(async () => emu.close());

  for (const [name, fault, times] of FAULTS) {
    for (const kind of ['messages.list', 'batch']) {
      it(`${name} on ${kind}: same messages as a clean run`, async () => {
        const provider = providerFor(emu, { requestTimeoutMs: 300 });
        const served = emu.emulator.faults.servedCount();
        emu.control.injectFault({ fault, kind, times });
        const result = await scanAll(provider, box, 'inbox');
        expect(emu.emulator.faults.servedCount() - served).toBe(times);
        expect([...result.ids].sort()).toEqual(clean);
        expect(provider.connectionStatus(box.address)).toBe('connected');
        await provider.close();
      });
    }
  }

  it('failed parts inside a batch are retried, the rest kept', async () => {
    const provider = providerFor(emu);
    emu.control.injectFault({ fault: { type: 'status', status: 429 }, kind: 'messages.get', times: 4 });
    emu.control.injectFault({ fault: { type: 'status', status: 403, body: RATE_403 }, kind: 'messages.get', times: 3 });
    emu.control.injectFault({ fault: { type: 'status', status: 500 }, kind: 'messages.get', times: 2 });
    const result = await scanAll(provider, box, 'inbox');
    expect([...result.ids].sort()).toEqual(clean);
    const bodies = await provider.fetchBodies(box, clean.slice(0, 10));
    expect(bodies.size).toBe(10);
    expect(emu.emulator.faults.pending()).toBe(0);
    await provider.close();
  });

  it('an expired access token is re-minted once and the scan goes on', async () => {
    const provider = providerFor(emu);
    await scanAll(provider, box, 'inbox');
    const tokens = emu.emulator.counters.get('token');
    emu.control.expireTokens();
    const result = await scanAll(provider, box, 'inbox');
    expect([...result.ids].sort()).toEqual(clean);
    expect(emu.emulator.counters.get('token') - tokens).toBe(1);
    await provider.close();
  });
});
