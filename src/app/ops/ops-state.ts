/**
 * What the status page, /healthz, /metrics and alerts know: per tenant the `status` report as
 * last read from its database, its recent audit entries, counts by reason over 24 h and 7 d, and
 * the outcome of the last round this process ran. Refreshed after every job, so a request never
 * opens a database (and never stands in the way of `key rotate`).
 */
import { isSyncError } from '../../core/sync-error.js';
import type { LoadedConfig } from '../../config/load-config.js';
import type { AuditEntry } from '../../store/admin-store.js';
import type { OpenTenant } from '../open-tenant.js';
import type { SyncRoundResult } from '../run-sync.js';
import { tenantStatus, type MailboxStatusReport, type TenantStatusReport } from '../tenant-status.js';
import { countsSince } from './round-history.js';

const DAY = 86_400_000;
const AUDIT_ENTRIES = 20;

export type RoundOutcome = 'ok' | 'partial' | 'failed';

export interface RoundRecord {
  at: string;
  outcome: RoundOutcome;
  /** The error of a failed round: a code an admin can look up, and the message. */
  error: { code: string; message: string } | null;
}

export interface TenantView {
  status: TenantStatusReport;
  audit: AuditEntry[];
  counts: { day: Record<string, number>; week: Record<string, number> };
  round: RoundRecord | null;
  readAt: string;
}

/** A mailbox's health as alerts and the page see it. */
export type MailboxHealth = 'ok' | 'failing' | 'revoked';

export function mailboxHealth(m: Pick<MailboxStatusReport, 'connection' | 'lastError'>): MailboxHealth {
  if (m.connection === 'revoked') return 'revoked';
  if (m.connection === 'failing' || m.lastError !== null) return 'failing';
  return 'ok';
}

/** Failing and revoked mailboxes first, then by address. */
export function failingFirst<T extends Pick<MailboxStatusReport, 'connection' | 'lastError' | 'address'>>(mailboxes: readonly T[]): T[] {
  const rank = (m: T) => ({ revoked: 0, failing: 1, ok: 2 })[mailboxHealth(m)];
  return [...mailboxes].sort((a, b) => rank(a) - rank(b) || a.address.localeCompare(b.address));
}

export function roundOf(result: SyncRoundResult, at: Date): RoundRecord {
  // A failed calendar makes the round partial too: its mail went through, its meetings did not.
  return { at: at.toISOString(), outcome: result.totals.failed || result.totals.calendarsFailed ? 'partial' : 'ok', error: null };
}

export function failedRound(error: unknown, at: Date): RoundRecord {
  const code = isSyncError(error) ? error.code : error instanceof Error ? error.name : 'error';
  return { at: at.toISOString(), outcome: 'failed', error: { code, message: error instanceof Error ? error.message : String(error) } };
}

/** Reads a tenant's view from its open database. */
export async function readTenantView(tenant: OpenTenant, config: Pick<LoadedConfig, 'schedule'>, round: RoundRecord | null): Promise<TenantView> {
  const now = tenant.clock.now();
  const { audit, settings } = tenant.stores;
  return {
    status: await tenantStatus(tenant, config, now),
    audit: await audit.auditLog(AUDIT_ENTRIES),
    counts: { day: await countsSince(settings, now, DAY), week: await countsSince(settings, now, 7 * DAY) },
    round,
    readAt: now.toISOString(),
  };
}

export interface Health {
  ok: boolean;
  /** One line per problem, naming the tenant; no address or message content (served without a token). */
  problems: string[];
}

/** Problems of one tenant: its last round failed, or mailboxes are failing or revoked. */
export function tenantProblems(view: TenantView): string[] {
  const id = view.status.tenant;
  const problems: string[] = [];
  if (view.round?.outcome === 'failed') problems.push(`tenant ${id}: last round failed (${view.round.error?.code ?? 'error'})`);
  const byHealth = { failing: 0, revoked: 0 };
  for (const m of view.status.mailboxes) {
    const h = mailboxHealth(m);
    if (h !== 'ok') byHealth[h]++;
  }
  if (byHealth.revoked) problems.push(`tenant ${id}: ${byHealth.revoked} mailbox${byHealth.revoked === 1 ? '' : 'es'} revoked`);
  if (byHealth.failing) problems.push(`tenant ${id}: ${byHealth.failing} mailbox${byHealth.failing === 1 ? '' : 'es'} failing`);
  return problems;
}

export class OpsState {
  private readonly views = new Map<string, TenantView>();

  set(view: TenantView): void {
    this.views.set(view.status.tenant, view);
  }

  get(tenant: string): TenantView | undefined {
    return this.views.get(tenant);
  }

  all(): TenantView[] {
    return [...this.views.values()].sort((a, b) => a.status.tenant.localeCompare(b.status.tenant));
  }

  health(): Health {
    const problems = this.all().flatMap(tenantProblems);
    return { ok: problems.length === 0, problems };
  }
}
