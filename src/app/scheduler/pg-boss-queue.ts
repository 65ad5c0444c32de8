/**
 * The job queue on PostgreSQL, through pg-boss (10.x): the driver behind `JobQueue` that the
 * worker pool uses, so any number of `mailbridge worker` processes on any machines share one
 * queue. What the in-process queue does with maps, pg-boss does with its queue policies:
 * - `stately` queues keyed by tenant (rounds, housekeeping) or by tenant and mailbox (mailbox
 *   syncs): one job of a key at a time, waiting or running, so a mailbox is never synced twice
 *   at once and a tenant's CRM pull never overlaps itself;
 * - a failed or expired job (its worker was killed) is retried with exponential backoff, and
 *   after the last try it lands in a dead-letter queue that `status` shows;
 * - cron schedules live in the database, so N workers fire one tick, not N.
 * A job carries ids only (tenant id, mailbox id): never an address or subject of mail.
 */
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Job, JobHandler, JobKind, JobQueue } from './job-queue.js';

/** Queue names, one per job kind (pg-boss allows letters, digits, `_` and `-`). */
export const QUEUE_OF: Record<JobKind, string> = {
  sync: 'mailbridge-round',
  mailbox: 'mailbridge-mailbox',
  retention: 'mailbridge-retention',
  privacy: 'mailbridge-privacy',
};
export const DEAD_LETTER_QUEUE = 'mailbridge-dead';
/** The cron tick: one schedule for the pool, whose job enqueues every tenant's round. */
export const TICK_QUEUE = 'mailbridge-tick';
export const RETENTION_TICK_QUEUE = 'mailbridge-retention-tick';

const KIND_OF = new Map(Object.entries(QUEUE_OF).map(([kind, queue]) => [queue, kind as JobKind]));

export interface PgBossQueueOptions {
  connectionString: string;
  /** Jobs this process runs at once, over all queues. */
  concurrency: number;
  /** A job not finished after this long is taken as lost (its worker died) and retried. */
  expireInSeconds?: number;
  /** How often pg-boss looks for expired jobs; lower it in tests. */
  maintenanceIntervalSeconds?: number;
  pollingIntervalSeconds?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  /**
   * A client of the pool (`status`, a test or a tool queueing a round) rather than a worker: it
   * creates a missing queue but never rewrites the policies (expiry, retries) the workers set,
   * and runs no maintenance or cron of its own.
   */
  client?: boolean;
  onError?(error: Error): void;
}

/** What a job's data holds in the database: ids, nothing else. */
export interface JobData {
  tenant: string;
  mailbox?: string;
}

export function jobData(job: Job): JobData {
  return job.mailbox === undefined ? { tenant: job.tenant } : { tenant: job.tenant, mailbox: job.mailbox };
}

function singletonKey(job: Job): string {
  return job.mailbox === undefined ? job.tenant : `${job.tenant}/${job.mailbox}`;
}

