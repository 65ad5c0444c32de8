/**
 * `mailbridge retention run` (DESIGN §3): imported messages sent more than `retentionDays` ago
 * (3 years by default) are deleted locally. The CRM activities stay unless `crm` is asked for:
 * the CRM is the customer's system of record and keeps its own retention rules; mailbridge's
 * copy (ledger and text) is what this limits.
 */
import type { AdminParts } from './admin-parts.js';
import { forgetMessages, type ForgetResult } from './forget-messages.js';

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  dryRun?: boolean;
  /** Also delete the CRM activities of expired messages (default false). */
  crm?: boolean;
}

export interface RetentionResult extends ForgetResult {
  /** Messages sent before this instant are expired. */
  cutoff: string;
  retentionDays: number;
  dryRun: boolean;
  /** Expired messages found (deleted unless a dry run). */
  expired: number;
}

export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** Ledger keys of messages sent before `cutoff`. */
export function expiredKeys(parts: Pick<AdminParts, 'db'>, cutoff: Date): string[] {
  // The index narrows on the ISO string with a day of slack (dates may carry an offset);
  // the exact comparison is on the parsed instant.
  const bound = new Date(cutoff.getTime() + DAY_MS).toISOString();
  const rows = parts.db.prepare<[string], { key: string; sent_at: string }>('SELECT key, sent_at FROM ledger WHERE sent_at < ? ORDER BY sent_at').all(bound);
  return rows.filter((r) => Date.parse(r.sent_at) < cutoff.getTime()).map((r) => r.key);
}

export async function runRetention(parts: AdminParts, opts: RetentionOptions = {}): Promise<RetentionResult> {
  const retentionDays = parts.config.retentionDays;
  const cutoff = retentionCutoff(parts.clock.now(), retentionDays);
  const keys = expiredKeys(parts, cutoff);
  const base = { cutoff: cutoff.toISOString(), retentionDays, dryRun: !!opts.dryRun, expired: keys.length };
  if (opts.dryRun) return { ...base, messages: 0, crmDeleted: 0, crmOwed: 0 };
  const result = await forgetMessages(parts, keys, { reason: 'retention', crm: opts.crm ?? false });
  parts.admin.audit(parts.actor, 'retention.run', null, { ...base, crm: opts.crm ?? false, ...result });
  return { ...base, ...result };
}
