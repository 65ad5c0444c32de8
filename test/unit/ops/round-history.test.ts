/**
 * Counts by reason per hour for the status page's 24 h / 7 d columns: windows add up the right
 * hours, hours older than a week are dropped, and only counts are stored.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenTenant } from '../../../src/app/open-tenant.js';
import { countsSince, recordRoundCounts } from '../../../src/app/ops/round-history.js';
import { openOpsTenant, opsConfig, totals } from './ops-fixture.js';

const HOUR = 3_600_000;
const NOW = new Date('2026-06-10T12:30:00Z');
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR);

describe('counts by reason per hour', () => {
  let tenant: OpenTenant;
  beforeEach(async () => {
    tenant = await openOpsTenant(opsConfig());
  });
  afterEach(async () => {
    await tenant.close();
  });

  it('sums the last 24 h and 7 d and forgets older hours', async () => {
    await recordRoundCounts(tenant.admin, ago(0), totals({ imported: 1, duplicates: 0, skipped: { automated: 2 } }));
    await recordRoundCounts(tenant.admin, ago(0.2), totals({ imported: 2, duplicates: 0, skipped: {} }));
    await recordRoundCounts(tenant.admin, ago(30), totals({ imported: 4, duplicates: 1, skipped: { automated: 1 } }));
    await recordRoundCounts(tenant.admin, ago(24 * 8), totals({ imported: 100, duplicates: 0, skipped: {} }));
    expect(await countsSince(tenant.admin, NOW, 24 * HOUR)).toEqual({ imported: 3, automated: 2 });
    expect(await countsSince(tenant.admin, NOW, 7 * 24 * HOUR)).toEqual({ imported: 7, automated: 3, duplicate: 1 });

    // A later round drops the 8-day-old hour from storage.
    await recordRoundCounts(tenant.admin, NOW, totals({ imported: 0, duplicates: 0, skipped: {} }));
    expect((await countsSince(tenant.admin, NOW, 30 * 24 * HOUR)).imported).toBe(7);
    const stored = tenant.admin.setting('ops.countsByHour')!;
    expect(Object.keys(JSON.parse(stored) as object)).toHaveLength(2);
  });
});
