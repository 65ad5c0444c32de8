/**
 * The first-run backfill window with a fixed clock: the oldest open deal of the owner, else the
 * default days, capped by maxDays, and the deal rule switched off.
 */
import { describe, expect, it } from 'vitest';
import { backfillStart, DEFAULT_BACKFILL } from '../../src/core/backfill-window.js';
import type { Deal } from '../../src/core/types.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const daysBefore = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();

function deal(id: string, createdDate: string, ownerId: string | null, isClosed = false): Deal {
  return { id, accountId: null, name: id, isClosed, closeDate: null, createdDate, lastModified: createdDate, ownerId, contactRoles: [] };
}

const deals = [deal('open-old', '2026-03-01', 'u1'), deal('open-new', '2026-05-10', 'u1'), deal('closed', '2025-01-01', 'u1', true), deal('other', '2024-01-01', 'u2')];

describe('backfill window', () => {
  it('defaults: the oldest open deal the owner holds, else 7 days', () => {
    expect(backfillStart(deals, 'u1', NOW).toISOString()).toBe(new Date('2026-03-01').toISOString());
    expect(backfillStart(deals, 'nobody', NOW).toISOString()).toBe(daysBefore(7));
    expect(backfillStart(deals, null, NOW).toISOString()).toBe(daysBefore(7));
    // A deal younger than the window does not shorten it.
    expect(backfillStart([deal('fresh', daysBefore(2), 'u1')], 'u1', NOW).toISOString()).toBe(daysBefore(7));
  });

  it('defaultDays sets the window of an owner without older open deals', () => {
    expect(backfillStart(deals, 'nobody', NOW, { ...DEFAULT_BACKFILL, defaultDays: 30 }).toISOString()).toBe(daysBefore(30));
    expect(backfillStart(deals, 'nobody', NOW, { ...DEFAULT_BACKFILL, defaultDays: 0 }).toISOString()).toBe(NOW.toISOString());
  });

  it('maxDays caps how far back the oldest open deal may reach', () => {
    expect(backfillStart(deals, 'u1', NOW, { ...DEFAULT_BACKFILL, maxDays: 30 }).toISOString()).toBe(daysBefore(30));
    // A cap wider than the deal changes nothing.
    expect(backfillStart(deals, 'u1', NOW, { ...DEFAULT_BACKFILL, maxDays: 365 }).toISOString()).toBe(new Date('2026-03-01').toISOString());
  });

  it('oldestOpenDeal false: the default window for everyone', () => {
    expect(backfillStart(deals, 'u1', NOW, { ...DEFAULT_BACKFILL, oldestOpenDeal: false }).toISOString()).toBe(daysBefore(7));
  });
});
