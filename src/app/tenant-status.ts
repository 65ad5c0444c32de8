/**
 * What `mailbridge status` reports for one tenant, read from its store only (no API call):
 * per mailbox the connection, last sync, last success, last error, counts by reason and the
 * emails imported from it; the next scheduled round; per CRM the API budget the last round saw
 * and the deletions still owed to it; totals.
 */
import type { LoadedConfig } from '../config/load-config.js';
import type { OpenTenant } from './open-tenant.js';
import { nextRunOf } from './scheduler/scheduler.js';
import type { MailboxStatusRow, SyncRoundRecord } from '../store/admin-store.js';

/** Connections that need an admin: consent withdrawn, failing, gone from the directory, never connected. */
export const ATTENTION_CONNECTIONS: readonly string[] = ['revoked', 'failing', 'missing', 'not-connected'];

/** The last round as `status` shows it; `ok` false with `error` when it stopped early. */
export interface LastRoundReport {
  /** When it finished (kept for readers of the earlier shape). */
  at: string | null;
  totals: unknown;
  ok: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  /** Where a failed round stopped: housekeeping, crm, mailboxes, finish. */
  stage: string | null;
  /** code (auth, transient, database, …), message, and `setting`: the configuration path to check. */
  error: { code: string; message: string; setting: string | null } | null;
  /** Emails the round imported by late matching (docs/rules.md "Late matches"). */
  lateMatched: number;
  /** Activities the round moved after CRM changes (docs/rules.md "Re-association"). */
  reassociated: number;
}

function lateMatchedOf(totals: unknown): number {
  const n = (totals as { lateMatched?: unknown } | null)?.lateMatched;
  return typeof n === 'number' ? n : 0;
}

function reassociatedOf(totals: unknown): number {
  const n = (totals as { reassociated?: unknown } | null)?.reassociated;
  return typeof n === 'number' ? n : 0;
}

export interface MailboxStatusReport extends Omit<MailboxStatusRow, 'lastResult'> {
  /** Messages not imported, by reason code (internal-only, automated, …): counts only (DESIGN §1.3). */
  skipped: Record<string, number>;
  /** Emails in the ledger this mailbox holds (one email held by two mailboxes counts in both). */
  imported: number;
  /** Meetings logged that this mailbox's calendar holds (one meeting in two calendars counts in both). */
  meetingsImported: number;
  /** Meetings of this calendar not logged, by reason: counts only. */
  meetingsSkipped: Record<string, number>;
}

export interface CrmBudget {
  dailyUsed: number | null;
  dailyMax: number | null;
  at: string | null;
}

export interface TenantStatusReport {
  tenant: string;
  provider: string;
  mode: string;
  crm: { kind: string; budget: CrmBudget | null; pendingDeletions: number };
  schedule: { cron: string; nextRun: string | null };
  lastRound: LastRoundReport | null;
  /** The latest rounds, newest first (up to 10). */
  recentRounds: SyncRoundRecord[];
  mailboxes: MailboxStatusReport[];
  totals: {
    mailboxes: number;
    connected: number;
    /**
     * Mailboxes whose last round ended in an error or whose connection is revoked, failing,
     * missing or not-connected; plus one when the tenant's last round failed.
     */
    needingAttention: number;
    /** The tenant's last round failed (counted in needingAttention). */
    lastRoundFailed: boolean;
    /** Distinct emails written to the CRM. */
    imported: number;
    skipped: Record<string, number>;
    /** Whether calendars are read (`calendar.enabled`). */
    calendar: boolean;
    /** Distinct meetings written to the CRM (each occurrence of a series is one). */
    meetingsImported: number;
    meetingsSkipped: Record<string, number>;
  };
}

function parseJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** When the scheduler runs next after `now`; null for a pattern croner rejects. */
export function nextRun(pattern: string, now: Date): string | null {
  try {
    return nextRunOf(pattern, now)?.toISOString() ?? null;
  } catch {
    return null;
  }
}

function budget(raw: unknown): CrmBudget | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return { dailyUsed: num(r.dailyUsed), dailyMax: num(r.dailyMax), at: typeof r.at === 'string' ? r.at : null };
}

