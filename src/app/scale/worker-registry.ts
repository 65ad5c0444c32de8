/**
 * Who is in the pool: each worker keeps a row in `mailbridge_pool.workers` with a heartbeat, so
 * `status` lists the live workers and when each was last seen. A worker that stops cleanly
 * removes its row; a killed one's row ages out (not seen for `STALE_SECONDS`).
 */
import type PgBoss from 'pg-boss';
import { withSetupLock } from '../scheduler/pg-boss-queue.js';

export const HEARTBEAT_MS = 10_000;
export const STALE_SECONDS = 60;

const SCHEMA = `CREATE SCHEMA IF NOT EXISTS mailbridge_pool;
CREATE TABLE IF NOT EXISTS mailbridge_pool.workers (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  concurrency integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at timestamptz NOT NULL DEFAULT now()
)`;

export interface PoolWorker {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  startedAt: string;
  seenAt: string;
}

export class WorkerRegistry {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: PgBoss.Db,
    private readonly id: string,
    private readonly connectionString: string,
  ) {}

  async join(concurrency: number): Promise<void> {
    // Concurrent CREATE ... IF NOT EXISTS can still collide: under the pool's setup lock.
    await withSetupLock(this.connectionString, async () => void (await this.db.executeSql(SCHEMA, [])));
    const [host, pid] = this.id.split(':');
    await this.db.executeSql(
      `INSERT INTO mailbridge_pool.workers (id, host, pid, concurrency) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET seen_at = now()`,
      [this.id, host, Number(pid), concurrency],
    );
    this.timer = setInterval(() => {
      this.db.executeSql('UPDATE mailbridge_pool.workers SET seen_at = now() WHERE id = $1', [this.id]).catch(() => undefined);
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  async leave(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.db.executeSql('DELETE FROM mailbridge_pool.workers WHERE id = $1', [this.id]);
  }
}

/** Workers seen in the last `STALE_SECONDS` (none when no worker ever joined). */
export async function liveWorkers(db: PgBoss.Db): Promise<PoolWorker[]> {
  const exists = await db.executeSql(`SELECT to_regclass('mailbridge_pool.workers') AS t`, []);
  if (!exists.rows[0]?.t) return [];
  const { rows } = await db.executeSql(
    `SELECT id, host, pid, concurrency, started_at, seen_at FROM mailbridge_pool.workers
     WHERE seen_at > now() - make_interval(secs => $1) ORDER BY started_at`,
    [STALE_SECONDS],
  );
  return (rows as { id: string; host: string; pid: number; concurrency: number; started_at: Date; seen_at: Date }[]).map((r) => ({
    id: r.id,
    host: r.host,
    pid: r.pid,
    concurrency: r.concurrency,
    startedAt: r.started_at.toISOString(),
    seenAt: r.seen_at.toISOString(),
  }));
}
