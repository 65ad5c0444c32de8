/**
 * The worker pool end to end: three `mailbridge worker` processes sharing one real PostgreSQL
 * (the pg-boss queue, pool.url) sync the demo company (Graph → Salesforce, Gmail → HubSpot) through
 * a full round and a delta round, while workers are SIGKILLed at seeded CRM writes and mailbox
 * pages and replaced. The CRM must end exactly as after one embedded (SQLite) process on the
 * same seeded company: the same activities, none lost, none twice, the same skip counts. The
 * queue's job payloads must hold ids only: no address or subject of any demo email.
 * Every wait is on a condition (the queue drained, a process exited), never a fixed sleep.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgBossJobQueue } from '../../src/app/scheduler/pg-boss-queue.js';
import { compare } from '../../src/demo/chaos.js';
import { createWorkspace, DEMO_TENANT_ID } from '../../src/demo/demo-config.js';
import { startDemoEmulators, type DemoCrm, type DemoProvider } from '../../src/demo/demo-emulators.js';
import { inspectWorkspace } from '../../src/demo/demo-inspect.js';
import { demoTenant } from '../../src/demo/demo-tenant.js';
import { RequestTap, type RequestClass } from '../../src/demo/request-tap.js';
import { changeBetweenRounds, runDemo } from '../../src/demo/run-demo.js';
import { cliCommand } from '../../src/demo/sync-child.js';
import { headerValue } from '../../src/emulators/common/mail-store.js';
import { prng } from '../../src/emulators/common/prng.js';
import { startPostgresOrSkip, type PostgresServer } from '../helpers/postgres-server.js';
import { queueProgress, startWorker, until, type WorkerProcess } from './worker-harness.js';

let server: PostgresServer | null = null;
beforeAll(async () => {
  server = await startPostgresOrSkip();
}, 120_000);
afterAll(async () => server?.stop());

/** Runs a CLI command to its end; its stdout. */
function runCli(argv: string[], databaseUrl: string): Promise<string> {
  const { args, cwd } = cliCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, ...argv], { cwd, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`mailbridge ${argv[0]} exited ${code}: ${err}`))));
  });
}

const CASES: { provider: DemoProvider; crm: DemoCrm; seed: number }[] = [
  { provider: 'graph', crm: 'salesforce', seed: 41 },
  { provider: 'gmail', crm: 'hubspot', seed: 43 },
];

