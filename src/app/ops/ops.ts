/**
 * The operations side of `mailbridge run`: keeps the tenant views current after every job,
 * counts rounds for /metrics, sends alerts on transitions (`alerts.webhook`) and, when asked,
 * serves the status page, /metrics and /healthz (`--http` or `http.listen`).
 */
import { ConfigError, resolveSecret, type LoadedConfig } from '../../config/load-config.js';
import type { JobLogger } from '../logger.js';
import type { OpenTenant } from '../open-tenant.js';
import type { SyncRoundResult } from '../run-sync.js';
import { AlertSender, AlertWatch } from './alerts.js';
import { MIN_TOKEN_LENGTH, startOpsHttp, type OpsHttpServer } from './http-server.js';
import { OpsMetrics, type QueueDepth } from './metrics.js';
import { failedRound, OpsState, readTenantView, roundOf, type RoundRecord, type TenantView } from './ops-state.js';

export const HTTP_TOKEN_VARIABLE = 'MAILBRIDGE_HTTP_TOKEN';

/** `host:port` (IPv6 in brackets) as host and port; null when it is not one. */
export function parseListen(value: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+)):(\d{1,5})$/i.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65_535) return null;
  return { host: m[1] ?? m[2]!, port };
}

/** The page's token: `http.token`, else MAILBRIDGE_HTTP_TOKEN; a ConfigError naming both when absent or short. */
export function httpToken(config: Pick<LoadedConfig, 'http'>, env: NodeJS.ProcessEnv = process.env): string {
  const token = config.http?.token ? resolveSecret(config.http.token, 'http.token', env) : env[HTTP_TOKEN_VARIABLE];
  if (!token) throw new ConfigError(`http.token: the status page needs a token; set http.token in the configuration or ${HTTP_TOKEN_VARIABLE}`, 'http.token');
  if (token.length < MIN_TOKEN_LENGTH) throw new ConfigError(`http.token: at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 24\`)`, 'http.token');
  return token;
}

export class Ops {
  readonly state = new OpsState();
  readonly metrics: OpsMetrics;
  private readonly watch = new AlertWatch();
  private readonly alerts: AlertSender | null;
  private server: OpsHttpServer | null = null;
  private pendingAlerts: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: LoadedConfig,
    private readonly logger: JobLogger,
    queueDepth: () => QueueDepth,
  ) {
    this.metrics = new OpsMetrics(this.state, queueDepth);
    this.alerts = config.alerts?.webhook ? new AlertSender(config.alerts.webhook, logger) : null;
  }

  /** Re-reads a tenant's view (after any job); `round` replaces the last round's outcome when given. */
  async observe(tenant: OpenTenant, round?: RoundRecord): Promise<void> {
    const previous = this.state.get(tenant.config.id)?.round ?? null;
    let view;
    try {
      view = await readTenantView(tenant, this.config, round ?? previous);
    } catch (err) {
      this.logger.warn({ tenant: tenant.config.id, error: err instanceof Error ? err.message : String(err) }, 'status page: could not read the tenant');
      return;
    }
    this.state.set(view);
    this.alert(view);
  }

  async roundFinished(tenant: OpenTenant, result: SyncRoundResult): Promise<void> {
    const round = roundOf(result, tenant.clock.now());
    this.metrics.recordRound(tenant.config.id, round.outcome, result.totals);
    await this.observe(tenant, round);
  }

  /** A round that threw; `tenant` is null when its database could not even be opened. */
  async roundFailed(tenantId: string, tenant: OpenTenant | null, error: unknown): Promise<void> {
    const round = failedRound(error, new Date());
    this.metrics.recordRound(tenantId, 'failed', null);
    if (tenant) return this.observe(tenant, round);
    const view = this.state.get(tenantId);
    if (!view) return;
    const updated = { ...view, round, readAt: round.at };
    this.state.set(updated);
    this.alert(updated);
  }

  /** Queues the alerts a view brings; they go out in the background, one after the other. */
  private alert(view: TenantView): void {
    const events = this.watch.changes(view);
    if (events.length && this.alerts) this.pendingAlerts = this.alerts.send(events);
  }

  /** Resolves when every alert queued so far was posted (or failed and was logged). */
  alertsSent(): Promise<void> {
    return this.pendingAlerts;
  }

  async listen(address: { host: string; port: number }, token: string): Promise<string> {
    this.server = await startOpsHttp({ ...address, token, state: this.state, metrics: this.metrics });
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
    await this.pendingAlerts;
  }
}
