/**
 * A real PostgreSQL server for a test file: `initdb` into a temporary directory, `pg_ctl start`
 * on a free loopback port (its unix socket in that directory too), stopped and removed after.
 * Binaries come from PATH or the Debian packages (/usr/lib/postgresql/<version>/bin; `.ci/run`
 * installs them). PostgreSQL refuses to run as root, so as root the server runs as the
 * `postgres` user (or `nobody`) and the directory is handed to it.
 *
 * Never a mock. Under CI (CI=true) a server that cannot start fails the test; locally the
 * caller skips with the reason `startPostgres` gives.
 *
 * @example
 *   const pg = await startPostgres();           // in beforeAll
 *   const url = await pg.createDatabase('t1');  // a fresh database per suite
 *   await pg.stop();                            // in afterAll
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** Connection URL of the `postgres` database (superuser `mailbridge`, trust auth on loopback). */
  url: string;
  port: number;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export class PostgresUnavailable extends Error {}

/** The directory holding initdb and pg_ctl: PATH first, then the newest Debian package. */
export function findPostgresBin(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return null;
}

/** As root: the unprivileged account the server runs as. */
function serverAccount(): { uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  for (const user of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
      if (uid > 0) return { uid, gid };
    } catch {
      // No such user: try the next.
    }
  }
  throw new PostgresUnavailable('running as root and neither a postgres nor a nobody user exists to run the server as');
}

/** The server's user must reach its directory: every ancestor of the temp folder needs o+x. */
function assertTraversable(base: string): void {
  for (let d = resolve(base); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      throw new PostgresUnavailable(`the server's user cannot reach ${base} (${d} has no o+x): set TMPDIR to a folder it can reach`);
    }
    if (dirname(d) === d) return;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a server; throws `PostgresUnavailable` with the reason when it cannot. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) throw new PostgresUnavailable('no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql');
  const account = serverAccount();
  if (account) assertTraversable(tmpdir());
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-pg-'));
  if (account) chownSync(dir, account.uid, account.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(join(bin, cmd), args, { cwd: dir, encoding: 'utf8', ...(account ?? {}), env: { ...process.env, LC_ALL: 'C' } });
    if (r.status !== 0) {
      const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
      throw new PostgresUnavailable(`${cmd} failed: ${(r.stderr || r.stdout || String(r.error ?? '')).trim()}\n${serverLog}`);
    }
  };
  try {
    run('initdb', ['-D', data, '-U', 'mailbridge', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    let port = 0;
    // A port taken between the probe and the start (another test file) is retried on a new one.
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      // fsync off: a test server's data dies with the run anyway. Small shared buffers and mmap
      // dynamic shared memory: containers give /dev/shm 64 MB, shared by every test server.
      const opts =
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ` +
        '-c max_connections=200 -c shared_buffers=16MB -c dynamic_shared_memory_type=mmap';
      try {
        run('pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '60', '-o', opts]);
        break;
      } catch (err) {
        if (attempt >= 2) throw err;
      }
    }
    const url = `postgres://mailbridge@127.0.0.1:${port}/postgres`;
    let stopped = false;
    return {
      url,
      port,
      async createDatabase(name) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
        } finally {
          await client.end();
        }
        return `postgres://mailbridge@127.0.0.1:${port}/${encodeURIComponent(name)}`;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * For a suite: the server, or null with a printed reason when it cannot start locally. Under
 * CI it rethrows, so the suite fails instead of skipping.
 */
export async function startPostgresOrSkip(): Promise<PostgresServer | null> {
  try {
    return await startPostgres();
  } catch (err) {
    if (process.env.CI === 'true' || process.env.CI === '1') throw err;
    if (!(err instanceof PostgresUnavailable)) throw err;
    console.warn(`PostgreSQL tests skipped: ${err.message}`);
    return null;
  }
}
