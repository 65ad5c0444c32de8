/**
 * Runs one contract suite on both stores: the embedded SQLite file and a schema in a real
 * PostgreSQL server (started by test/helpers/postgres-server.ts for the file). Each test gets a
 * fresh tenant. Locally, without PostgreSQL binaries, the PostgreSQL half skips itself with the
 * reason; under CI it fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, type TestContext } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';
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
}

let tenantSeq = 0;

export function describeStores(title: string, suite: (sut: StoreUnderTest) => void): void {
  describe.each<StoreKind>(['sqlite', 'postgres'])(`${title} (%s)`, (kind) => {
    let server: PostgresServer | null = null;
    let shared: PostgresStore | null = null;
    let dir = '';
    let current: TenantStore | null = null;

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
        current = sqliteTenantStore(tenant, openDatabase({ path: join(dir, `${tenant}.db`), key: TEST_KEY }));
      }
    });

    afterEach(async () => {
      await current?.close();
      current = null;
    });

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
    });
  });
}
