/**
 * What `mailbridge status` reports for one tenant, read from its database only (no API call):
 * per mailbox the connection, last sync, last success, last error, counts by reason and the
 * emails imported from it; the next scheduled round; per CRM the API budget the last round saw
 * and the deletions still owed to it; totals.
 */
import type { LoadedConfig } from '../config/load-config.js';
import type { OpenTenant } from './open-tenant.js';
import { nextRunOf } from './scheduler/scheduler.js';
import type { MailboxStatusRow } from '../store/admin-store.js';

export interface MailboxStatusReport extends Omit<MailboxStatusRow, 'lastResult'> {
  /** Messages not imported, by reason code (internal-only, automated, …): counts only (DESIGN §1.3). */
  skipped: Record<string, number>;
  /** Emails in the ledger this mailbox holds (one email held by two mailboxes counts in both). */
  imported: number;
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
  lastRound: { at: string | null; totals: unknown } | null;
  mailboxes: MailboxStatusReport[];
  totals: {
    mailboxes: number;
    connected: number;
    /** Mailboxes whose last round ended in an error, or whose connection is revoked or failing. */
    needingAttention: number;
    /** Distinct emails written to the CRM. */
    imported: number;
    skipped: Record<string, number>;
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

export function tenantStatus(tenant: OpenTenant, config: Pick<LoadedConfig, 'schedule'>, now: Date = tenant.clock.now()): TenantStatusReport {
  const { db, admin, store, config: t } = tenant;
  const heldBy = db.prepare<[string], number>('SELECT count(*) FROM ledger_holders WHERE mailbox_id = ?').pluck();
  const rows = new Map(admin.mailboxStatuses().map((s) => [s.address, s]));
  // Configured mailboxes nobody has connected yet are listed too: they are what needs doing.
  for (const raw of t.mail.users ?? []) {
    const address = raw.toLowerCase();
    if (!rows.has(address)) {
      rows.set(address, { address, mailboxId: null, connection: t.mail.mode === 'user' ? 'invited' : 'not-connected', lastSyncAt: null, lastOkAt: null, lastError: null, lastResult: null });
    }
  }
  const mailboxes: MailboxStatusReport[] = [...rows.values()]
    .sort((a, b) => a.address.localeCompare(b.address))
    .map((s) => {
      const id = s.mailboxId ?? (t.mail.mode === 'user' ? s.address : null);
      return {
        address: s.address,
        mailboxId: s.mailboxId,
        connection: s.connection,
        lastSyncAt: s.lastSyncAt,
        lastOkAt: s.lastOkAt,
        lastError: s.lastError,
        skipped: id ? store.reasonCounts(id) : {},
        imported: id ? (heldBy.get(id) ?? 0) : 0,
      };
    });

  const skipped: Record<string, number> = {};
  for (const m of mailboxes) for (const [r, n] of Object.entries(m.skipped)) skipped[r] = (skipped[r] ?? 0) + n;
  const round = parseJson(admin.setting('sync.lastRound')) as { at?: string; totals?: unknown } | null;
  return {
    tenant: t.id,
    provider: t.mail.provider,
    mode: t.mail.mode,
    crm: {
      kind: t.crm.kind,
      budget: budget(parseJson(admin.setting('crm.limits'))),
      pendingDeletions: db.prepare<[], number>('SELECT count(*) FROM crm_deletions').pluck().get() ?? 0,
    },
    schedule: { cron: config.schedule.cron, nextRun: nextRun(config.schedule.cron, now) },
    lastRound: round ? { at: round.at ?? null, totals: round.totals ?? null } : null,
    mailboxes,
    totals: {
      mailboxes: mailboxes.length,
      connected: mailboxes.filter((m) => m.connection === 'connected').length,
      needingAttention: mailboxes.filter((m) => m.lastError !== null || m.connection === 'revoked' || m.connection === 'failing').length,
      imported: db.prepare<[], number>('SELECT count(*) FROM ledger').pluck().get() ?? 0,
      skipped,
    },
  };
}
