/**
 * First-run backfill start (DESIGN §3): the creation date of the oldest open deal the mailbox
 * owner owns, else 7 days before now. Example: owner of open deals created 2026-03-01 and
 * 2026-05-10 → scan from 2026-03-01; owner of none (or only closed ones) → now − 7 days.
 */
import type { Deal } from './types.js';

const SEVEN_DAYS_MS = 7 * 24 * 3_600_000;

/** The `since` of a mailbox's first scan. */
export function backfillStart(deals: readonly Deal[], ownerId: string | null, now: Date): Date {
  const fallback = new Date(now.getTime() - SEVEN_DAYS_MS);
  if (!ownerId) return fallback;
  let oldest: number | null = null;
  for (const deal of deals) {
    if (deal.isClosed || deal.ownerId !== ownerId) continue;
    const created = Date.parse(deal.createdDate);
    if (!Number.isNaN(created) && (oldest === null || created < oldest)) oldest = created;
  }
  // An open deal younger than a week must not shorten the default window.
  return oldest === null || oldest > fallback.getTime() ? fallback : new Date(oldest);
}