export class PgBossJobQueue implements JobQueue {
  readonly boss: PgBoss;
  private readonly stop = new AbortController();
  private started: Promise<void> | null = null;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly opts: PgBossQueueOptions) {
    this.boss = new PgBoss({
      connectionString: opts.connectionString,
      application_name: 'mailbridge-worker',
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 60,
      ...(opts.client ? { supervise: false, schedule: false } : {}),
      // Small pool: a worker holds few connections, so N workers fit in max_connections.
      max: 4,
    });
    this.boss.on('error', (err) => opts.onError?.(err));
  }

  /** Creates (or updates) the queues and their policies; idempotent, every worker runs it. */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      // Workers starting together would deadlock updating the same queue rows: one at a time.
      await withSetupLock(this.opts.connectionString, () => this.ensureQueues());
    })();
    return this.started;
  }

  private async ensureQueues(): Promise<void> {
    const retry = { retryLimit: this.opts.retryLimit ?? 5, retryDelay: this.opts.retryDelaySeconds ?? 30, retryBackoff: true };
    const expireInSeconds = this.opts.expireInSeconds ?? 15 * 60;
    await this.ensureQueue(DEAD_LETTER_QUEUE, { name: DEAD_LETTER_QUEUE, policy: 'standard', retentionMinutes: 14 * 24 * 60 });
    for (const name of Object.values(QUEUE_OF)) {
      await this.ensureQueue(name, { name, policy: 'stately', ...retry, expireInSeconds, deadLetter: DEAD_LETTER_QUEUE });
    }
    for (const name of [TICK_QUEUE, RETENTION_TICK_QUEUE]) await this.ensureQueue(name, { name, policy: 'singleton', retryLimit: 1, expireInSeconds: 60 });
  }

  private async ensureQueue(name: string, options: PgBoss.Queue): Promise<void> {
    if (!(await this.boss.getQueue(name))) await this.boss.createQueue(name, options);
    else if (!this.opts.client) await this.boss.updateQueue(name, options);
  }

  /**
   * Queues the job unless one of the same key already waits, runs or waits for a retry; false
   * when it did not. With `afterRetryDelay` (a job queueing itself again, as it ends), it becomes
   * due only after the queue's retry delay, when the job that queued it has ended.
   */
  async enqueue(job: Job, opts: { afterRetryDelay?: boolean } = {}): Promise<boolean> {
    await this.start();
    const queue = QUEUE_OF[job.kind];
    const key = singletonKey(job);
    // pg-boss takes a queue's due jobs oldest first, and cannot start a stately job whose key
    // already runs: that fetch fails, so no job queued behind it starts either, on any worker,
    // until the running one ends (pg-boss #535, #536). So no job is queued behind a running one
    // of its key: the running job reads the mailbox anyway, and the next round queues it again.
    if (!opts.afterRetryDelay && (await this.runningOrRetrying(queue, key))) return false;
    const startAfter = opts.afterRetryDelay ? { startAfter: this.opts.retryDelaySeconds ?? 30 } : {};
    const id = await this.boss.send(queue, jobData(job), { singletonKey: key, ...startAfter });
    return id !== null;
  }

  private async runningOrRetrying(queue: string, key: string): Promise<boolean> {
    const found = await this.boss.getDb().executeSql(
      `SELECT 1 FROM pgboss.job WHERE name = $1 AND singleton_key = $2 AND state IN ('active', 'retry') LIMIT 1`,
      [queue, key],
    );
    return found.rows.length > 0;
  }

  /** Cron schedules in the database: a sync tick on `cron`, a retention tick on `retentionCron`. */
  async schedule(cron: string, retentionCron: string, timezone?: string): Promise<void> {
    await this.start();
    await withSetupLock(this.opts.connectionString, async () => {
      await this.boss.schedule(TICK_QUEUE, cron, {}, { tz: timezone ?? 'UTC' });
      await this.boss.schedule(RETENTION_TICK_QUEUE, retentionCron, {}, { tz: timezone ?? 'UTC' });
    });
  }

  /** Runs `onTick(kind)` when a schedule fires (in one worker of the pool). */
  async onTick(onTick: (kind: 'sync' | 'retention') => Promise<void>): Promise<void> {
    await this.start();
    await this.boss.work(TICK_QUEUE, { pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 2 }, () => onTick('sync'));
    await this.boss.work(RETENTION_TICK_QUEUE, { pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 2 }, () => onTick('retention'));
  }

  process(handler: JobHandler): void {
    void this.work(handler).catch((err: unknown) => this.opts.onError?.(err instanceof Error ? err : new Error(String(err))));
  }

  /** Like `process`, resolving once every queue is being worked. */
  async work(handler: JobHandler): Promise<void> {
    await this.start();
    // pg-boss polls a queue with one loop per `work` call, each loop one job at a time:
    // `concurrency` loops on the mailbox queue (the bulk of the work), one on each other.
    for (const [queue, kind] of KIND_OF) {
      const loops = kind === 'mailbox' ? this.opts.concurrency : 1;
      for (let i = 0; i < loops; i++) {
        await this.boss.work<JobData>(queue, { batchSize: 1, pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 2 }, async ([job]) => {
          if (!job || this.stop.signal.aborted) throw new Error('worker stopping: job released');
          const run = handler({ kind, tenant: job.data.tenant, ...(job.data.mailbox === undefined ? {} : { mailbox: job.data.mailbox }) }, this.stop.signal);
          this.running.add(run);
          try {
            await run;
          } finally {
            this.running.delete(run);
          }
        });
      }
    }
  }

  /** Jobs waiting and running, and dead letters: jobs that failed their last try (for `status`). */
  async depth(): Promise<{ queued: number; running: number; failed: number }> {
    await this.start();
    const sizes = await this.boss.getDb().executeSql(
      `SELECT name, state, COUNT(*)::int AS n FROM pgboss.job WHERE name = ANY($1) GROUP BY name, state`,
      [[...Object.values(QUEUE_OF), DEAD_LETTER_QUEUE]],
    );
    let queued = 0;
    let running = 0;
    let failed = 0;
    for (const row of sizes.rows as { name: string; state: string; n: number }[]) {
      if (row.name === DEAD_LETTER_QUEUE) failed += row.state === 'completed' ? 0 : row.n;
      else if (row.state === 'created' || row.state === 'retry') queued += row.n;
      else if (row.state === 'active') running += row.n;
    }
    return { queued, running, failed };
  }

  /**
   * Stops taking jobs; running handlers see the signal, finish the batch in flight and return;
   * a job cut short is failed by its handler and so released for a retry by another worker.
   */
  async close(): Promise<void> {
    this.stop.abort();
    if (!this.started) return;
    await Promise.allSettled([...this.running]);
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}

/** Runs `work` holding a session advisory lock of the pool's setup (its own connection). */
export async function withSetupLock(connectionString: string, work: () => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString, application_name: 'mailbridge-worker' });
  await client.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('mailbridge-pool-setup'))`);
    await work();
  } finally {
    await client.end();
  }
}
