/**
 * Runs one contract suite on both stores: the embedded SQLite file and a schema in a real
 * PostgreSQL server (started by test/helpers/postgres-server.ts for the file). Each test gets a
 * fresh tenant. Locally, without PostgreSQL binaries, the PostgreSQL half skips itself with the
 * reason; under CI it fails.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, type TestContext } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../src/store/database.js';
import { tenantSchemaName } from '../../../src/store/postgres/postgres-store.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { sqliteTenantStore } from '../../../src/store/sqlite-tenant-store.js';
import type { StoreKind, TenantStore } from '../../../src/store/store-ports.js';
import { startPostgresOrSkip, type PostgresServer } from '../../helpers/postgres-server.js';

export const TEST_KEY = 'contract-suite-key-0123456789abcdef';

export interface StoreUnderTest {
  kind: StoreKind;
  /** The current test's tenant store (fresh per test). */
  store(): TenantStore;
  /** PostgreSQL only: the shared store (pool, migrate), for raw checks. */
  postgres(): PostgresStore;
  /** Every row of every table of the current tenant, as text (bytes as UTF-8), for privacy checks. */
  dump(): Promise<string>;
  /** What the storage holds at rest: the SQLite file and its WAL as bytes; PostgreSQL's rows. */
  atRest(): Promise<string>;
}

let tenantSeq = 0;

export function describeStores(title: string, suite: (sut: StoreUnderTest) => void): void {
  describe.each<StoreKind>(['sqlite', 'postgres'])(`${title} (%s)`, (kind) => {
    let server: PostgresServer | null = null;
    let shared: PostgresStore | null = null;
    let dir = '';
    let current: TenantStore | null = null;
    let db: SqliteDatabase | null = null;

    beforeAll(async () => {
      if (kind === 'postgres') {
        server = await startPostgresOrSkip();
        if (server) shared = new PostgresStore({ url: await server.createDatabase('contract') });
      } else {
        dir = mkdtempSync(join(tmpdir(), 'mailbridge-store-'));
      }
    });

    afterAll(async () => {
      await shared?.close();
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    beforeEach(async (ctx: TestContext) => {
      const tenant = `tenant-${++tenantSeq}`;
      if (kind === 'postgres') {
        if (!shared) {
          ctx.skip('PostgreSQL server binaries not found (see the warning above)');
          return;
        }
        await shared.migrate(tenant);
        current = await shared.tenant(tenant, TEST_KEY);
      } else {
        db = openDatabase({ path: join(dir, `${tenant}.db`), key: TEST_KEY });
        current = sqliteTenantStore(tenant, db);
      }
    });

    afterEach(async () => {
      await current?.close();
      current = null;
    });

    const dump = async (): Promise<string> => {
      const text = (row: Record<string, unknown>) =>
        Object.values(row).map((v) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : JSON.stringify(v))).join('|');
      if (kind === 'sqlite') {
        const tables = db!.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
        return tables.flatMap((t) => db!.prepare(`SELECT * FROM "${t}"`).all().map((r) => `${t}: ${text(r as Record<string, unknown>)}`)).join('\n');
      }
      const schema = tenantSchemaName(current!.tenantId);
      const pool = shared!.pool;
      const tables = (await pool.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1', [schema])).rows;
      const out: string[] = [];
      for (const { t } of tables) {
        for (const r of (await pool.query(`SELECT * FROM "${schema}"."${t}"`)).rows) out.push(`${t}: ${text(r as Record<string, unknown>)}`);
      }
      return out.join('\n');
    };

    suite({
      kind,
      store: () => {
        if (!current) throw new Error('no store: beforeEach did not open one');
        return current;
      },
      postgres: () => {
        if (!shared) throw new Error('not the PostgreSQL store');
        return shared;
      },
      dump,
      async atRest() {
        if (kind === 'postgres') return dump();
        const file = db!.name;
        return [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('');
      },
    });
  });
}
