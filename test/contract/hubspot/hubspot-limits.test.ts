import { afterEach, describe, expect, it } from 'vitest';
import { HubspotAdapter } from '../../../src/crm-adapters/hubspot/hubspot-adapter.js';
import { startHubspotEmulator, type RunningHubspotEmulator } from '../../../src/emulators/hubspot/hubspot-emulator.js';
import { draft, smallSnapshot } from '../salesforce/crm-fixtures.js';

describe('HubSpot limits', () => {
  let hs: RunningHubspotEmulator | undefined;
  let adapter: HubspotAdapter | undefined;
  afterEach(async () => {
    await adapter?.close();
    await hs?.close();
  });

  it('pauses on the daily limit and resumes after the reset, without spinning', async () => {
    hs = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { daily: 5, dailyWindowMs: 1_000, tenSecondlyMax: 10_000 } });
    adapter = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, share: 1, tenSecondlyMax: 10_000, dailyPauseMs: 250 });
    const started = Date.now();
    const outcomes = await adapter.writeActivities(Array.from({ length: 600 }, (_, i) => draft(i)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(hs.control.emails()).toHaveLength(600);
    expect(adapter.budgetPauses()).toBeGreaterThan(0);
    // Twelve calls at five per one-second day: at least two resets.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(hs.counters.total()).toBeLessThan(12 + 16);
    expect(adapter.limits().dailyMax).toBe(5);
  });

  it('paces itself under the ten-secondly window the headers announce, so HubSpot never refuses', async () => {
    hs = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { tenSecondlyMax: 4, intervalMs: 1_000 } });
    adapter = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, share: 0.75, tenSecondlyMax: 4, intervalMs: 1_000 });
    const started = Date.now();
    const outcomes = await adapter.writeActivities(Array.from({ length: 400 }, (_, i) => draft(i)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    // 8 calls at 3 per second (75% of 4): over two seconds; no refused call was retried.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(hs.counters.total()).toBe(8);
    expect(adapter.budgetPauses()).toBe(0);
  });

  it('keeps search under the per-second limit', async () => {
    hs = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { searchPerSecond: 4, tenSecondlyMax: 10_000 } });
    adapter = new HubspotAdapter({ accessToken: hs.credentials.accessToken, basePath: hs.credentials.basePath, searchPerSecond: 4, tenSecondlyMax: 10_000 });
    const lookups = await Promise.all(['jane@acme.co.uk', 'hank@globex.com', "o'brien@acme.co.uk"].map((a) => adapter!.findContactsByEmail(a)));
    expect(lookups).toEqual([['c-jane'], ['c-hank'], ['c-obrien']]);
    // Six searches, none refused (a refusal would have paused the budget).
    expect(hs.counters.get('search-contacts')).toBe(6);
    expect(adapter.budgetPauses()).toBe(0);
  });
});
