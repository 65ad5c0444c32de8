/**
 * Gmail's quota answers as the live API gives them, and the provider honouring the time they state.
 *
 * Sources (API_NOTES §2.7, §12.2): the documented legacy 403 `userRateLimitExceeded`
 * (developers.google.com/gmail/api/guides/handle-errors); "User-rate limit exceeded.  Retry after
 * <time>" on 403 and on 429, no `Retry-After` header (twentyhq/twenty#17850,
 * googleapis/google-api-ruby-client#20544, taers232c/GAMADV-XTD3#337); the per-minute 403 and the
 * 429 RESOURCE_EXHAUSTED (elie222/inbox-zero#379, #480, mxngls/gmail-cleaner#5); 429 "Too many
 * concurrent requests for user"; the 401 challenge `Bearer realm="https://accounts.google.com/"`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mailbox } from '../../../src/core/ports.js';
import { SyncError } from '../../../src/core/sync-error.js';
import type { GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import { QUOTA_ERROR_MODES, gmailQuotaFault } from '../../../src/emulators/gmail/gmail-errors.js';
import { providerFor, scanAll, startSeededGmail } from './gmail-harness.js';

interface Envelope {
  error: { code: number; message: string; status: string; errors: { reason: string; domain: string }[] };
}

describe('Gmail quota answers', () => {
  let emu: GmailEmulator;
  let box: Mailbox;
  let clean: string[];

  beforeAll(async () => {
    emu = await startSeededGmail({ mailboxes: 1, messagesPerMailbox: 40, seed: 41 });
    const provider = providerFor(emu);
    box = (await provider.listMailboxes())[0]!;
    clean = (await scanAll(provider, box, 'inbox')).ids.sort();
    await provider.close();
  });
  afterEach(() => {
    emu.control.clearFaults();
    emu.control.setLimits({ unitsPerWindow: 100_000, windowMs: 60_000 });
    emu.control.setQuotaError('legacy-403');
  });
  afterAll(async () => emu.close());

  it('each quota mode answers with its live body, none with a Retry-After header', async () => {
    const token = await tokenFor(emu, box.address);
    const expected: Record<string, [number, string, RegExp]> = {
      'legacy-403': [403, 'userRateLimitExceeded', /^User Rate Limit Exceeded$/],
      'retry-after-403': [403, 'rateLimitExceeded', /^User-rate limit exceeded\. {2}Retry after \d{4}-\d\d-\d\dT[\d:.]+Z$/],
      'retry-after-429': [429, 'rateLimitExceeded', /^User-rate limit exceeded\. {2}Retry after /],
      'per-minute-403': [403, 'rateLimitExceeded', /Queries per minute per user/],
      'exhausted-429': [429, 'rateLimitExceeded', /^Resource has been exhausted/],
    };
    emu.control.setLimits({ unitsPerWindow: 3, windowMs: 60_000 });
    for (const mode of QUOTA_ERROR_MODES) {
      emu.control.setQuotaError(mode);
      const res = await fetch(`${emu.url}/gmail/v1/users/${box.address}/messages?maxResults=1`, { headers: { Authorization: `Bearer ${token}` } });
      const [status, reason, message] = expected[mode]!;
      expect(res.status, mode).toBe(status);
      expect(res.headers.get('retry-after')).toBeNull();
      const body = (await res.json()) as Envelope;
      expect(body.error.errors[0]!.reason, mode).toBe(reason);
      expect(body.error.message, mode).toMatch(message);
    }
  });

  it('the stated time is in the future and within one window', async () => {
    const token = await tokenFor(emu, box.address);
    emu.control.setLimits({ unitsPerWindow: 5, windowMs: 60_000 });
    emu.control.setQuotaError('retry-after-429');
    const started = Date.now();
    await fetch(`${emu.url}/gmail/v1/users/${box.address}/messages?maxResults=1`, { headers: { Authorization: `Bearer ${token}` } });
    const res = await fetch(`${emu.url}/gmail/v1/users/${box.address}/messages?maxResults=1`, { headers: { Authorization: `Bearer ${token}` } });
    const at = Date.parse(/Retry after (\S+)/.exec(((await res.json()) as Envelope).error.message)![1]!);
    expect(at).toBeGreaterThan(started);
    expect(at).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('a 401 carries the Bearer challenge', async () => {
    const res = await fetch(`${emu.url}/gmail/v1/users/${box.address}/profile`, { headers: { Authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="https://accounts.google.com/", error="invalid_token"');
  });

  for (const mode of ['retry-after-403', 'retry-after-429'] as const) {
    it(`${mode}: the retry waits until the stated time, then the scan completes`, async () => {
      // Defect: without a Retry-After header the provider backed off for a few milliseconds and
      // asked again long before the time Google named.
      const provider = providerFor(emu);
      const retryAt = Date.now() + 1_200;
      emu.control.injectFault({ fault: gmailQuotaFault(mode, new Date(retryAt)), kind: 'messages.list' });
      const result = await scanAll(provider, box, 'inbox');
      expect([...result.ids].sort()).toEqual(clean);
      // The scan cannot end before its one retry, so it ends no sooner than the stated time
      // (a few ms of slack for timer rounding).
      expect(Date.now()).toBeGreaterThanOrEqual(retryAt - 5);
      await provider.close();
    });
  }

  it('a stated time further off than a call may wait ends the scan as rate-limited, without retrying early', async () => {
    const provider = providerFor(emu);
    const before = emu.emulator.counters.get('messages.list');
    emu.control.injectFault({ fault: gmailQuotaFault('retry-after-429', new Date(Date.now() + 15 * 60_000)), kind: 'messages.list' });
    const error = await scanAll(provider, box, 'inbox').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe('rate-limited');
    expect((error as SyncError).retryAfterMs).toBeGreaterThan(14 * 60_000);
    expect(emu.emulator.counters.get('messages.list') - before).toBe(1);
    await provider.close();
  });

  it('per-minute 403 and 429 RESOURCE_EXHAUSTED (no time stated) back off and retry', async () => {
    const provider = providerFor(emu);
    emu.control.injectFault({ fault: gmailQuotaFault('per-minute-403', new Date()), kind: 'messages.list' });
    emu.control.injectFault({ fault: gmailQuotaFault('exhausted-429', new Date()), kind: 'messages.get' });
    const result = await scanAll(provider, box, 'inbox');
    expect([...result.ids].sort()).toEqual(clean);
    expect(emu.emulator.faults.pending()).toBe(0);
    await provider.close();
  });
});

/** An access token for one user through the service-account flow the provider uses. */
async function tokenFor(emu: GmailEmulator, address: string): Promise<string> {
  const { delegatedJwt } = await import('../../../src/providers/gmail/gmail-tokens.js');
  const client = delegatedJwt(emu.serviceAccount, address, emu.url);
  return (await client.getAccessToken()).token!;
}
