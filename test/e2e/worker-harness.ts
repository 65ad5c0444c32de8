/**
 * What the worker-pool e2e tests share: `mailbridge worker` child processes with a short job
 * expiry (so a killed worker's job is retried within seconds), and waiting on a condition.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type pg from 'pg';
import { QUEUE_OF } from '../../src/app/scheduler/pg-boss-queue.js';
import { cliCommand } from '../../src/demo/sync-child.js';

/** Short expiry so a killed worker's job is retried within seconds (production: 15 minutes). */
const WORKER_ENV = {
  MAILBRIDGE_WORKER_EXPIRE_SECONDS: '20',
  MAILBRIDGE_WORKER_MAINTENANCE_SECONDS: '1',
  MAILBRIDGE_WORKER_POLL_SECONDS: '0.5',
  MAILBRIDGE_WORKER_RETRY_DELAY_SECONDS: '1',
};

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

export function startWorker(configFile: string, databaseUrl: string): WorkerProcess {
  const { args, cwd } = cliCommand();
  const child = spawn(process.execPath, [...args, 'worker', '--config', configFile, '--concurrency', '2', '--json', '--log-level', 'warn'], {
    cwd,
    env: { ...process.env, ...WORKER_ENV, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => err };
}

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 240_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The pool's progress as pg-boss's table shows it: round and mailbox jobs not yet done, rounds completed. */
export function queueProgress(db: pg.Client): { pending: () => Promise<number>; roundsDone: () => Promise<number> } {
  return {
    pending: async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM pgboss.job WHERE name = ANY($1) AND state IN ('created', 'retry', 'active')`,
        [[QUEUE_OF.sync, QUEUE_OF.mailbox]],
      );
      return rows[0]!.n;
    },
    roundsDone: async () => {
      const { rows } = await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [QUEUE_OF.sync]);
      return rows[0]!.n;
    },
  };
}
