/**
 * The crash test (DESIGN §1.9): `mailbridge sync --once` child processes SIGKILLed at seeded
 * random requests (CRM writes in flight, mailbox pages, start-up) across a full round and a
 * delta round, restarted until one finishes. Afterwards every email the
 * seeded tenant's labels say must be imported has exactly one activity in the CRM, and nothing
 * else is there: zero lost, zero duplicated. Both CRMs, so both idempotent write paths (the
 * Salesforce upsert on Mailbridge_Key__c, the HubSpot unique mailbridge_key) are exercised.
 */
import { describe, expect, it } from 'vitest';
import { runChaos, type ChaosRun } from '../../src/demo/chaos.js';
import { demoKey } from '../../src/demo/demo-inspect.js';
import { demoTenant } from '../../src/demo/demo-tenant.js';

const tenant = demoTenant();

function expectedKeys(): string[] {
  return tenant.emails
    .filter((e) => e.expect === 'import' || e.expect === 'import-lead')
    .map(demoKey)
    .sort();
}

function checkRun(run: ChaosRun): void {
  const keys = run.state.crmKeys;
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  // Zero lost: every expected email has exactly one activity.
  for (const key of expectedKeys()) expect(counts.get(key) ?? 0, key).toBe(1);
  // Zero duplicated, nothing unexpected.
  expect(keys).toEqual(expectedKeys());
  expect(run.state.duplicateActivities).toBe(0);
  expect(run.state.duplicateLinks).toBe(0);
  expect(run.state.ledgerEntries).toBe(expectedKeys().length);
  // The same durable state as the clean run, skip counters included.
  expect(run.comparisons.filter((c) => !c.ok)).toEqual([]);
  expect(run.ok).toBe(true);
  // A kill on a CRM write lets the write land unrecorded: the restart must adopt it, not copy it.
  const writeKills = run.attempts.filter((a) => a.killedAt?.startsWith('crm-write'));
  expect(writeKills.length).toBeGreaterThan(0);
  for (const a of writeKills) expect(a.unrecorded, a.killedAt!).toBeGreaterThan(0);
  // Each round ends with a child that finished on its own.
  expect(run.attempts.filter((a) => a.outcome === 'finished').map((a) => a.round)).toEqual([1, 2]);
}

describe('crash test: SIGKILL the sync anywhere, lose nothing, duplicate nothing', () => {
  it('Graph → Salesforce and Gmail → HubSpot, at least 20 kills in all, in both rounds', async () => {
    // Faults are left to `demo --chaos` (demo.test.ts): here every kill on a CRM write must
    // leave that write landed and unrecorded, which an injected 503 would prevent.
    const [salesforce, hubspot] = await Promise.all([
      runChaos({ provider: 'graph', crm: 'salesforce', seed: 11, kills: [7, 4], faults: false, keep: false }),
      runChaos({ provider: 'gmail', crm: 'hubspot', seed: 23, kills: [7, 4], faults: false, keep: false }),
    ]);
    checkRun(salesforce!);
    checkRun(hubspot!);
    const kills = [salesforce!, hubspot!].flatMap((r) => r.attempts.filter((a) => a.outcome === 'killed'));
    expect(kills.length).toBeGreaterThanOrEqual(20);
    expect(new Set(kills.map((k) => k.round))).toEqual(new Set([1, 2]));
  }, 300_000);
});
