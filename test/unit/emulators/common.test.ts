/**
 * The shared emulator pieces: fault plan matching and use-up, request counters, the HTTP shell
 * (faults applied to real requests), page tokens and the deterministic generator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FaultPlan } from '../../../src/emulators/common/faults.js';
import { startHttpEmulator, type RunningEmulator } from '../../../src/emulators/common/http-emulator.js';
import { generateMailboxes } from '../../../src/emulators/common/mailbox-generator.js';
import { MailStore } from '../../../src/emulators/common/mail-store.js';
import { RequestCounters } from '../../../src/emulators/common/request-counters.js';
import { buildRawMessage } from '../../../src/emulators/common/raw-message.js';
import { parseRawMessage } from '../../../src/core/parse-message.js';

describe('FaultPlan', () => {
  it('matches by kind and path, first rule first, and uses rules up', () => {
    const plan = new FaultPlan();
    plan.add({ fault: { type: 'status', status: 500 }, kind: 'a', times: 2 });
    plan.add({ fault: { type: 'hang' }, pathIncludes: '/x' });
    expect(plan.take({ path: '/x' }, 'b')).toEqual({ type: 'hang' });
    expect(plan.take({ path: '/x' }, 'b')).toBeUndefined();
    expect(plan.take({ path: '/y' }, 'a')).toEqual({ type: 'status', status: 500 });
    expect(plan.take({ path: '/y' }, 'a')).toEqual({ type: 'status', status: 500 });
    expect(plan.take({ path: '/y' }, 'a')).toBeUndefined();
    expect(plan.servedCount()).toBe(3);
  });
});

describe('RequestCounters', () => {
  it('counts by kind, tracks peak concurrency and sliding windows', () => {
    const c = new RequestCounters();
    c.count('list');
    c.count('list');
    c.count('get');
    expect(c.byKind()).toEqual({ get: 1, list: 2 });
    expect(c.total()).toBe(3);
    c.enter('m', 0);
    c.enter('m', 10);
    c.leave('m');
    c.enter('m', 1_500);
    expect(c.peakConcurrent('m')).toBe(2);
    expect(c.maxInWindow('m', 1_000)).toBe(2);
    expect(c.maxInWindow('m', 2_000)).toBe(3);
    c.reset();
    expect(c.total()).toBe(0);
  });
});

describe('startHttpEmulator', () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => emu?.close());

  it('serves JSON on 127.0.0.1, counts by kind and applies status, truncate and delay faults', async () => {
    emu = await startHttpEmulator({
      name: 'test',
      handler: (req) => ({ status: 200, body: { path: req.path, q: req.query.get('q'), padding: 'x'.repeat(40) } }),
      classify: (req) => (req.path.startsWith('/a') ? 'a' : 'other'),
      faultBody: (status) => ({ error: { code: status } }),
    });
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${emu.url}/a?q=1`)).json()).toMatchObject({ path: '/a', q: '1' });
    emu.faults.add({ fault: { type: 'status', status: 429, headers: { 'Retry-After': '2' } }, kind: 'a' });
    const limited = await fetch(`${emu.url}/a`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await limited.json()).toEqual({ error: { code: 429 } });
    emu.faults.add({ fault: { type: 'truncate' }, kind: 'a' });
    await expect((await fetch(`${emu.url}/a`)).json()).rejects.toThrow();
    emu.faults.add({ fault: { type: 'delay', ms: 120 }, kind: 'other' });
    const started = Date.now();
    expect((await fetch(`${emu.url}/b`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(emu.counters.byKind()).toEqual({ a: 3, other: 1 });
  });

  it('a hung request stays open until the client gives up', async () => {
    emu = await startHttpEmulator({ name: 'test', handler: () => ({ status: 200, body: {} }) });
    emu.faults.add({ fault: { type: 'hang' } });
    await expect(fetch(`${emu.url}/h`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await fetch(`${emu.url}/h`)).status).toBe(200);
  });
});

describe('generateMailboxes and MailStore', () => {
  it('is deterministic per seed and different across seeds', () => {
    const a = generateMailboxes({ mailboxes: 2, messagesPerMailbox: 50, seed: 1 });
    const b = generateMailboxes({ mailboxes: 2, messagesPerMailbox: 50, seed: 1 });
    const c = generateMailboxes({ mailboxes: 2, messagesPerMailbox: 50, seed: 2 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const keys = (g: typeof a) => new MailStore(g.mailboxes).liveAt(g.mailboxes[0]!.address).map((m) => m.key);
    expect(keys(a)).toEqual(keys(b));
  });

  it('puts about the asked share of customer mail in inbox and sent', () => {
    const g = generateMailboxes({ mailboxes: 1, messagesPerMailbox: 2_000, customerShare: 0.2, seed: 4 });
    const scanned = g.mailboxes[0]!.messages.filter((m) => m.folder === 'inbox' || m.folder === 'sent');
    const customer = scanned.filter((m) => m.headers.some((h) => /@(acme|globex|initech)\.com|umbrella\.co\.uk/.test(h.value) && (h.name === 'From' || h.name === 'To')));
    expect(customer.length / scanned.length).toBeGreaterThan(0.15);
    expect(customer.length / scanned.length).toBeLessThan(0.25);
  });

  it('tracks adds and deletes as changes, and rebuilds parseable MIME', async () => {
    const store = new MailStore();
    const m = store.addMessage('ann@ours.example', {
      folder: 'inbox',
      receivedAt: '2026-01-02T03:04:05.000Z',
      headers: [{ name: 'From', value: 'Bob <bob@acme.com>' }, { name: 'Subject', value: 'Hi' }, { name: 'Message-ID', value: '<1@acme.com>' }],
      text: 'hello',
      html: '<p>hello</p>',
    });
    const before = store.sequence;
    expect(store.deleteMessage('ann@ours.example', m.key)).toBe(true);
    expect(store.deleteMessage('ann@ours.example', m.key)).toBe(false);
    expect(store.changes('ann@ours.example', before).map((c) => c.type)).toEqual(['deleted']);
    expect(store.liveAt('ann@ours.example', before)).toHaveLength(1);
    expect(store.liveAt('ann@ours.example')).toHaveLength(0);
    const parsed = await parseRawMessage(buildRawMessage(m), 'x');
    expect(parsed.meta.subject).toBe('Hi');
    expect(parsed.meta.from?.address).toBe('bob@acme.com');
    expect(parsed.body.text?.trim()).toBe('hello');
    expect(parsed.body.html).toContain('<p>hello</p>');
  });
});
