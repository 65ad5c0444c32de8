/**
 * /metrics in the Prometheus text format (prom-client). Counters count what this process ran
 * since it started (Prometheus handles the reset on restart); gauges are read from the tenant
 * views at scrape time.
 *
 * Sync lag is per mailbox but exported per tenant as quantiles over its mailboxes (0.5, 0.9 and
 * 1 = the worst): a mailbox address is personal data and an unbounded label set, so no label
 * ever holds an address or a subject. Which mailbox lags is on the status page.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { SyncTotals } from '../run-sync.js';
import { countsOfRound } from './round-history.js';
import { mailboxHealth, tenantProblems, type OpsState, type RoundOutcome } from './ops-state.js';

export interface QueueDepth {
  queued: number;
  running: number;
}

/** The value at quantile `q` (nearest rank) of sorted `values`. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

export const LAG_QUANTILES = [0.5, 0.9, 1] as const;

export class OpsMetrics {
  readonly registry = new Registry();
  private readonly rounds: Counter<'tenant' | 'outcome'>;
  private readonly messages: Counter<'tenant' | 'reason'>;

  constructor(state: OpsState, queueDepth: () => QueueDepth, now: () => Date = () => new Date()) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'mailbridge_' });
    this.rounds = new Counter({ name: 'mailbridge_rounds_total', help: 'Sync rounds run, by outcome (ok, partial: a mailbox failed, failed: the round failed).', labelNames: ['tenant', 'outcome'], registers });
    this.messages = new Counter({ name: 'mailbridge_messages_total', help: 'Messages scanned, by what happened to them (imported, duplicate, or the skip reason).', labelNames: ['tenant', 'reason'], registers });

    new Gauge({
      name: 'mailbridge_tenant_healthy',
      help: '1 when the tenant\'s last round succeeded and no mailbox is failing or revoked, else 0.',
      labelNames: ['tenant'],
      registers,
      collect() {
        this.reset();
        for (const v of state.all()) this.set({ tenant: v.status.tenant }, tenantProblems(v).length ? 0 : 1);
      },
    });
    new Gauge({
      name: 'mailbridge_last_round_timestamp_seconds',
      help: 'When the tenant\'s last sync round finished (Unix time).',
      labelNames: ['tenant'],
      registers,
      collect() {
        this.reset();
        for (const v of state.all()) {
          const at = v.round?.at ?? v.status.lastRound?.at;
          if (at) this.set({ tenant: v.status.tenant }, Date.parse(at) / 1000);
        }
      },
    });
    new Gauge({
      name: 'mailbridge_mailboxes',
      help: 'Mailboxes by connection (invited, connected, revoked, failing, not-connected).',
      labelNames: ['tenant', 'connection'],
      registers,
      collect() {
        this.reset();
        for (const v of state.all()) for (const m of v.status.mailboxes) this.inc({ tenant: v.status.tenant, connection: m.connection });
      },
    });
    new Gauge({
      name: 'mailbridge_mailboxes_failing',
      help: 'Mailboxes whose last sync failed or whose access is revoked.',
      labelNames: ['tenant'],
      registers,
      collect() {
        this.reset();
        for (const v of state.all()) this.set({ tenant: v.status.tenant }, v.status.mailboxes.filter((m) => mailboxHealth(m) !== 'ok').length);
      },
    });
    new Gauge({
      name: 'mailbridge_mailbox_sync_lag_seconds',
      help: 'Time since each mailbox\'s last successful sync, as quantiles over the tenant\'s synced mailboxes (quantile 1: the worst).',
      labelNames: ['tenant', 'quantile'],
      registers,
      collect() {
        this.reset();
        const t = now().getTime();
        for (const v of state.all()) {
          const lags = v.status.mailboxes.filter((m) => m.lastOkAt).map((m) => Math.max(0, (t - Date.parse(m.lastOkAt!)) / 1000));
          if (!lags.length) continue;
          lags.sort((a, b) => a - b);
          for (const q of LAG_QUANTILES) this.set({ tenant: v.status.tenant, quantile: String(q) }, quantile(lags, q));
        }
      },
    });
    new Gauge({
      name: 'mailbridge_api_daily_calls_used',
      help: 'API calls used in the service\'s current daily window, as the service last reported.',
      labelNames: ['tenant', 'service'],
      registers,
      collect() {
        this.reset();
        for (const v of state.all()) if (v.status.crm.budget?.dailyUsed != null) this.set({ tenant: v.status.tenant, service: v.status.crm.kind }, v.status.crm.budget.dailyUsed);
      },
    });
    new Gauge({
      name: 'mailbridge_api_daily_calls_remaining',
      help: 'API calls left in the service\'s current daily window (its allocation minus calls used), as the service last reported.',
      labelNames: ['tenant', 'service'],
      registers,
      collect() {
        this.reset();
        for (const v of state.all()) {
          const b = v.status.crm.budget;
          if (b?.dailyUsed != null && b.dailyMax != null) this.set({ tenant: v.status.tenant, service: v.status.crm.kind }, Math.max(0, b.dailyMax - b.dailyUsed));
        }
      },
    });
    new Gauge({
      name: 'mailbridge_queue_jobs',
      help: 'Jobs (sync, retention, privacy) in the scheduler\'s queue, by state.',
      labelNames: ['state'],
      registers,
      collect() {
        const d = queueDepth();
        this.set({ state: 'queued' }, d.queued);
        this.set({ state: 'running' }, d.running);
      },
    });
    new Gauge({
      name: 'mailbridge_crm_deletions_pending',
      help: 'CRM activity deletions owed (queued until the CRM accepts them).',
      labelNames: ['tenant'],
      registers,
      collect() {
        this.reset();
        for (const v of state.all()) this.set({ tenant: v.status.tenant }, v.status.crm.pendingDeletions);
      },
    });
  }

  /** Counts a round this process ran (totals: null for a round that failed before its end). */
  recordRound(tenant: string, outcome: RoundOutcome, totals: SyncTotals | null): void {
    this.rounds.inc({ tenant, outcome });
    if (!totals) return;
    for (const [reason, n] of Object.entries(countsOfRound(totals))) if (n) this.messages.inc({ tenant, reason }, n);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
