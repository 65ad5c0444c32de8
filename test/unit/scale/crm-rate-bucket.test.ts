/**
 * The pool's CRM bucket on a real PostgreSQL: several workers (each its own `CrmRateBuckets`,
 * its own connections) taking calls of one tenant at once never get more than the tenant's share
 * between them; then real adapters against the emulators, three "workers" of one tenant, where
 * the emulators' own counters show the tenant's limits held.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmRateBuckets, windowPlan } from '../../../src/app/scale/crm-rate-bucket.js';
import { HubspotAdapter } from '../../../src/crm-adapters/hubspot/hubspot-adapter.js';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startHubspotEmulator } from '../../../src/emulators/hubspot/hubspot-emulator.js';
import { startSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { draft, smallSnapshot } from '../../contract/salesforce/crm-fixtures.js';
import { startPostgresOrSkip, type PostgresServer } from '../../helpers/postgres-server.js';

describe('windowPlan: fixed sub-windows that hold a rolling limit', () => {
  it('never lets k + 1 sub-windows hold more than the cap, and uses most of it', () => {
    for (const cap of [2, 3, 7, 15, 75, 142, 1000]) {
      for (const intervalMs of [1_000, 2_000, 10_000]) {
        const { points, windowMs } = windowPlan(cap, intervalMs);
        const k = Math.ceil(intervalMs / windowMs);
        // A rolling interval touches at most ceil(interval / window) + 1 sub-windows.
        expect(points * (k + 1), `cap ${cap} per ${intervalMs} ms`).toBeLessThanOrEqual(cap);
        expect(windowMs).toBeGreaterThanOrEqual(100);
      }
    }
    expect(windowPlan(75, 10_000)).toEqual({ points: 1, windowMs: 136 });
  });
});

let server: PostgresServer | null = null;
let url = '';
const opened: CrmRateBuckets[] = [];
beforeAll(async () => {
  server = await startPostgresOrSkip();
  if (server) url = await server.createDatabase('crm_bucket');
}, 120_000);
afterAll(async () => {
  for (const b of opened) await b.close();
  await server?.stop();
});

/** One worker's bucket: its own pool of connections to the pool's database. */
async function worker(): Promise<CrmRateBuckets> {
  const b = await CrmRateBuckets.open(url);
  opened.push(b);
  return b;
}

describe('CrmRateBuckets: one count per tenant across workers', () => {
  it('three workers taking a tenant window at once get the window share between them, no more', async (ctx) => {
    if (!server) return ctx.skip();
    const workers = await Promise.all([worker(), worker(), worker()]);
    // A ten-minute interval: its sub-windows outlast the test, so counting is exact.
    const gates = workers.map((w) => w.gate('acme', { share: 0.75, window: { max: 40, intervalMs: 600_000 } }));
    const { points } = windowPlan(30, 600_000);
    const results = await Promise.all(gates.flatMap((g) => Array.from({ length: 20 }, () => g.take())));
    expect(results.filter((r) => r.ok)).toHaveLength(points);
    const refused = results.filter((r) => !r.ok);
    expect(refused.every((r) => !r.ok && !r.daily && r.waitMs > 0)).toBe(true);
    // Another tenant has its own bucket.
    expect((await workers[0]!.gate('globex', { share: 0.75, window: { max: 40, intervalMs: 600_000 } }).take()).ok).toBe(true);
  });

  it('three workers share the daily share of the allocation the CRM reported', async (ctx) => {
    if (!server) return ctx.skip();
    const workers = await Promise.all([worker(), worker(), worker()]);
    const gates = workers.map((w) => w.gate('initech', { share: 0.75 }));
    for (const g of gates) g.dailyLimit(40);
    const results = await Promise.all(gates.flatMap((g) => Array.from({ length: 25 }, () => g.take())));
    expect(results.filter((r) => r.ok)).toHaveLength(30);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.daily)).toBe(true);
  });
});

describe('CRM adapters of three workers on one tenant share its limits', () => {
  it('HubSpot: three workers stay inside the ten-secondly window together, so HubSpot never refuses', { timeout: 60_000 }, async (ctx) => {
    if (!server) return ctx.skip();
    const hs = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { tenSecondlyMax: 20, intervalMs: 1_000, daily: 1_000_000 } });
    const workers = await Promise.all([worker(), worker(), worker()]);
    // Each worker paces itself at 75% of 20 per second: three of them alone would ask 45 per second.
    const adapters = workers.map((w) => {
      const a = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, share: 0.75, tenSecondlyMax: 20, intervalMs: 1_000 });
      a.shareLimits(w.gate('umbrella', { share: 0.75, window: { max: 20, intervalMs: 1_000 } }));
      return a;
    });
    try {
      // Each worker runs three jobs at once, 300 emails each: 3 batch creates + 3 association
      // batches per job (as in hubspot-limits.test.ts), 54 calls in all.
      const jobs = adapters.flatMap((a, i) => [0, 1, 2].map((j) => a.writeActivities(Array.from({ length: 300 }, (_, n) => draft(i * 10_000 + j * 1000 + n)))));
      const outcomes = await Promise.all(jobs);
      expect(outcomes.flat().every((o) => o.ok)).toBe(true);
      expect(hs.control.emails()).toHaveLength(2700);
      // The emulator's count: exactly the 54 useful calls, so not one was refused by its rolling
      // window (a refused call is retried, and pauses the budget).
      expect(hs.counters.total()).toBe(54);
      expect(hs.control.limits.refused).toEqual({});
      expect(hs.control.limits.peakWindow).toBeLessThanOrEqual(20);
      expect(adapters.map((a) => a.budgetPauses())).toEqual([0, 0, 0]);
    } finally {
      for (const a of adapters) await a.close();
      await hs.close();
    }
  });

  it('Salesforce: three workers together stop at the daily share the org reports', { timeout: 60_000 }, async (ctx) => {
    if (!server) return ctx.skip();
    const sf = await startSalesforceEmulator({ snapshot: smallSnapshot(), dailyLimit: 120, dailyWindowMs: 600_000 });
    const c = sf.credentials;
    const workers = await Promise.all([worker(), worker(), worker()]);
    const adapters = workers.map((w) => {
      const a = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, dailyShare: 0.75, dailyPauseMs: 100, maxPauseMs: 250 });
      a.shareLimits(w.gate('wayne', { share: 0.75 }));
      return a;
    });
    // Each worker's first call tells it the allocation (until then calls are counted, not capped).
    for (const [i, a] of adapters.entries()) await a.writeActivities([draft(10_000 + i)]);
    // Then all write at once, far past the share (90 of 120): 8 calls in flight per worker.
    const results = await Promise.allSettled(adapters.flatMap((a, i) => Array.from({ length: 30 }, (_, n) => a.writeActivities([draft(i * 100 + n)]))));
    expect(results.some((r) => r.status === 'rejected')).toBe(true);
    // The org's own counter: the workers together never went past 75% of the allocation.
    expect(sf.control.dailyUsage().used).toBeLessThanOrEqual(90);
    await sf.close();
  });
});
