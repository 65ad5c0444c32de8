/**
 * The pool as `status` shows it: live workers, jobs waiting and running, dead letters (jobs that
 * failed their last try). Read from the shared PostgreSQL; nothing is contacted besides it.
 */
import { resolveSecret, type LoadedConfig } from '../../config/load-config.js';
import { PgBossJobQueue } from '../scheduler/pg-boss-queue.js';
import { liveWorkers, type PoolWorker } from './worker-registry.js';

export interface PoolStatus {
  workers: PoolWorker[];
  queue: { queued: number; running: number; failed: number };
}

/** The pool's queue database: `pool.url`, else the shared store's; null when there is none. */
export function poolDatabaseUrl(config: LoadedConfig): string | null {
  if (config.pool) return resolveSecret(config.pool.url, 'pool.url');
  return config.store.kind === 'postgres' ? resolveSecret(config.store.url, 'store.url') : null;
}

export async function poolStatus(connectionString: string): Promise<PoolStatus> {
  const queue = new PgBossJobQueue({ connectionString, concurrency: 1, client: true });
  try {
    await queue.start();
    return { workers: await liveWorkers(queue.boss.getDb()), queue: await queue.depth() };
  } finally {
    await queue.close();
  }
}
