/**
 * The pg-boss driver of the job queue on a real PostgreSQL (test/helpers/postgres-server.ts):
 * two queue instances stand for two workers. One job per mailbox at a time across both (the
 * `stately` policy keyed by tenant and mailbox), no job queued behind a running one of its key
 * (it would stall the queue), a duplicate request while one waits is refused,
 * payloads hold ids only, a job that keeps failing ends as a dead letter that `depth` counts, and
 * closing a queue aborts the running handler's signal so the job is released, not lost.
 * pg-boss 10 policies: https://timgit.github.io/pg-boss/#/./api/queues (stately: one job per
 * state and singleton key).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { PgBossJobQueue, QUEUE_OF } from '../../../src/app/scheduler/pg-boss-queue.js';
import type { Job } from '../../../src/app/scheduler/job-queue.js';
import { startPostgresOrSkip, type PostgresServer } from '../../helpers/postgres-server.js';

let server: PostgresServer | null = null;
let dbNo = 0;

beforeAll(async () => {
  server = await startPostgresOrSkip();
}, 120_000);
afterAll(async () => server?.stop());

const fast = { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1, maintenanceIntervalSeconds: 1 } as const;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(() => server !== null)('pg-boss job queue', () => {
  it('runs one job per mailbox at a time across two workers, other mailboxes in parallel', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await server.createDatabase(`q${++dbNo}`);
    const a = new PgBossJobQueue({ connectionString: url, concurrency: 3, ...fast });
    const b = new PgBossJobQueue({ connectionString: url, concurrency: 3, ...fast });
    const gateA = deferred();
    try {
      const running = new Map<string, number>();
      const most = new Map<string, number>();
      const started: string[] = [];
      const handler = async (job: Job) => {
        const key = job.mailbox!;
        running.set(key, (running.get(key) ?? 0) + 1);
        most.set(key, Math.max(most.get(key) ?? 0, running.get(key)!));
        started.push(key);
        if (key === 'mbx-a' && started.filter((k) => k === 'mbx-a').length === 1) await gateA.promise;
        running.set(key, running.get(key)! - 1);
      };
      await a.work(handler);
      await b.work(handler);
      expect(await a.enqueue({ kind: 'mailbox', tenant: 't1', mailbox: 'mbx-a' })).toBe(true);
      await until(() => started.includes('mbx-a'), 'mailbox a to start');
      // While a runs, no other a is queued, from either worker.
      expect(await b.enqueue({ kind: 'mailbox', tenant: 't1', mailbox: 'mbx-a' })).toBe(false);
      expect(await a.enqueue({ kind: 'mailbox', tenant: 't1', mailbox: 'mbx-a' })).toBe(false);
      // Other mailboxes go on in parallel while a is held, through several polls of both workers.
      for (const m of ['mbx-b', 'mbx-c', 'mbx-d']) await b.enqueue({ kind: 'mailbox', tenant: 't1', mailbox: m });
      await until(() => ['mbx-b', 'mbx-c', 'mbx-d'].every((m) => started.includes(m)), 'the other mailboxes');
      await b.enqueue({ kind: 'mailbox', tenant: 't1', mailbox: 'mbx-e' });
      await until(() => started.includes('mbx-e'), 'a mailbox queued after them');
      expect(started.filter((k) => k === 'mbx-a')).toHaveLength(1);
      gateA.resolve();
      await until(async () => (await a.depth()).running === 0, 'mailbox a to end');
      // Once a has ended it is queued again (the next round) and runs.
      expect(await b.enqueue({ kind: 'mailbox', tenant: 't1', mailbox: 'mbx-a' })).toBe(true);
      await until(() => started.filter((k) => k === 'mbx-a').length === 2, 'mailbox a again');
      expect(most.get('mbx-a')).toBe(1);

      // Payloads: ids only.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ data: Record<string, unknown> }>('SELECT data FROM pgboss.job WHERE name = $1', [QUEUE_OF.mailbox]);
        expect(rows.length).toBeGreaterThan(0);
        for (const r of rows) expect(Object.keys(r.data).sort()).toEqual(['mailbox', 'tenant']);
      } finally {
        await client.end();
      }
    } finally {
      // A failed expectation above must not leave the held job running: close() would wait for it.
      gateA.resolve();
      await Promise.all([a.close(), b.close()]);
    }
  }, 90_000);

  it('a mailbox queued again while its job runs does not hold up the other mailboxes', async (ctx) => {
    // pg-boss starts a queue's due jobs oldest first and cannot start a stately job whose key runs:
    // that fetch fails, so a job queued behind a running one of its key stalled every job queued
    // after it (pg-boss #535, #536). One worker with one free lane fetches alone, so nothing
    // else gets past the stalled job by luck.
    if (!server) return ctx.skip();
    const url = await server.createDatabase(`q${++dbNo}`);
    const q = new PgBossJobQueue({ connectionString: url, concurrency: 2, ...fast });
    const held = deferred();
    try {
      const started: string[] = [];
      await q.work(async (job: Job) => {
        started.push(job.mailbox!);
        if (job.mailbox === 'mbx-a') await held.promise;
      });
      await q.enqueue({ kind: 'mailbox', tenant: 't1', mailbox: 'mbx-a' });
      await until(() => started.includes('mbx-a'), 'mailbox a to start');
      await q.enqueue({ kind: 'mailbox', tenant: 't1', mailbox: 'mbx-a' });
      await q.enqueue({ kind: 'mailbox', tenant: 't1', mailbox: 'mbx-b' });
      await until(() => started.includes('mbx-b'), 'mailbox b to start while a runs');
    } finally {
      held.resolve();
      await q.close();
    }
  }, 90_000);

  it('retries a failing job with backoff, then keeps it as a dead letter that depth counts', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await server.createDatabase(`q${++dbNo}`);
    const q = new PgBossJobQueue({ connectionString: url, concurrency: 1, ...fast, retryLimit: 2 });
    try {
      let tries = 0;
      await q.work(async () => {
        tries++;
        throw new Error('CRM down');
      });
      await q.enqueue({ kind: 'sync', tenant: 't1' });
      await until(async () => (await q.depth()).failed === 1, 'the dead letter', 60_000);
      expect(tries).toBe(3);
      expect(await q.depth()).toEqual({ queued: 0, running: 0, failed: 1 });
    } finally {
      await q.close();
    }
  }, 90_000);

  it('close() aborts the running job and releases it to another worker', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await server.createDatabase(`q${++dbNo}`);
    const first = new PgBossJobQueue({ connectionString: url, concurrency: 1, ...fast });
    const second = new PgBossJobQueue({ connectionString: url, concurrency: 1, ...fast });
    try {
      let aborted = false;
      let startedFirst = false;
      await first.work(async (_job, signal) => {
        startedFirst = true;
        // The batch in flight "finishes" when asked to stop; the rest of the job is not done.
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted = true;
        throw new Error('stopped before the end of the mailbox');
      });
      await first.enqueue({ kind: 'mailbox', tenant: 't1', mailbox: 'mbx-a' });
      await until(() => startedFirst, 'the first worker to take the job');
      await first.close();
      expect(aborted).toBe(true);
      let doneBySecond = false;
      await second.work(async () => {
        doneBySecond = true;
      });
      await until(() => doneBySecond, 'the second worker to run the released job');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  }, 90_000);

  it('a client (status, a tool queueing a round) leaves the queue policies the workers set', async (ctx) => {
    if (!server) return ctx.skip();
    const url = await server.createDatabase(`q${++dbNo}`);
    const worker = new PgBossJobQueue({ connectionString: url, concurrency: 1, ...fast, expireInSeconds: 20 });
    const client = new PgBossJobQueue({ connectionString: url, concurrency: 1, client: true });
    try {
      await worker.start();
      // Defaults of its own (15-minute expiry, 30 s retry delay) must not replace the workers'.
      expect(await client.enqueue({ kind: 'sync', tenant: 't1' })).toBe(true);
      expect(await client.depth()).toEqual({ queued: 1, running: 0, failed: 0 });
      const policy = await worker.boss.getQueue(QUEUE_OF.mailbox);
      expect({ expireInSeconds: policy?.expireInSeconds, retryDelay: policy?.retryDelay }).toEqual({ expireInSeconds: 20, retryDelay: 1 });
    } finally {
      await Promise.all([worker.close(), client.close()]);
    }
  }, 60_000);
});
