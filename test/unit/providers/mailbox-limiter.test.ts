import { describe, expect, it } from 'vitest';
import { leakyBucket } from '../../../src/providers/common/mailbox-limiter.js';

/** Requests the bucket lets through in a window after it is drained: its sustained rate. */
const sustained = (b: { interval: number; amount: number }, windowMs: number) => (windowMs / b.interval) * b.amount;

describe('leakyBucket', () => {
  it.each([
    { limit: 100, windowMs: 10_000 },
    { limit: 10_000, windowMs: 600_000 },
    { limit: 15_000, windowMs: 60_000 },
    { limit: 7, windowMs: 1_000 },
  ])('sustains just under 75% of $limit per $windowMs ms, never above', (rate) => {
    const b = leakyBucket({ ...rate, concurrency: 4 });
    const share = sustained(b, rate.windowMs) / rate.limit;
    expect(share).toBeLessThanOrEqual(0.75);
    expect(share).toBeGreaterThan(0.74);
    // Burst plus a window of refill never exceeds the limit.
    expect(b.capacity + sustained(b, rate.windowMs)).toBeLessThanOrEqual(rate.limit);
    expect(b.interval).toBeGreaterThanOrEqual(100);
  });
});
