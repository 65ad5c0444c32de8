/**
 * First-run backfill start (DESIGN §3): the creation date of the oldest open deal the mailbox
 * owner owns, else `defaultDays` (7) before now, never further back than `maxDays` when set.
 * Example: owner of open deals created 2026-03-01 and 2026-05-10 → scan from 2026-03-01; owner
 * of none (or only closed ones) → now − 7 days; with `maxDays: 30` on 2026-06-01 → 2026-05-02.
 */
import type { Deal } from './types.js';

const DAY_MS = 24 * 3_600_000;

/** The tenant's `backfill` settings. */
export interface BackfillPolicy {
  /** Days scanned when the owner holds no older open deal. */
  defaultDays: number;
  /** Never scan further back than this many days (none when null). */
  maxDays: number | null;
  /** Start at the oldest open deal the owner holds, when older than `defaultDays`. */
  oldestOpenDeal: boolean;
}

export const DEFAULT_BACKFILL: BackfillPolicy = { defaultDays: 7, maxDays: null, oldestOpenDeal: true };

/** The `since` of a mailbox's first scan. */
export function backfillStart(deals: readonly Deal[], ownerId: string | null, now: Date, policy: BackfillPolicy = DEFAULT_BACKFILL): Date {
  const fallback = now.getTime() - policy.defaultDays * DAY_MS;
  let start = fallback;
  if (policy.oldestOpenDeal && ownerId) {
    for (const deal of deals) {
      if (deal.isClosed || deal.ownerId !== ownerId) continue;
      const created = Date.parse(deal.createdDate);
      // An open deal younger than the default window must not shorten it.
      if (!Number.isNaN(created) && created < start) start = created;
    }
  }
  if (policy.maxDays !== null) start = Math.max(start, now.getTime() - policy.maxDays * DAY_MS);
  return new Date(start);
}
