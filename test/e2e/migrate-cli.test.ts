/**
 * `mailbridge migrate` on a real PostgreSQL (test/helpers/postgres-server.ts): creates each
 * tenant's schema, is a no-op the second time, and a store opened before it refuses, naming the
 * command. On the default SQLite store it reports each file's version.
 */
import { afterAll, beforeAll, expect, it, type TestContext } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PG_SCHEMA_VERSION } from '../../src/store/postgres/pg-migrations.js';
import { lastJsonLine, mailbridge, startCliTenant, type CliTenant } from '../helpers/cli-tenant.js';
import { startPostgresOrSkip, type PostgresServer } from '../helpers/postgres-server.js';

let server: PostgresServer | null = null;
let url = '';
let tenant: CliTenant;

beforeAll(async () => {
  server = await startPostgresOrSkip();
  if (server) url = await server.createDatabase('migrate');
  tenant = await startCliTenant([], { store: { kind: 'postgres', url: { env: 'DATABASE_URL' } } });
});

afterAll(async () => {
  await tenant?.close();
  await server?.stop();
});

it('creates the tenant schema once, and a store opened before refuses naming the command', async (ctx: TestContext) => {
  if (!server) return ctx.skip('PostgreSQL server binaries not found');
  const env = { DATABASE_URL: url, MAILBRIDGE_DB_KEY: tenant.key };
  const pg = new PostgresStore({ url });
  try {
    await expect(pg.tenant('acme', tenant.key)).rejects.toThrow(/schema t_acme of tenant acme is at version 0, this mailbridge needs \d+: out of date: run `mailbridge migrate`/);

    const first = await mailbridge(['migrate', '--config', tenant.configFile, '--json'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const versions = Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1);
    expect(lastJsonLine(first.stdout)).toEqual({ store: 'postgres', tenants: [{ id: 'acme', where: 'schema t_acme', from: 0, version: PG_SCHEMA_VERSION, applied: versions }] });

    const again = await mailbridge(['migrate', '--config', tenant.configFile, '--json'], env);
    expect(lastJsonLine(again.stdout)).toMatchObject({ tenants: [{ id: 'acme', from: PG_SCHEMA_VERSION, applied: [] }] });

    const store = await pg.tenant('acme', tenant.key);
    expect(await store.ledger.cursor('m', 'inbox')).toBeNull();
  } finally {
    await pg.close();
  }
});

it('names the missing DATABASE_URL as a bad store.url', async () => {
  const result = await mailbridge(['migrate', '--config', tenant.configFile, '--json'], { DATABASE_URL: '' });
  expect(result.code).not.toBe(0);
  expect(result.stdout + result.stderr).toMatch(/store\.url: environment variable DATABASE_URL is not set/);
});

it('mailboxes remove, list and add work on the shared store', async (ctx: TestContext) => {
  if (!server) return ctx.skip('PostgreSQL server binaries not found');
  const env = { DATABASE_URL: url, MAILBRIDGE_DB_KEY: tenant.key };
  const cli = async (...argv: string[]) => {
    const r = await mailbridge(['mailboxes', ...argv, '--config', tenant.configFile, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    return lastJsonLine(r.stdout) as { changes?: { address: string; change: string }[]; mailboxes?: { address: string; connection: string; synced: boolean }[] };
  };
  expect((await cli('remove', 'bo@acme.example')).changes).toEqual([{ address: 'bo@acme.example', change: 'removed' }]);
  expect((await cli('list')).mailboxes).toContainEqual(expect.objectContaining({ address: 'bo@acme.example', connection: 'removed', synced: false }));
  expect((await cli('add', 'bo@acme.example')).changes).toEqual([{ address: 'bo@acme.example', change: 'restored' }]);
  expect((await cli('list')).mailboxes).toContainEqual(expect.objectContaining({ address: 'bo@acme.example', synced: true }));
});

it('an admin command on an unreachable shared store fails naming it, and opens no local file', async () => {
  const result = await mailbridge(['blocklist', 'list', '--config', tenant.configFile, '--json'], { DATABASE_URL: 'postgres://127.0.0.1:1/nowhere', MAILBRIDGE_DB_KEY: tenant.key });
  expect(result.code).toBe(1);
  expect(lastJsonLine(result.stdout)).toMatchObject({ error: { code: 'store-unreachable', field: 'store.url', message: expect.stringMatching(/^store\.url: PostgreSQL could not be reached \(connect ECONNREFUSED/) } });
  expect(existsSync(join(tenant.dir, 'data', 'acme.db'))).toBe(false);
});

it('key rotate on a PostgreSQL store goes by the same key rules (re-sealing: test/unit/config/rotate-key-postgres.test.ts)', async () => {
  const result = await mailbridge(['key', 'rotate', '--config', tenant.configFile, '--json'], { MAILBRIDGE_DB_KEY: tenant.key, DATABASE_URL: url });
  expect(result.code).not.toBe(0);
  expect(result.stdout + result.stderr).toMatch(/MAILBRIDGE_DB_KEY: rotation needs a key file/);
  expect(result.stdout + result.stderr).not.toMatch(/SQLite files only/);
});

it('reports the SQLite files on the default store', async () => {
  const file = join(tenant.dir, 'sqlite.config.json');
  writeFileSync(file, JSON.stringify({ dataDir: 'data', tenants: [tenantConfig()] }), { mode: 0o600 });
  const result = await mailbridge(['migrate', '--config', file, '--json'], { MAILBRIDGE_DB_KEY: tenant.key });
  expect(result.code).toBe(0);
  expect(lastJsonLine(result.stdout)).toMatchObject({ store: 'sqlite', tenants: [{ id: 'acme', applied: [] }] });
});

function tenantConfig(): unknown {
  return (JSON.parse(readFileSync(tenant.configFile, 'utf8')) as { tenants: unknown[] }).tenants[0];
}
