/**
 * `mailbridge worker`: one member of the pool. Registers itself (so `status` lists the pool),
 * makes sure the pool's cron schedules exist, queues a first round per tenant (a no-op when one
 * already waits), and runs jobs until stopped. SIGTERM finishes the batch in flight and
 * releases the job; SIGKILL loses nothing either: the job expires and another worker retries it.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { LoadedConfig } from '../../config/load-config.js';
import type { JobLogger } from '../logger.js';
import { openTenant } from '../open-tenant.js';
import { PgBossJobQueue, type PgBossQueueOptions } from '../scheduler/pg-boss-queue.js';
import { openPostgresStore } from '../store/open-store.js';
import { CrmRateBuckets } from './crm-rate-bucket.js';
import { runPoolJob } from './pool-jobs.js';
import { WorkerRegistry } from './worker-registry.js';

/** Store connections per job lane: a mailbox job's reads and writes, and a lease renewal beside them. */
const STORE_POOL_PER_LANE = 2;

export interface WorkerOptions {
  connectionString: string;
  concurrency: number;
  /** Queue a round per tenant at start (default true). */
  initial?: boolean;
  /** Queue tuning (tests shorten expiry and polling). */
  tuning?: Partial<Omit<PgBossQueueOptions, 'connectionString' | 'concurrency'>>;
}

export interface RunningWorker {
  id: string;
  stop(): Promise<void>;
}

export async function startWorker(config: LoadedConfig, logger: JobLogger, opts: WorkerOptions): Promise<RunningWorker> {
  const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const tenants = new Map(config.tenants.map((t) => [t.id, t]));
  // With the shared store, every job opens its tenant on this one pool (and checks its schema).
  const store = config.store.kind === 'postgres' ? openPostgresStore(config, STORE_POOL_PER_LANE * opts.concurrency) : undefined;
  const tuning = { ...workerTuningFromEnv(), ...opts.tuning };
  const queue = new PgBossJobQueue({
    connectionString: opts.connectionString,
    concurrency: opts.concurrency,
    ...tuning,
    onError: (err) => logger.error({ error: err.message }, 'queue error'),
  });
  const registry = new WorkerRegistry(queue.boss.getDb(), id, opts.connectionString);
  let buckets: CrmRateBuckets | null = null;
  try {
    await queue.start();
    // Every worker's CRM calls for a tenant count in one bucket: the tenant's limits are shared.
    buckets = await CrmRateBuckets.open(opts.connectionString);
    const crmBuckets = buckets;
    await registry.join(opts.concurrency);
    await queue.schedule(config.schedule.cron, config.schedule.retentionCron);
    await queue.onTick(async (kind) => {
      for (const tenant of tenants.keys()) await queue.enqueue({ kind, tenant });
    });
    const holder = `${hostname()}:${process.pid}`;
    await queue.work(async (job, signal) => {
      try {
        await runPoolJob(job, signal, {
          open: async (tenantId) => {
            const t = tenants.get(tenantId);
            return t ? crmBuckets.share(await openTenant(config, t, { postgres: store })) : null;
          },
          enqueue: (next) => queue.enqueue(next),
          enqueueLater: (next) => queue.enqueue(next, { afterRetryDelay: true }),
          logger,
          holder,
        });
      } catch (err) {
        logger.warn({ job: { kind: job.kind, tenant: job.tenant, mailbox: job.mailbox }, error: err instanceof Error ? err.message : String(err) }, 'job not done; retried');
        // pg-boss keeps what a job threw in the database: only its kind, never an error text
        // that might quote a message (the log above has the detail). No `cause`, for that reason.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(`job not done (${err instanceof Error ? err.name : 'error'}); see the worker log`);
      }
    });
    if (opts.initial !== false) for (const tenant of tenants.keys()) await queue.enqueue({ kind: 'sync', tenant });
    logger.info({ worker: id, concurrency: opts.concurrency, tenants: [...tenants.keys()], cron: config.schedule.cron }, 'worker joined the pool');
  } catch (err) {
    // A worker that cannot join leaves nothing running behind it.
    await queue.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await buckets?.close().catch(() => undefined);
    throw err;
  }
  return {
    id,
    async stop() {
      await registry.leave().catch(() => undefined);
      await queue.close();
      await store?.close();
      await buckets?.close().catch(() => undefined);
    },
  };
}

/**
 * Expiry and polling from the environment (MAILBRIDGE_WORKER_EXPIRE_SECONDS and friends), for
 * tests and benchmarks that kill workers and want the retry within seconds, not minutes.
 */
function workerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<PgBossQueueOptions> {
  const num = (name: string) => (env[name] ? Number(env[name]) : undefined);
  const out: Partial<PgBossQueueOptions> = {};
  const expire = num('MAILBRIDGE_WORKER_EXPIRE_SECONDS');
  const maintenance = num('MAILBRIDGE_WORKER_MAINTENANCE_SECONDS');
  const polling = num('MAILBRIDGE_WORKER_POLL_SECONDS');
  const retryDelay = num('MAILBRIDGE_WORKER_RETRY_DELAY_SECONDS');
  if (expire) out.expireInSeconds = expire;
  if (maintenance) out.maintenanceIntervalSeconds = maintenance;
  if (polling) out.pollingIntervalSeconds = polling;
  if (retryDelay) out.retryDelaySeconds = retryDelay;
  return out;
}
