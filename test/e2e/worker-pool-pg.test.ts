/**
 * The worker pool with the tenant's state on the shared store: `store.kind: "postgres"` and the
 * pg-boss queue in the same PostgreSQL, three `mailbridge worker` processes, one SIGKILLed at a
 * CRM write and one at a mailbox page (each replaced). The CRM must end exactly as after one
 * embedded (SQLite) process on the same seeded company, with no local database file, `status`
 * showing the pool and the mailboxes from PostgreSQL, and nothing of the mail that was not
 * imported in any table (pg-boss's included). Kept to one provider/CRM pair: CI has two cores.
 * Every wait is on a condition (the queue drained, a process exited), never a fixed sleep.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgBossJobQueue } from '../../src/app/scheduler/pg-boss-queue.js';
import { compare } from '../../src/demo/chaos.js';
import { createWorkspace, DEMO_TENANT_ID } from '../../src/demo/demo-config.js';
import { startDemoEmulators } from '../../src/demo/demo-emulators.js';
import { demoTenant } from '../../src/demo/demo-tenant.js';
import { RequestTap, type RequestClass } from '../../src/demo/request-tap.js';
import { changeBetweenRounds, runDemo } from '../../src/demo/run-demo.js';
import { startPostgresOrSkip, type PostgresServer } from '../helpers/postgres-server.js';
import { queueProgress, startWorker, until, type WorkerProcess } from './worker-harness.js';
import { dumpDatabase, inspectOnPostgres, rejectedTraces, runCli, usePostgresStore } from './pg-store-harness.js';

let server: PostgresServer | null = null;
beforeAll(async () => {
  server = await startPostgresOrSkip();
}, 120_000);
afterAll(async () => server?.stop());

describe('worker pool on the PostgreSQL store', () => {
  it('graph → salesforce: 3 workers, 2 SIGKILLs, same CRM state as one embedded process, nothing of rejected mail in PostgreSQL', { timeout: 600_000 }, async (ctx) => {
    if (!server) return ctx.skip();
    const clean = await runDemo({ provider: 'graph', crm: 'salesforce', keep: false });

    const databaseUrl = await server.createDatabase('pool_store_graph_salesforce');
    const tenant = demoTenant();
    const emulators = await startDemoEmulators(tenant, 'graph', 'salesforce');
    const workspace = createWorkspace(emulators, tenant, 'mailbridge-poolpg-');
    usePostgresStore(workspace, true);
    const db = new pg.Client({ connectionString: databaseUrl });
    const workers: WorkerProcess[] = [];
    let kills = 0;
    try {
      const migrated = await runCli(['migrate', '--config', workspace.configFile], databaseUrl);
      expect(migrated.code, migrated.stderr).toBe(0);
      const tap = new RequestTap(emulators);
      for (let i = 0; i < 3; i++) workers.push(startWorker(workspace.configFile, databaseUrl));
      const live = () => workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);

      // Kill the first live worker at the first CRM write and at the 12th mailbox request.
      const plan: { cls: RequestClass; n: number }[] = [
        { cls: 'crm-write', n: 1 },
        { cls: 'mail', n: 12 },
      ];
      const seen: Record<string, number> = {};
      const off = tap.on((cls) => {
        seen[cls] = (seen[cls] ?? 0) + 1;
        const next = plan[0];
        if (!next || next.cls !== cls || seen[cls] < next.n) return;
        plan.shift();
        const victim = live()[0];
        if (!victim) return;
        // Synchronously, before the emulator answers: a CRM write in flight still lands.
        victim.child.kill('SIGKILL');
        kills++;
        workers.push(startWorker(workspace.configFile, databaseUrl));
      });

      await db.connect();
      const { pending, roundsDone } = queueProgress(db);
      await until(async () => (await db.query(`SELECT to_regclass('pgboss.job') AS t`)).rows[0]?.t !== null, 'the pool to create its queue');
      await until(async () => (await roundsDone()) >= 1 && (await pending()) === 0, 'round 1 to drain');

      changeBetweenRounds(emulators, tenant);
      // A round queued by hand, as the cron tick would.
      const control = new PgBossJobQueue({ connectionString: databaseUrl, concurrency: 1, client: true });
      try {
        expect(await control.enqueue({ kind: 'sync', tenant: DEMO_TENANT_ID })).toBe(true);
        await until(async () => (await roundsDone()) >= 2 && (await pending()) === 0, 'round 2 to drain');
        expect((await control.depth()).failed).toBe(0);
      } finally {
        await control.close();
      }
      off();
      expect(kills).toBe(2);

      // `status` reads the pool and the mailboxes from PostgreSQL.
      const status = JSON.parse((await runCli(['status', '--config', workspace.configFile, '--json'], databaseUrl)).stdout) as {
        tenants: { mailboxes: { connection: string; lastError: string | null }[]; totals: { imported: number } }[];
        pool: { workers: unknown[]; queue: { queued: number; running: number; failed: number } };
      };
      expect(status.pool.workers.length).toBeGreaterThanOrEqual(3);
      expect(status.pool.queue).toEqual({ queued: 0, running: 0, failed: 0 });
      expect(status.tenants[0]!.mailboxes).toHaveLength(tenant.mailboxAddresses.length);
      expect(status.tenants[0]!.mailboxes.every((m) => m.connection === 'connected' && m.lastError === null)).toBe(true);

      for (const w of live()) w.child.kill('SIGTERM');
      for (const w of workers) {
        const exit = await w.exited;
        if (exit.signal !== 'SIGKILL') expect(exit.code, w.stderr()).toBe(0);
      }

      const state = await inspectOnPostgres(workspace, tenant, emulators, databaseUrl);
      expect(compare(clean.state, state).filter((c) => !c.ok)).toEqual([]);
      expect(state.crmKeys).toEqual(clean.state.crmKeys);
      expect(state.duplicateActivities).toBe(0);
      expect(state.duplicateLinks).toBe(0);
      expect(status.tenants[0]!.totals.imported).toBe(state.ledgerEntries);
      expect(existsSync(join(workspace.dir, 'data', `${DEMO_TENANT_ID}.db`))).toBe(false);

      const dump = await dumpDatabase(databaseUrl);
      expect(dump).toContain('pgboss.');
      const traces = rejectedTraces(tenant, new Set(state.crmKeys));
      expect(traces.filter((t) => dump.includes(t))).toEqual([]);
    } finally {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await db.end().catch(() => undefined);
      await emulators.close();
      rmSync(workspace.dir, { recursive: true, force: true });
    }
  });
});
