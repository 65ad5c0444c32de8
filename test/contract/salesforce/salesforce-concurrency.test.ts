/**
 * The concurrent long-running request limit. Salesforce allows 25 concurrent requests that have
 * run 20 s or more (5 in Developer Edition and trials); one more is refused with HTTP 403
 * `REQUEST_LIMIT_EXCEEDED` whose message names "ConcurrentRequests" (Salesforce App Limits cheat
 * sheet, "API Request Limits and Allocations"; REST API status codes; message text as quoted in
 * SalesforceLabs/OrgCheck#181 and #432). Unlike the spent daily allocation (same code, message
 * "TotalRequests"), it clears as soon as the slow requests end: a short backoff, not a pause.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { draft, smallSnapshot } from './crm-fixtures.js';

describe('Salesforce concurrent long-running request limit (jsforce against the emulator)', () => {
  let sf: RunningSalesforceEmulator;
  let adapter: SalesforceAdapter;
  let refused: number;

  beforeEach(async () => {
    // One long-running request allowed; every request in flight counts as long-running.
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot(), concurrentRequestLimit: 1, longRunningMs: 0 });
    const c = sf.credentials;
    // A daily-allocation pause would be an hour, more than allowed: only a short backoff passes.
    adapter = new SalesforceAdapter({
      loginUrl: c.loginUrl,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      dailyPauseMs: 3_600_000,
      maxPauseMs: 1_000,
      concurrentPauseMs: 10,
      retryBaseMs: 10,
    });
    refused = 0;
    sf.control.events.on('concurrent-limit', () => refused++);
  });
  afterEach(() => sf.close());

  /** Another integration's slow request, held in flight until the returned function runs. */
  async function slowRequestInFlight(): Promise<{ release: () => void; done: Promise<Response> }> {
    const release = sf.control.holdRequests('describe');
    const held = once(sf.control.events, 'held');
    const done = fetch(`${sf.url}/services/data/v62.0/sobjects/Contact/describe`, { headers: { authorization: `Bearer ${sf.credentials.accessToken}` } });
    await held;
    return { release, done };
  }

  it('the emulator refuses one request too many with 403 ConcurrentRequests, limit header included', async () => {
    const slow = await slowRequestInFlight();
    const res = await fetch(`${sf.url}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${sf.credentials.accessToken}` } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual([{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.' }]);
    expect(res.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/\d+$/);
    slow.release();
    expect((await slow.done).status).toBe(200);
    expect((await fetch(`${sf.url}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${sf.credentials.accessToken}` } })).status).toBe(200);
  });

  it('a pull backs off and completes once the slow request ends, without a daily pause', async () => {
    const slow = await slowRequestInFlight();
    sf.control.events.once('concurrent-limit', () => slow.release());
    const batches = [];
    for await (const batch of adapter.pullChanges(null)) batches.push(batch);
    expect(refused).toBeGreaterThan(0);
    expect(batches.flatMap((b) => b.contacts ?? []).map((c) => c.id).sort()).toEqual(['c-hank', 'c-jane', 'c-obrien']);
    expect(adapter.budgetPauses()).toBe(0);
  });

  it('a write backs off and writes each email once', async () => {
    const slow = await slowRequestInFlight();
    sf.control.events.once('concurrent-limit', () => slow.release());
    const outcomes = await adapter.writeActivities([draft(1), draft(2)]);
    expect(refused).toBeGreaterThan(0);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect(sf.control.emails().map((e) => e.record.Mailbridge_Key__c).sort()).toEqual(['key-1', 'key-2']);
  });
});
