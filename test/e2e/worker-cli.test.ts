/**
 * `mailbridge worker` refuses, naming the field, a configuration it cannot run a pool on: no
 * PostgreSQL for the queue (neither pool.url nor store.kind "postgres") and a bad --concurrency.
 * With store.kind "postgres" it runs on the shared store, and an unreachable server is a failure
 * to start, with no local database file made instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailbridge, startCliTenant, type CliTenant } from '../helpers/cli-tenant.js';

describe('mailbridge worker: clear refusals', () => {
  let plain: CliTenant;
  let onPostgres: CliTenant;
  beforeAll(async () => {
    plain = await startCliTenant([]);
    onPostgres = await startCliTenant([], { store: { kind: 'postgres', url: 'postgres://mailbridge@127.0.0.1:1/none' } });
  });
  afterAll(async () => {
    await plain.close();
    await onPostgres.close();
  });

  it('names pool.url and store.kind when there is no queue database', async () => {
    const r = await mailbridge(['worker', '--config', plain.configFile, '--json'], { MAILBRIDGE_DB_KEY: plain.key });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/pool\.url/);
    expect(r.stdout + r.stderr).toMatch(/store\.kind/);
  }, 60_000);

  it('names --concurrency when it is not a whole number from 1 to 64', async () => {
    const r = await mailbridge(['worker', '--config', plain.configFile, '--concurrency', '0'], { MAILBRIDGE_DB_KEY: plain.key });
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/--concurrency/);
  }, 60_000);

  it('on store.kind "postgres" it needs the server: unreachable, it fails to start and opens no local file', async () => {
    const r = await mailbridge(['worker', '--config', onPostgres.configFile, '--json'], { MAILBRIDGE_DB_KEY: onPostgres.key });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/does not open tenants on the PostgreSQL store/);
    expect(existsSync(join(onPostgres.dir, 'data', 'acme.db'))).toBe(false);
  }, 60_000);
});
