/**
 * A tenant's CRM limits held in the pool's PostgreSQL, so N workers together use what one
 * process may (`limits.share` of each limit), not N times that. Counting is
 * rate-limiter-flexible's Postgres store: each call is one atomic `INSERT … ON CONFLICT DO UPDATE
 * … RETURNING` on a row of `mailbridge_pool.crm_calls`, so two workers never both take the last
 * call of a window.
 *
 * - HubSpot's rolling ten-second window: fixed sub-windows (`windowPlan`) sized so that any
 *   rolling interval holds at most the tenant's share.
 * - The daily allocation (Salesforce, HubSpot): a count per tenant and UTC day, capped at the
 *   share of the allocation the CRM reports (known after a worker's first answer; until then its
 *   calls are counted, not capped). The CRM's own counters (`CallBudget`) still stop everyone too,
 *   which covers other apps' calls and Salesforce's rolling 24 hours.
 *
 * Rows hold a tenant id, a date and counts: nothing of any mail.
 */
import pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { SharedCallGate } from '../../crm-adapters/call-budget.js';
import type { OpenTenant } from '../open-tenant.js';
import { withSetupLock } from '../scheduler/pg-boss-queue.js';

const SCHEMA = 'mailbridge_pool';
const TABLE = 'crm_calls';
const DAY_MS = 86_400_000;

export interface WindowPlan {
  /** Calls allowed per sub-window. */
  points: number;
  windowMs: number;
}

/**
 * Sub-windows for a rolling limit of `cap` calls per `intervalMs`. A rolling interval spanning k
 * sub-windows of intervalMs/k touches at most k + 1 of them, so `points × (k + 1) ≤ cap` holds the
 * limit however the calls fall; k is chosen to let the most calls through (sub-windows of at least
 * `minWindowMs`, so waiting workers do not poll the database too often).
 *
 * @example windowPlan(75, 10_000) → { points: 1, windowMs: 136 } (74 calls per 10 s, never 76)
 */
export function windowPlan(cap: number, intervalMs: number, minWindowMs = 100): WindowPlan {
  const maxK = Math.max(1, Math.floor(intervalMs / minWindowMs));
  let best = { k: 1, p: 0 };
  for (let k = 1; k <= maxK; k++) {
    const p = Math.floor(cap / (k + 1));
    if (p >= 1 && k * p > best.k * best.p) best = { k, p };
  }
  // A cap of 1 cannot be held by fixed windows; one call per interval is the closest.
  if (best.p === 0) return { points: 1, windowMs: intervalMs };
  return { points: best.p, windowMs: Math.ceil(intervalMs / best.k) };
}

export interface TenantBucketLimits {
  /** Fraction of each limit the tenant's workers may use together (`limits.share`). */
  share: number;
  /** The CRM's rolling window before any answer reported it (HubSpot: 100 or 190 per 10 s). */
  window?: { max: number; intervalMs: number };
}

/** The pool's buckets: one small connection pool per process, a gate per tenant. */
export class CrmRateBuckets {
  private constructor(private readonly pool: pg.Pool) {}

  /** Connects and creates the table (under the pool's setup lock, like the worker registry). */
  static async open(connectionString: string): Promise<CrmRateBuckets> {
    const pool = new pg.Pool({ connectionString, max: 3 });
    pool.on('error', () => undefined); // an idle connection dropped by the server: the next query reconnects
    try {
      await withSetupLock(connectionString, async () => {
        await pool.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
        await new Promise<void>((resolve, reject) => {
          new RateLimiterPostgres({ storeClient: pool, schemaName: SCHEMA, tableName: TABLE, points: 1, duration: 1 }, (err?: Error) => (err ? reject(err) : resolve()));
        });
      });
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new CrmRateBuckets(pool);
  }

  gate(tenantId: string, limits: TenantBucketLimits): SharedCallGate {
    return new TenantGate(this.pool, tenantId, limits);
  }

  /** The tenant with its CRM adapter paced by this bucket (the adapter is built on first use). */
  share(tenant: OpenTenant): OpenTenant {
    const build = tenant.crm.bind(tenant);
    let shared = false;
    const { id, crm, limits } = tenant.config;
    const window = crm.kind === 'hubspot' ? { max: limits.hubspotRequestsPer10s ?? 100, intervalMs: 10_000 } : undefined;
    tenant.crm = () => {
      const adapter = build();
      if (!shared) {
        adapter.shareLimits(this.gate(id, { share: limits.share, window }));
        shared = true;
      }
      return adapter;
    };
    return tenant;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class TenantGate implements SharedCallGate {
  private windowLimiter: RateLimiterPostgres | null = null;
  private windowKey = '';
  private daily: RateLimiterPostgres;

  constructor(
    private readonly pool: pg.Pool,
    private readonly tenantId: string,
    private readonly limits: TenantBucketLimits,
  ) {
    if (limits.window) this.window(limits.window.max, limits.window.intervalMs);
    // Until the CRM reports its allocation the day is counted but not capped.
    this.daily = this.limiter('crm-day', Number.MAX_SAFE_INTEGER, DAY_MS);
  }

  private limiter(keyPrefix: string, points: number, durationMs: number): RateLimiterPostgres {
    return new RateLimiterPostgres({
      storeClient: this.pool,
      schemaName: SCHEMA,
      tableName: TABLE,
      tableCreated: true,
      keyPrefix,
      points,
      duration: durationMs / 1000,
    });
  }

  window(max: number, intervalMs: number): void {
    const plan = windowPlan(Math.floor(max * this.limits.share), intervalMs);
    this.windowLimiter = this.limiter('crm-window', plan.points, plan.windowMs);
    // Another plan counts in its own row: windows of different lengths must not share a count.
    this.windowKey = `${this.tenantId}:${plan.points}/${plan.windowMs}`;
  }

  dailyLimit(limit: number): void {
    this.daily = this.limiter('crm-day', Math.max(1, Math.floor(limit * this.limits.share)), DAY_MS);
  }

  async take(): Promise<{ ok: true } | { ok: false; waitMs: number; daily: boolean }> {
    // The window first: a refused window must not use up a call of the day.
    if (this.windowLimiter) {
      const refused = await refusal(this.windowLimiter.consume(this.windowKey));
      if (refused !== null) return { ok: false, waitMs: Math.max(1, refused), daily: false };
    }
    const now = Date.now();
    const day = new Date(now).toISOString().slice(0, 10);
    const untilMidnight = DAY_MS - (now % DAY_MS);
    const refused = await refusal(this.daily.consume(`${this.tenantId}:${day}`, 1, { customDuration: untilMidnight / 1000 }));
    if (refused !== null) return { ok: false, waitMs: Math.max(1, refused), daily: true };
    return { ok: true };
  }
}

/** null when the call was taken; else milliseconds until the bucket's window ends. Database errors propagate. */
async function refusal(consumed: Promise<RateLimiterRes>): Promise<number | null> {
  try {
    await consumed;
    return null;
  } catch (err) {
    if (err instanceof RateLimiterRes) return err.msBeforeNext;
    throw err;
  }
}
