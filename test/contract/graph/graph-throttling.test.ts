/**
 * Graph's throttling answers as the real service gives them, and the provider honouring them.
 *
 * Sources: learn.microsoft.com/graph/throttling ("Retry-After" on every 429, whole seconds in
 * the samples); the mailbox-concurrency throttle answers `ApplicationThrottled` without one
 * (magodo/terraform-provider-outlook#21, alcionai/corso#3695; API_NOTES §1.9, §12.3); lockouts
 * far longer than a retry loop waits (msgraph-sdk-dotnet#250, OfficeDev/outlook-dev-docs#144);
 * the 401 challenge (Microsoft identity docs: "Microsoft Graph returns HTTP 401 … WWW-Authenticate").
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mailbox } from '../../../src/core/ports.js';
import { SyncError } from '../../../src/core/sync-error.js';
import type { GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import { graphThrottleFault } from '../../../src/emulators/graph/graph-errors.js';
import { providerFor, scanAll, startSeededGraph } from './graph-harness.js';

describe('Graph throttling answers', () => {
  let emu: GraphEmulator;
  let box: Mailbox;
  let token: string;
  let clean: string[];

  const raw = (path: string, init: RequestInit = {}) =>
    fetch(`${emu.url}/v1.0${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers } });

  beforeAll(async () => {
    emu = await startSeededGraph({ mailboxes: 1, messagesPerMailbox: 60, seed: 31 });
    const provider = providerFor(emu);
    box = (await provider.listMailboxes())[0]!;
    clean = (await scanAll(provider, box, 'inbox')).ids.sort();
    await provider.close();
    const form = new URLSearchParams({
      client_id: emu.credentials.clientId, client_secret: emu.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials',
    });
    token = ((await (await fetch(emu.tokenUrl, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
  });
  afterEach(() => emu.control.clearFaults());
  afterAll(async () => emu.close());

  it('an injected 429 carries a whole-second Retry-After and request ids; the concurrency throttle carries no Retry-After', async () => {
    emu.control.injectFault({ fault: { type: 'status', status: 429 }, kind: 'messages.list' });
    const rate = await raw(`/users/${box.id}/mailFolders/inbox/messages`, { headers: { 'client-request-id': 'c-1' } });
    expect(rate.status).toBe(429);
    expect(rate.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(rate.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(rate.headers.get('client-request-id')).toBe('c-1');

    emu.control.injectFault({ fault: graphThrottleFault('concurrency'), kind: 'messages.list' });
    const gate = await raw(`/users/${box.id}/mailFolders/inbox/messages`);
    expect(gate.status).toBe(429);
    expect(gate.headers.get('retry-after')).toBeNull();
    expect(((await gate.json()) as { error: { code: string } }).error.code).toBe('ApplicationThrottled');
  });

  it('the emulator\'s own limits: whole seconds on the rate limit, none on the concurrency gate', async () => {
    emu.control.setLimits({ requestsPerWindow: 2, windowMs: 60_000 });
    try {
      const statuses: Response[] = [];
      for (let i = 0; i < 3; i++) statuses.push(await raw(`/users/${box.id}/mailFolders/inbox/messages?$top=1`));
      const last = statuses.at(-1)!;
      expect(last.status).toBe(429);
      expect(last.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    } finally {
      emu.control.setLimits({ requestsPerWindow: 10_000, windowMs: 600_000 });
    }
    emu.control.setLimits({ concurrency: 1 });
    emu.control.setLatency(50);
    try {
      const answers = await Promise.all([0, 1, 2].map(() => raw(`/users/${box.id}/mailFolders/inbox/messages?$top=1`)));
      const throttled = answers.filter((a) => a.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      for (const a of throttled) expect(a.headers.get('retry-after')).toBeNull();
    } finally {
      emu.control.setLimits({ concurrency: 4 });
      emu.control.setLatency(0);
    }
  });

  it('$batch items: an injected 429 gets a whole-second Retry-After, a concurrency 429 none', async () => {
    emu.control.injectFault({ fault: { type: 'status', status: 429 }, kind: 'message.get' });
    emu.control.injectFault({ fault: graphThrottleFault('concurrency'), kind: 'message.get' });
    const requests = clean.slice(0, 3).map((id, i) => ({ id: String(i + 1), method: 'GET', url: `/users/${box.id}/messages/${id}?$select=id` }));
    const res = await raw('/$batch', { method: 'POST', body: JSON.stringify({ requests }) });
    const { responses } = (await res.json()) as { responses: { id: string; status: number; headers: Record<string, string>; body: { error?: { code: string } } }[] };
    const throttled = responses.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(2);
    const gate = throttled.find((r) => r.body.error?.code === 'ApplicationThrottled')!;
    const rate = throttled.find((r) => r !== gate)!;
    expect(rate.headers['Retry-After']).toMatch(/^\d+$/);
    expect(gate.headers['Retry-After']).toBeUndefined();
  });

  it('a 401 carries the Bearer challenge', async () => {
    const res = await fetch(`${emu.url}/v1.0/users`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"');
  });

  it('the concurrency throttle without Retry-After is retried with backoff and the scan completes', async () => {
    const provider = providerFor(emu);
    emu.control.injectFault({ fault: graphThrottleFault('concurrency'), kind: 'messages.delta', times: 2 });
    const result = await scanAll(provider, box, 'inbox');
    expect([...result.ids].sort()).toEqual(clean);
    expect(emu.emulator.faults.pending()).toBe(0);
    await provider.close();
  });

  it('a Retry-After longer than a call may wait ends the scan as rate-limited, without retrying early', async () => {
    // Defect: the retry loop capped the wait at maxDelayMs and asked again long before the
    // stated time, to be throttled again (and counted) each time.
    const provider = providerFor(emu);
    const before = emu.emulator.counters.get('messages.delta');
    emu.control.injectFault({ fault: graphThrottleFault('rate', 30), kind: 'messages.delta' });
    const error = await scanAll(provider, box, 'inbox').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe('rate-limited');
    expect((error as SyncError).retryAfterMs).toBe(30_000);
    expect((error as SyncError).message).toContain('wait 30 s');
    expect(emu.emulator.counters.get('messages.delta') - before).toBe(1);
    await provider.close();
  });

  it('a $batch item with a long Retry-After ends fetchBodies as rate-limited instead of stalling the mailbox', async () => {
    const provider = providerFor(emu);
    const before = emu.emulator.counters.get('batch');
    emu.control.injectFault({ fault: graphThrottleFault('rate', 30), kind: 'message.get' });
    const error = await provider.fetchBodies(box, clean.slice(0, 5)).catch((e: unknown) => e);
    expect((error as SyncError).code).toBe('rate-limited');
    expect((error as SyncError).retryAfterMs).toBe(30_000);
    expect(emu.emulator.counters.get('batch') - before).toBe(1);
    await provider.close();
  });
});
