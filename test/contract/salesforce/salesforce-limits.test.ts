import { afterEach, describe, expect, it } from 'vitest';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { draft, smallSnapshot } from './crm-fixtures.js';

describe('Salesforce daily allocation', () => {
  let sf: RunningSalesforceEmulator | undefined;
  afterEach(() => sf?.close());

  it('pauses when the allocation is spent and resumes once the window allows, without spinning', async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot(), dailyLimit: 5, dailyWindowMs: 1_000 });
    const c = sf.credentials;
    const adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, dailyShare: 1, dailyPauseMs: 250 });
    const started = Date.now();
    const outcomes = await adapter.writeActivities(Array.from({ length: 600 }, (_, i) => draft(i)));
    const elapsed = Date.now() - started;

    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(sf.control.emails()).toHaveLength(600);
    expect(adapter.budgetPauses()).toBeGreaterThan(0);
    // 12 useful calls at 5 per second-long window: at least two windows had to pass.
    expect(elapsed).toBeGreaterThanOrEqual(1_500);
    // Paused callers probe once per pause: the refused calls stay few.
    const dataCalls = sf.counters.total() - sf.counters.get('oauth');
    expect(dataCalls).toBeLessThan(12 + 16);
    expect(adapter.limits().dailyMax).toBe(5);
  });

  it('past its share of the allocation, lets one probe call through per pause', async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot(), dailyLimit: 100, dailyWindowMs: 60_000 });
    const c = sf.credentials;
    const adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, dailyShare: 0.05, dailyPauseMs: 150 });
    await adapter.writeActivities([draft(1)]);
    expect(adapter.budgetPauses()).toBe(0);
    const started = Date.now();
    await adapter.writeActivities([draft(2)]);
    // Share 5 of 100: the four calls of the second write cross it, each later one waits a pause.
    expect(adapter.budgetPauses()).toBeGreaterThanOrEqual(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 150 - 20);
    expect(sf.control.emails().map((e) => e.record.Mailbridge_Key__c)).toEqual(['key-1', 'key-2']);
    expect(sf.control.dailyUsage().used).toBe(8);
  });

  it('gives up with a rate-limited error once the pause would exceed maxPauseMs', async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot(), dailyLimit: 2, dailyWindowMs: 60_000 });
    const c = sf.credentials;
    const adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, dailyShare: 1, dailyPauseMs: 100, maxPauseMs: 350 });
    await expect(adapter.writeActivities([draft(1)])).rejects.toMatchObject({ code: 'rate-limited' });
    expect(sf.control.emails()).toHaveLength(0);
  });
});