export async function tenantStatus(tenant: OpenTenant, config: Pick<LoadedConfig, 'schedule'>, now: Date = tenant.clock.now()): Promise<TenantStatusReport> {
  const { config: t } = tenant;
  const { ledger, status, settings, rounds, governance, meetings: meetingStore } = tenant.stores;
  const rows = new Map((await status.mailboxStatuses()).map((s) => [s.address, s]));
  // Configured mailboxes nobody has connected yet are listed too: they are what needs doing.
  for (const raw of t.mail.users ?? []) {
    const address = raw.toLowerCase();
    if (!rows.has(address)) {
      rows.set(address, { address, mailboxId: null, connection: t.mail.mode === 'user' ? 'invited' : 'not-connected', lastSyncAt: null, lastOkAt: null, lastError: null, lastResult: null });
    }
  }
  const mailboxes: MailboxStatusReport[] = [];
  for (const s of [...rows.values()].sort((a, b) => a.address.localeCompare(b.address))) {
    const id = s.mailboxId ?? (t.mail.mode === 'user' ? s.address : null);
    mailboxes.push({
      address: s.address,
      mailboxId: s.mailboxId,
      connection: s.connection,
      lastSyncAt: s.lastSyncAt,
      lastOkAt: s.lastOkAt,
      lastError: s.lastError,
      skipped: id ? await ledger.reasonCounts(id) : {},
      imported: id ? await ledger.importedCount(id) : 0,
      meetingsImported: id ? await meetingStore.importedMeetingCount(id) : 0,
      meetingsSkipped: id ? await meetingStore.meetingReasonCounts(id) : {},
    });
  }

  const skipped: Record<string, number> = {};
  for (const m of mailboxes) for (const [r, n] of Object.entries(m.skipped)) skipped[r] = (skipped[r] ?? 0) + n;
  const meetingsSkipped: Record<string, number> = {};
  for (const m of mailboxes) for (const [r, n] of Object.entries(m.meetingsSkipped)) meetingsSkipped[r] = (meetingsSkipped[r] ?? 0) + n;
  const recentRounds = await rounds.syncRounds(10);
  const lastRound = lastRoundOf(recentRounds[0], parseJson(await settings.setting('sync.lastRound')) as { at?: string; totals?: unknown } | null);
  const lastRoundFailed = lastRound !== null && !lastRound.ok;
  return {
    tenant: t.id,
    provider: t.mail.provider,
    mode: t.mail.mode,
    crm: {
      kind: t.crm.kind,
      budget: budget(parseJson(await settings.setting('crm.limits'))),
      pendingDeletions: await governance.crmDeletionsOwedCount(),
    },
    schedule: { cron: config.schedule.cron, nextRun: nextRun(config.schedule.cron, now) },
    lastRound,
    recentRounds,
    mailboxes,
    totals: {
      mailboxes: mailboxes.length,
      connected: mailboxes.filter((m) => m.connection === 'connected').length,
      needingAttention: mailboxes.filter((m) => m.lastError !== null || ATTENTION_CONNECTIONS.includes(m.connection)).length + (lastRoundFailed ? 1 : 0),
      lastRoundFailed,
      imported: await ledger.importedCount(),
      skipped,
      calendar: t.calendar.enabled,
      meetingsImported: await meetingStore.importedMeetingCount(),
      meetingsSkipped,
    },
  };
}

/** The recorded round, or (a database from before migration 5) the summary of the last good one. */
function lastRoundOf(record: SyncRoundRecord | undefined, legacy: { at?: string; totals?: unknown } | null): LastRoundReport | null {
  if (record) {
    return { at: record.finishedAt, totals: record.totals, ok: record.ok, startedAt: record.startedAt, finishedAt: record.finishedAt, stage: record.stage, error: record.error, lateMatched: lateMatchedOf(record.totals), reassociated: reassociatedOf(record.totals) };
  }
  if (!legacy) return null;
  return { at: legacy.at ?? null, totals: legacy.totals ?? null, ok: true, startedAt: null, finishedAt: legacy.at ?? null, stage: null, error: null, lateMatched: lateMatchedOf(legacy.totals), reassociated: reassociatedOf(legacy.totals) };
}