describe('worker pool: 3 workers on PostgreSQL with SIGKILLs end like one embedded process', () => {
  it.for(CASES)('$provider → $crm: same CRM state, nothing lost or doubled, job payloads hold ids only', { timeout: 600_000 }, async ({ provider, crm, seed }, ctx) => {
    if (!server) return ctx.skip();
    const clean = await runDemo({ provider, crm, keep: false });

    const databaseUrl = await server.createDatabase(`pool_${provider}_${crm}`);
    const tenant = demoTenant();
    const emulators = await startDemoEmulators(tenant, provider, crm);
    const workspace = createWorkspace(emulators, tenant, 'mailbridge-pool-');
    // The same workspace with a worker pool: its queue in PostgreSQL (pool.url). The tenant's
    // state stays in the workspace's SQLite file, shared by the workers of this host: the worker
    // does not open the PostgreSQL store yet (docs/scale-out.md, "Not yet").
    const raw = JSON.parse(readFileSync(workspace.configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(workspace.configFile, `${JSON.stringify({ ...raw, pool: { url: { env: 'DATABASE_URL' } } }, null, 2)}\n`, { mode: 0o600 });

    const db = new pg.Client({ connectionString: databaseUrl });
    const control = new PgBossJobQueue({ connectionString: databaseUrl, concurrency: 1, client: true });
    const workers: WorkerProcess[] = [];
    const rand = prng(seed);
    let kills = 0;
    try {
      const tap = new RequestTap(emulators);
      for (let i = 0; i < 3; i++) workers.push(startWorker(workspace.configFile, databaseUrl));
      const live = () => workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);

      // Kill a random live worker at seeded requests: mostly CRM writes (the write lands, the
      // worker never records it), else mailbox pages; start a replacement each time.
      const plan: { cls: RequestClass; n: number }[] = [
        { cls: 'crm-write', n: 1 },
        { cls: 'mail', n: 9 },
        { cls: 'crm-write', n: 3 },
        { cls: 'mail', n: 25 },
      ];
      const seen: Record<string, number> = {};
      const off = tap.on((cls) => {
        seen[cls] = (seen[cls] ?? 0) + 1;
        const next = plan[0];
        if (!next || next.cls !== cls || seen[cls] < next.n) return;
        plan.shift();
        const targets = live();
        const victim = targets[Math.floor(rand() * targets.length)];
        if (!victim) return;
        // Synchronously, before the emulator answers: a CRM write in flight still lands.
        victim.child.kill('SIGKILL');
        kills++;
        workers.push(startWorker(workspace.configFile, databaseUrl));
      });

      await db.connect();
      const { pending, roundsDone } = queueProgress(db);
      const queueReady = async () => (await db.query(`SELECT to_regclass('pgboss.job') AS t`)).rows[0]?.t !== null;
      await until(queueReady, 'the pool to create its queue');

      // Round 1: the workers queued it at start (one round per tenant, however many workers).
      await until(async () => (await roundsDone()) >= 1 && (await pending()) === 0, 'round 1 to drain');
      expect(live().length).toBeGreaterThanOrEqual(3);

      changeBetweenRounds(emulators, tenant);
      expect(await control.enqueue({ kind: 'sync', tenant: DEMO_TENANT_ID })).toBe(true);
      await until(async () => (await roundsDone()) >= 2 && (await pending()) === 0, 'round 2 to drain');
      off();
      expect(kills).toBe(4);

      // `status` shows the pool: live workers, nothing waiting, no dead letters.
      const status = await runCli(['status', '--config', workspace.configFile, '--json'], databaseUrl);
      const pool = (JSON.parse(status) as { pool: { workers: { id: string }[]; queue: { queued: number; running: number; failed: number } } }).pool;
      expect(pool.workers.length).toBeGreaterThanOrEqual(3);
      // On failure, the workers' logs say why each try of a job failed.
      expect(pool.queue, workers.map((w) => w.stderr()).join('\n')).toEqual({ queued: 0, running: 0, failed: 0 });

      // Rolling restart: SIGTERM lets each worker finish and leave; they exit 0.
      for (const w of live()) w.child.kill('SIGTERM');
      for (const w of workers) {
        const exit = await w.exited;
        if (exit.signal !== 'SIGKILL') expect(exit.code, w.stderr()).toBe(0);
      }

      // No job ended as a dead letter.
      expect((await control.depth()).failed).toBe(0);

      const state = await inspectWorkspace(workspace, tenant, emulators);
      expect(compare(clean.state, state).filter((c) => !c.ok)).toEqual([]);
      expect(state.crmKeys).toEqual(clean.state.crmKeys);
      expect(state.duplicateActivities).toBe(0);
      expect(state.duplicateLinks).toBe(0);

      // Job payloads: ids only. Nothing of any demo email (address, subject) is in the queue,
      // neither in what jobs carry nor in what failed tries left as output.
      const { rows } = await db.query<{ data: unknown; output: unknown }>(
        `SELECT data, output FROM pgboss.job WHERE name LIKE 'mailbridge-%' UNION ALL SELECT data, output FROM pgboss.archive WHERE name LIKE 'mailbridge-%'`,
      );
      expect(rows.length).toBeGreaterThan(0);
      const payloads = JSON.stringify(rows).toLowerCase();
      for (const email of tenant.emails) {
        const subject = headerValue(email.message.headers, 'Subject');
        const from = /[^<\s"]+@[^>\s"]+/.exec(headerValue(email.message.headers, 'From') ?? '')?.[0];
        if (subject) expect(payloads).not.toContain(subject.toLowerCase());
        // Company addresses are mailbox ids (a Gmail mailbox id is its address); the others must not appear.
        const external = from && !tenant.companyDomains.some((d) => from.toLowerCase().endsWith(`@${d}`));
        if (external) expect(payloads).not.toContain(from.toLowerCase());
      }
      for (const r of rows) expect(Object.keys((r.data ?? {}) as object).every((k) => k === 'tenant' || k === 'mailbox')).toBe(true);
    } finally {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await control.close();
      await db.end().catch(() => undefined);
      await emulators.close();
      rmSync(workspace.dir, { recursive: true, force: true });
    }
  });
});
