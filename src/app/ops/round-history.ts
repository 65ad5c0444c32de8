/**
 * Message counts by reason per hour, kept for a week in the tenant's settings, so the status page
 * can show the last 24 h and 7 d (the per-mailbox counts in the store are totals since the
 * start). Counts only: no address, subject or id (DESIGN §1.3).
 */
import type { SqliteAdminStore as AdminStore } from '../../store/admin-store.js';
import type { SyncTotals } from '../run-sync.js';

const SETTING = 'ops.countsByHour';
const HOUR = 3_600_000;
const KEEP_MS = 7 * 24 * HOUR;

type Buckets = Record<string, Record<string, number>>;

function read(admin: AdminStore): Buckets {
  try {
    const parsed = JSON.parse(admin.setting(SETTING) ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Buckets) : {};
  } catch {
    return {};
  }
}

/** A round's messages by outcome: `imported`, `duplicate` and each skip reason. */
export function countsOfRound(totals: SyncTotals): Record<string, number> {
  const counts: Record<string, number> = { ...totals.skipped };
  if (totals.imported) counts.imported = totals.imported;
  if (totals.duplicates) counts.duplicate = totals.duplicates;
  if (totals.lateMatched) counts['late-matched'] = totals.lateMatched;
  if (totals.reassociated) counts.reassociated = totals.reassociated;
  return counts;
}

/** Adds a round's counts to the hour of `at`, and drops hours older than a week. */
export function recordRoundCounts(admin: AdminStore, at: Date, totals: SyncTotals): void {
  const buckets = read(admin);
  const hour = new Date(Math.floor(at.getTime() / HOUR) * HOUR).toISOString();
  const bucket = (buckets[hour] ??= {});
  for (const [reason, n] of Object.entries(countsOfRound(totals))) bucket[reason] = (bucket[reason] ?? 0) + n;
  for (const key of Object.keys(buckets)) if (Date.parse(key) < at.getTime() - KEEP_MS) delete buckets[key];
  admin.setSetting(SETTING, JSON.stringify(buckets));
}

/** Counts by reason over the hours that started within `windowMs` before `now`. */
export function countsSince(admin: AdminStore, now: Date, windowMs: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [hour, counts] of Object.entries(read(admin))) {
    if (Date.parse(hour) + HOUR <= now.getTime() - windowMs) continue;
    for (const [reason, n] of Object.entries(counts)) out[reason] = (out[reason] ?? 0) + n;
  }
  return out;
}
