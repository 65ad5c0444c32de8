/**
 * Scale-out benchmark: `mailbridge worker` processes sharing one real PostgreSQL sync one
 * tenant's mailboxes from the Graph emulator into the HubSpot emulator. The workers open the
 * tenant on the PostgreSQL store (`store.kind: "postgres"`, schema created by `mailbridge
 * migrate` first), so the tenant's state, the pg-boss queue and the CRM bucket share one server.
 *
 * Emulator limits (they stay as they are: the work is limit-bound, as in real life, and
 * mailbridge is configured to the same limits, using 75% of each):
 * - Graph, per mailbox: 20 requests per 5 s (a `$batch` item counts), 4 at once, 100 ms
 *   service time per request (`--mail-limit`, `--mail-window-ms`, `--latency-ms`);
 * - HubSpot, per portal: 100 calls per rolling 10 s, for every worker together.
 *
 * Workload: N mailboxes × M new messages (20% with customers), a quarter of the customer mail
 * also copied to a colleague's inbox (the same email in two mailboxes, written once).
 * - Passes with 1, 2, 4, 8 workers (fresh emulators and database each): the round is queued once
 *   every worker has joined (and the idle pool was watched for `--idle-probe-seconds`), and
 *   timed until the queue is drained. Each pass logs where its time went: the round job, the
 *   mailbox phase, a mailbox job's mean run and queue wait, how busy the lanes were (pg-boss's
 *   timestamps), and the CPU seconds of the workers, PostgreSQL, this process (the emulators)
 *   and the whole machine over the pass (/proc; other programs on the host show as the rest).
 * - A kill pass with the most workers: a random worker is SIGKILLed every few seconds and a new
 *   one started; it must end with the same CRM state as the clean pass.
 * - deltaCycleMailboxes: one process on the embedded SQLite store, a sample of mailboxes already
 *   synced, 10 new mails each, one delta round timed; extrapolated to a 15-minute cadence
 *   (`deltaCycle` says how).
 *
 * Last line (always): `{"workers":[1,2,4,8],"mailboxesPerMinute":[..],"speedup8":x,"lost":0,
 * "duplicates":0,"crmCallsPerTenantWithin":true,"killedWorkers":k,"deltaCycleMailboxes":n}`.
 * Without `--json` a line per pass goes to stderr as well.
 *
 * Usage: `tsx bench/scale.ts [--json] [--mailboxes 200] [--messages 100] [--workers 1,2,4,8]
 *   [--concurrency 4] [--mail-limit 20] [--mail-window-ms 5000] [--latency-ms 100]
 *   [--kill-every-ms 4000] [--kills 8] [--poll-seconds 0.5] [--idle-probe-seconds 10]
 *   [--delta-sample 100] [--delta-history 20] [--delta-concurrency <n>] [--delta-only]`
 * Needs PostgreSQL server binaries (initdb, pg_ctl), as the tests do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openTenant } from '../src/app/open-tenant.js';
import { runSyncRound } from '../src/app/run-sync.js';
import { PgBossJobQueue, QUEUE_OF } from '../src/app/scheduler/pg-boss-queue.js';
import { generateKey, writeKeyFile } from '../src/config/database-key.js';
import { parseConfig } from '../src/config/load-config.js';
import { cliCommand } from '../src/demo/sync-child.js';
import type { MailboxDescription, SeedMessage } from '../src/emulators/common/mail-store.js';
import { generateMailboxes } from '../src/emulators/common/mailbox-generator.js';
import { prng } from '../src/emulators/common/prng.js';
import { generateTenant, type TenantSource } from '../src/emulators/common/tenant-generator.js';
import { startGraphEmulator } from '../src/emulators/graph/graph-emulator.js';
import { startHubspotEmulator } from '../src/emulators/hubspot/hubspot-emulator.js';
import { startPostgres, type PostgresServer } from '../test/helpers/postgres-server.js';
import { machineCpuSeconds, parentPid, processCpuSeconds, processTreeCpuSeconds } from './process-cpu.js';
import { flag, hasFlag, numberFlag } from './flags.js';

const jsonOnly = hasFlag('--json');
const MAILBOXES = numberFlag('--mailboxes', 200);
const MESSAGES = numberFlag('--messages', 100);
const WORKERS = (flag('--workers') ?? '1,2,4,8').split(',').map(Number);
const CONCURRENCY = numberFlag('--concurrency', 4);
/** Graph, per mailbox: requests per window (a `$batch` item counts), 4 at once, a service time each. */
const MAIL_LIMIT = numberFlag('--mail-limit', 20);
const MAIL_WINDOW_MS = numberFlag('--mail-window-ms', 5_000);
const LATENCY_MS = numberFlag('--latency-ms', 100);
const KILL_EVERY_MS = numberFlag('--kill-every-ms', 4_000);
/** Kills in the kill pass: each killed job waits out its expiry, so unbounded kills every few seconds would starve the round. */
const MAX_KILLS = numberFlag('--kills', 8);
const DELTA_SAMPLE = numberFlag('--delta-sample', 100);
/** The delta cycle's `mailboxConcurrency` (the tenant setting; the configuration's default when absent). */
const DELTA_CONCURRENCY = flag('--delta-concurrency') === undefined ? undefined : Number(flag('--delta-concurrency'));
/** Messages in each sample mailbox before the delta cycle (its first sync; the cycle adds 10). */
const DELTA_HISTORY = numberFlag('--delta-history', 20);
/** Seconds the joined, idle pool is watched before each timed round (its polling's CPU); 0: none. */
const IDLE_PROBE_SECONDS = numberFlag('--idle-probe-seconds', 10);
/** Only the delta cycle (no PostgreSQL needed): its own JSON line. */
const DELTA_ONLY = hasFlag('--delta-only');
/** HubSpot portal (Free/Starter): 100 requests per rolling 10 s, for every worker together. */
const HS_MAX = 100;
const HS_INTERVAL_MS = 10_000;
const TENANT = 'scale';
const CORES = availableParallelism();
const COMPANY = 'example-seller.com';
const CUSTOMERS = 20;

/**
 * A killed worker's job is retried after 90 s (production: 15 minutes). Shorter would expire
 * live jobs: a mailbox of 100 new messages takes 10–30 s at its limits on a loaded machine, and
 * an expired job is started again beside the one still running.
 */
const EXPIRE_SECONDS = 90;
/**
 * How often each of a worker's queue loops looks for a job when it has none (pg-boss polling;
 * the worker's default is 2 s). Short here so a queued round starts at once; it costs CPU on
 * every worker and on PostgreSQL (the passes log the idle pool's CPU).
 */
const POLL_SECONDS = numberFlag('--poll-seconds', 0.5);
const WORKER_ENV = {
  MAILBRIDGE_WORKER_EXPIRE_SECONDS: String(EXPIRE_SECONDS),
  MAILBRIDGE_WORKER_MAINTENANCE_SECONDS: '1',
  MAILBRIDGE_WORKER_POLL_SECONDS: String(POLL_SECONDS),
  MAILBRIDGE_WORKER_RETRY_DELAY_SECONDS: '1',
};

const log = (line: string) => {
  if (!jsonOnly) process.stderr.write(`${line}\n`);
};
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------- workload

const customerDomains = Array.from({ length: CUSTOMERS }, (_, i) => `company${i + 1}.example`);

/** Mailboxes whose newest mail is `newest`; a quarter of the customer mail also sits in the next colleague's inbox. */
function workload(mailboxes: number, newest: Date, seed: number, messagesPerMailbox = MESSAGES): MailboxDescription[] {
  const generated = generateMailboxes({
    mailboxes,
    messagesPerMailbox,
    customerShare: 0.2,
    companyDomain: COMPANY,
    customerDomains,
    // One hour apart: M messages reach back M hours, inside the 7-day first-run backfill.
    newest: newest.toISOString(),
    seed,
  }).mailboxes;
  const rand = prng(seed + 1);
  const copies: SeedMessage[][] = generated.map(() => []);
  generated.forEach((box, i) => {
    const colleague = generated[(i + 1) % generated.length]!;
    if (colleague === box) return;
    for (const m of box.messages) {
      const isCustomer = m.headers.some((h) => (h.name === 'From' || h.name === 'To') && customerDomains.some((d) => h.value.includes(`@${d}`)));
      if (!isCustomer || (m.folder !== 'inbox' && m.folder !== 'sent') || rand() >= 0.25) continue;
      m.headers.push({ name: 'Cc', value: colleague.address });
      copies[(i + 1) % generated.length]!.push({ ...m, folder: 'inbox', headers: [...m.headers] });
    }
  });
  return generated.map((box, i) => ({ ...box, messages: [...box.messages, ...copies[i]!] }));
}

function crmTenant(mailboxes: MailboxDescription[]): TenantSource {
  const base = generateTenant({ accounts: CUSTOMERS, contactsPerAccount: 2, dealsPerAccount: 1, users: mailboxes.length, companyDomain: COMPANY, epoch: '2026-01-01T00:00:00Z' });
  return { ...base, users: mailboxes.map((m, i) => ({ id: `user-${i + 1}`, email: m.address, name: m.displayName ?? m.address })) };
}

// ---------------------------------------------------------------- emulators and workspace

async function startEmulators(mailboxes: MailboxDescription[]) {
  const graph = await startGraphEmulator({ mailboxes, limits: { requestsPerWindow: MAIL_LIMIT, windowMs: MAIL_WINDOW_MS, concurrency: 4 }, latencyMs: LATENCY_MS });
  const hs = await startHubspotEmulator({ tenant: crmTenant(mailboxes), limits: { tenSecondlyMax: HS_MAX, intervalMs: HS_INTERVAL_MS, daily: 1_000_000 } });
  return {
    graph,
    hs,
    async close() {
      await graph.close();
      await hs.close();
    },
  };
}
type Emulators = Awaited<ReturnType<typeof startEmulators>>;

/**
 * A configuration file pointing at the emulators, with the same limits. `postgres`: tenant state
 * in the PostgreSQL of DATABASE_URL, which also holds the pool's queue; `sqlite`: the embedded
 * store, `mailboxConcurrency` mailboxes at a time.
 */
function workspace(emu: Emulators, store: 'postgres' | 'sqlite', mailboxConcurrency?: number): { dir: string; configFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-bench-scale-'));
  writeKeyFile(join(dir, 'mailbridge.key'), generateKey());
  const raw = {
    version: 1,
    dataDir: 'data',
    keyFile: 'mailbridge.key',
    ...(store === 'postgres' ? { store: { kind: 'postgres', url: { env: 'DATABASE_URL' } } } : {}),
    tenants: [
      {
        id: TENANT,
        companyDomains: [COMPANY],
        mail: { provider: 'graph', mode: 'company', ...emu.graph.credentials, baseUrl: emu.graph.url, authorityHost: emu.graph.url },
        crm: { kind: 'hubspot', accessToken: emu.hs.credentials.accessToken, basePath: emu.hs.credentials.basePath },
        limits: { share: 0.75, mail: { limit: MAIL_LIMIT, windowMs: MAIL_WINDOW_MS, concurrency: 4 }, hubspotRequestsPer10s: HS_MAX },
        timeZone: 'UTC',
        ...(mailboxConcurrency ? { mailboxConcurrency } : {}),
      },
    ],
    // No scheduled round during a pass: the bench queues the one round it times.
    schedule: { cron: '0 0 1 1 *' },
  };
  const configFile = join(dir, 'mailbridge.config.json');
  writeFileSync(configFile, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600 });
  return { dir, configFile };
}

/** Activities by dedupe key (the CRM's state), and what its limits saw. */
function crmState(emu: Emulators) {
  const keys = new Map<string, number>();
  for (const e of emu.hs.control.emails()) {
    const key = e.properties.mailbridge_key ?? '';
    keys.set(key, (keys.get(key) ?? 0) + 1);
  }
  const limits = emu.hs.control.limits;
  const crmCalls = emu.hs.counters.total() - (emu.hs.counters.byKind().control ?? 0);
  return { keys, refused: { ...limits.refused }, peakWindow: limits.peakWindow, crmCalls, mailCalls: emu.graph.emulator.counters.total() };
}

// ---------------------------------------------------------------- worker passes

interface WorkerProcess {
  child: ChildProcess;
  ready: boolean;
  joined: Promise<void>;
  exited: Promise<void>;
}

/** Why workers' jobs were not done, by kind (the worker log's warnings), for the pass's line. */
const warnings = new Map<string, number>();
function noteWarning(line: string): void {
  if (!line.startsWith('{')) return;
  try {
    const entry = JSON.parse(line) as { msg?: string; error?: string };
    const why = `${entry.msg ?? ''}: ${(entry.error ?? '').replace(/[\w.+-]+@[\w.-]+/g, '<address>').slice(0, 90)}`;
    warnings.set(why, (warnings.get(why) ?? 0) + 1);
  } catch {
    // Not a log line.
  }
}

/** Every worker started, so an interrupted run leaves none behind. */
const started = new Set<ChildProcess>();

function startWorker(configFile: string, databaseUrl: string): WorkerProcess {
  const { args: cli, cwd } = cliCommand();
  const child = spawn(process.execPath, [...cli, 'worker', '--config', configFile, '--concurrency', String(CONCURRENCY), '--no-initial', '--json', '--log-level', 'warn'], {
    cwd,
    env: { ...process.env, ...WORKER_ENV, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.once('close', () => started.delete(child));
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    const text = c.toString('utf8');
    err = (err + text).slice(-20_000);
    for (const line of text.split('\n')) noteWarning(line);
  });
  const joined = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString('utf8').includes('"joined"')) resolve();
    });
    child.once('close', (code) => reject(new Error(`worker exited (${code}) before joining: ${err.slice(-2000)}`)));
  });
  joined.catch(() => undefined);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const proc: WorkerProcess = { child, ready: false, joined, exited };
  void joined.then(() => (proc.ready = true), () => undefined);
  return proc;
}

/** `mailbridge migrate` on the pass's database, as a deployment runs it before starting workers. */
async function migrate(configFile: string, databaseUrl: string): Promise<void> {
  const { args: cli, cwd } = cliCommand();
  const child = spawn(process.execPath, [...cli, 'migrate', '--config', configFile, '--json'], { cwd, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`mailbridge migrate failed (${code}): ${out.slice(-2000)}`);
}

/** CPU seconds so far: the live workers, PostgreSQL (postmaster and backends), this process (the emulators), the machine. */
interface CpuSample {
  workers: Map<ChildProcess, number>;
  postgres: number | null;
  emulators: number;
  machine: { busy: number; total: number } | null;
}
function sampleCpu(procs: WorkerProcess[], postmaster: number | null): CpuSample {
  const workers = new Map<ChildProcess, number>();
  for (const p of procs) {
    const s = processCpuSeconds(p.child.pid);
    if (s !== null) workers.set(p.child, s);
  }
  const own = process.cpuUsage();
  return { workers, postgres: postmaster === null ? null : processTreeCpuSeconds(postmaster), emulators: (own.user + own.system) / 1e6, machine: machineCpuSeconds() };
}

/** What each part used between two samples (workers: those alive at both), and the machine's busy share. */
function cpuBetween(a: CpuSample, b: CpuSample) {
  let workers = 0;
  for (const [child, end] of b.workers) workers += end - (a.workers.get(child) ?? end);
  const machine = a.machine && b.machine ? { busy: b.machine.busy - a.machine.busy, total: b.machine.total - a.machine.total } : null;
  return {
    workers: round(workers, 1),
    postgres: a.postgres !== null && b.postgres !== null ? round(b.postgres - a.postgres, 1) : null,
    emulators: round(b.emulators - a.emulators, 1),
    machineBusy: machine ? round(machine.busy, 1) : null,
    /** Busy share of all cores over the pass (1 = every core busy all the time). */
    machineBusyShare: machine && machine.total > 0 ? round(machine.busy / machine.total) : null,
  };
}

const alive = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30 * 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface PassResult {
  workers: number;
  seconds: number;
  mailboxesPerMinute: number;
  kills: number;
  state: ReturnType<typeof crmState>;
  retried: number;
  cpu: ReturnType<typeof cpuBetween>;
  load: number[];
  jobs: Awaited<ReturnType<typeof jobTimes>>;
  /** CPU seconds of the idle pool over IDLE_PROBE_SECONDS before the round is queued. */
  idle: ReturnType<typeof cpuBetween>;
}

/**
 * Where a pass's wall time went, from pg-boss's own timestamps: the round job (planning: CRM
 * pull, queueing), the mailbox phase (first mailbox job started to last done), a mailbox job's
 * mean and longest run, the mean wait of a queued mailbox job, and how busy the lanes
 * (workers × concurrency) were over the mailbox phase (1 = every lane always running a job).
 */
async function jobTimes(db: pg.Client, lanes: number) {
  const { rows } = await db.query<{ name: string; created: number; started: number | null; completed: number | null }>(
    `SELECT name, EXTRACT(EPOCH FROM created_on)::float8 AS created, EXTRACT(EPOCH FROM started_on)::float8 AS started, EXTRACT(EPOCH FROM completed_on)::float8 AS completed
       FROM (SELECT name, created_on, started_on, completed_on, state FROM pgboss.job UNION ALL SELECT name, created_on, started_on, completed_on, state FROM pgboss.archive) j
      WHERE name = ANY($1) AND state = 'completed'`,
    [[QUEUE_OF.sync, QUEUE_OF.mailbox]],
  );
  const plan = rows.find((r) => r.name === QUEUE_OF.sync);
  const boxes = rows.filter((r) => r.name === QUEUE_OF.mailbox && r.started !== null && r.completed !== null);
  if (!plan?.started || !plan.completed || !boxes.length) return null;
  const runs = boxes.map((r) => r.completed! - r.started!);
  const first = Math.min(...boxes.map((r) => r.started!));
  const last = Math.max(...boxes.map((r) => r.completed!));
  const busy = runs.reduce((a, b) => a + b, 0);
  return {
    planSeconds: round(plan.completed - plan.started, 1),
    mailboxPhaseSeconds: round(last - first, 1),
    mailboxJobMeanSeconds: round(busy / runs.length, 1),
    mailboxJobMaxSeconds: round(Math.max(...runs), 1),
    queuedWaitMeanSeconds: round(boxes.reduce((n, r) => n + (r.started! - r.created), 0) / boxes.length, 1),
    laneBusyShare: round(busy / (lanes * (last - first))),
  };
}

async function pass(server: PostgresServer, mailboxes: MailboxDescription[], workers: number, kill: boolean, name: string): Promise<PassResult> {
  const databaseUrl = await server.createDatabase(name);
  warnings.clear();
  const emu = await startEmulators(mailboxes);
  const { dir, configFile } = workspace(emu, 'postgres');
  const procs: WorkerProcess[] = [];
  const db = new pg.Client({ connectionString: databaseUrl });
  // The same queue tuning as the workers: starting a queue sets the queues' options (expiry).
  const control = new PgBossJobQueue({ connectionString: databaseUrl, concurrency: 1, expireInSeconds: EXPIRE_SECONDS, maintenanceIntervalSeconds: 1, pollingIntervalSeconds: POLL_SECONDS, retryDelaySeconds: 1 });
  let kills = 0;
  let killer: NodeJS.Timeout | null = null;
  try {
    await migrate(configFile, databaseUrl);
    for (let i = 0; i < workers; i++) procs.push(startWorker(configFile, databaseUrl));
    await Promise.all(procs.map((p) => p.joined));
    await db.connect();
    const postmaster = parentPid((await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    const pending = async () =>
      (
        await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM pgboss.job WHERE name = ANY($1) AND state IN ('created', 'retry', 'active')`, [
          [QUEUE_OF.sync, QUEUE_OF.mailbox],
        ])
      ).rows[0]!.n;
    const roundDone = async () => (await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [QUEUE_OF.sync])).rows[0]!.n > 0;
    // The pool's own cost: every worker joined, nothing queued yet, only pg-boss polling.
    const idleBefore = sampleCpu(procs, postmaster);
    if (IDLE_PROBE_SECONDS > 0) await new Promise((r) => setTimeout(r, IDLE_PROBE_SECONDS * 1000));
    const idle = cpuBetween(idleBefore, sampleCpu(procs, postmaster));
    const cpuBefore = sampleCpu(procs, postmaster);
    const startedAt = performance.now();
    if (!(await control.enqueue({ kind: 'sync', tenant: TENANT }))) throw new Error('the round was not queued');
    if (kill) {
      const rand = prng(workers * 7919);
      killer = setInterval(() => {
        if (kills >= MAX_KILLS) return;
        // Only workers that have joined: one killed while starting would have held no job.
        const live = procs.filter((p) => alive(p) && p.ready);
        const victim = live[Math.floor(rand() * live.length)];
        if (!victim) return;
        victim.child.kill('SIGKILL');
        kills++;
        procs.push(startWorker(configFile, databaseUrl));
      }, KILL_EVERY_MS);
    }
    await until(async () => (await roundDone()) && (await pending()) === 0, `the ${name} round to drain`);
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = cpuBetween(cpuBefore, sampleCpu(procs, postmaster));
    const load = loadavg().map((l) => round(l, 1));
    if (killer) clearInterval(killer);
    killer = null;
    const dead = (await control.depth()).failed;
    if (dead) throw new Error(`${name}: ${dead} jobs ended as dead letters`);
    // The queue is drained: the CRM's state is final. Stop the workers (SIGTERM; a worker not
    // gone after 30 s is killed, so the bench never waits on one).
    const state = crmState(emu);
    for (const p of procs.filter(alive)) p.child.kill('SIGTERM');
    const stopped = Promise.all(procs.map((p) => p.exited));
    const grace = setTimeout(() => procs.filter(alive).forEach((p) => p.child.kill('SIGKILL')), 30_000);
    await stopped;
    clearTimeout(grace);
    const retried = (await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM (SELECT retry_count FROM pgboss.job UNION ALL SELECT retry_count FROM pgboss.archive) j WHERE retry_count > 0`)).rows[0]!.n;
    const jobs = await jobTimes(db, workers * CONCURRENCY);
    const top = [...warnings.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
    if (retried || top.length) log(`    ${name}: ${retried} jobs needed a retry; worker warnings: ${JSON.stringify(top)}`);
    return { workers, seconds, mailboxesPerMinute: (mailboxes.length / seconds) * 60, kills, state, retried, cpu, load, jobs, idle };
  } finally {
    if (killer) clearInterval(killer);
    for (const p of procs) if (alive(p)) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await control.close().catch(() => undefined);
    await db.end().catch(() => undefined);
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- delta cycle on SQLite

/**
 * One process, embedded store: a sample of mailboxes synced once (`--delta-history` messages
 * each), then 10 new mails each (20% with customers) and one delta round, timed.
 *
 * Scaled to 15 minutes as a round does its work: the part before the mailboxes are listed and
 * after the last one is done (housekeeping, the CRM pull, late matching) is paid once a round,
 * whatever the number of mailboxes; the mailbox phase grows with them, `mailboxConcurrency` at
 * a time. So mailboxes per cycle = (900 s − fixed) ÷ (mailbox phase ÷ sample). The last wave of
 * the sample runs with some lanes idle, which only makes the per-mailbox cost look higher.
 * `linear` is the plain sample × 900 ÷ round seconds (fixed costs spread over the sample).
 */
async function deltaCycle(): Promise<{ sample: number; seconds: number; fixed: number; mailboxPhase: number; linear: number; mailboxes: number }> {
  const now = new Date();
  const sample = workload(DELTA_SAMPLE, new Date(now.getTime() - 3_600_000), 77, DELTA_HISTORY);
  const emu = await startEmulators(sample);
  const { dir, configFile } = workspace(emu, 'sqlite', DELTA_CONCURRENCY);
  try {
    const config = parseConfig(JSON.parse(readFileSync(configFile, 'utf8')) as unknown, configFile);
    const tenant = await openTenant(config, config.tenants[0]!);
    try {
      const first = await runSyncRound(tenant);
      if (first.totals.failed) throw new Error(`delta sample: first round failed for ${first.totals.failed} mailboxes`);
      const fresh = workload(DELTA_SAMPLE, now, 78);
      for (const [i, box] of sample.entries()) {
        for (const m of fresh[i]!.messages.slice(-10)) emu.graph.control.addMessage(box.address, { ...m, headers: m.headers.filter((h) => h.name !== 'Cc') });
      }
      let listedAt = 0;
      let lastMailboxAt = 0;
      const started = performance.now();
      const delta = await runSyncRound(tenant, {
        onProgress: (e) => {
          if (e.event === 'mailboxes') listedAt = performance.now();
          if (e.event === 'mailbox') lastMailboxAt = performance.now();
        },
      });
      const seconds = (performance.now() - started) / 1000;
      if (delta.totals.failed) throw new Error(`delta sample: delta round failed for ${delta.totals.failed} mailboxes`);
      if (delta.totals.mailboxes !== DELTA_SAMPLE) throw new Error(`delta sample: the round synced ${delta.totals.mailboxes} of ${DELTA_SAMPLE} mailboxes`);
      const mailboxPhase = (lastMailboxAt - listedAt) / 1000;
      const fixed = seconds - mailboxPhase;
      return { sample: DELTA_SAMPLE, seconds, fixed, mailboxPhase, linear: Math.floor((DELTA_SAMPLE * 900) / seconds), mailboxes: Math.floor(((900 - fixed) * DELTA_SAMPLE) / mailboxPhase) };
    } finally {
      await tenant.close();
    }
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (DELTA_ONLY) {
    const delta = await deltaCycle();
    log(`  delta cycle (1 process, SQLite, mailboxConcurrency ${DELTA_CONCURRENCY ?? 'default'}): ${delta.sample} mailboxes × 10 new mails in ${round(delta.seconds, 2)} s (fixed ${round(delta.fixed, 2)} s, mailboxes ${round(delta.mailboxPhase, 2)} s) → ${delta.mailboxes} mailboxes per 15 min (linear from the sample: ${delta.linear})`);
    process.stdout.write(`${JSON.stringify({ deltaSample: delta.sample, deltaSeconds: round(delta.seconds, 2), fixedSeconds: round(delta.fixed, 2), mailboxPhaseSeconds: round(delta.mailboxPhase, 2), linear: delta.linear, mailboxConcurrency: DELTA_CONCURRENCY ?? 'default', deltaCycleMailboxes: delta.mailboxes })}\n`);
    return;
  }
  const server = await startPostgres();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of started) child.kill('SIGKILL');
      void server.stop().finally(() => process.exit(130));
    });
  }
  try {
    // Newest mail an hour ago: the workers run on the real clock.
    const mailboxes = workload(MAILBOXES, new Date(Date.now() - 3_600_000), 2026);
    const total = mailboxes.reduce((n, m) => n + m.messages.length, 0);
    log(`scale: ${MAILBOXES} mailboxes, ${total} messages (${MESSAGES} each + shared copies), workers ${WORKERS.join(',')} × concurrency ${CONCURRENCY}`);
    const passes: PassResult[] = [];
    for (const w of WORKERS) {
      const r = await pass(server, mailboxes, w, false, `scale_w${w}`);
      passes.push(r);
      log(`  ${w} worker(s): ${round(r.seconds, 1)} s, ${round(r.mailboxesPerMinute, 1)} mailboxes/min, ${r.state.keys.size} activities, ${r.state.mailCalls} Graph / ${r.state.crmCalls} HubSpot calls, window peak ${r.state.peakWindow}/${HS_MAX}, refused ${JSON.stringify(r.state.refused)}, ${r.retried} jobs retried`);
      log(`    jobs: ${JSON.stringify(r.jobs)}`);
      if (IDLE_PROBE_SECONDS > 0) log(`    idle pool, ${IDLE_PROBE_SECONDS} s before the round: CPU s workers ${r.idle.workers}, postgres ${r.idle.postgres}`);
      log(`    CPU s: workers ${r.cpu.workers}, postgres ${r.cpu.postgres}, emulators ${r.cpu.emulators}, machine ${r.cpu.machineBusy} (busy share of ${CORES} cores ${r.cpu.machineBusyShare}); load ${r.load.join(' ')}`);
    }
    const most = Math.max(...WORKERS);
    const killed = await pass(server, mailboxes, most, true, `scale_kill`);
    log(`  kill pass (${most} workers, one SIGKILL every ${KILL_EVERY_MS / 1000} s): ${round(killed.seconds, 1)} s, ${killed.kills} killed, ${killed.state.keys.size} activities`);

    // The clean single-worker pass is the reference CRM state.
    const reference = passes[0]!.state.keys;
    let lost = 0;
    let duplicates = 0;
    for (const r of [...passes, killed]) {
      lost += [...reference.keys()].filter((k) => !r.state.keys.has(k)).length + [...r.state.keys.keys()].filter((k) => !reference.has(k)).length;
      duplicates += [...r.state.keys.values()].reduce((n, c) => n + c - 1, 0);
    }
    const within = [...passes, killed].every((r) => Object.keys(r.state.refused).length === 0 && r.state.peakWindow <= HS_MAX);

    const delta = await deltaCycle();
    log(`  delta cycle (1 process, SQLite, mailboxConcurrency ${DELTA_CONCURRENCY ?? 'default'}): ${delta.sample} mailboxes × 10 new mails in ${round(delta.seconds, 2)} s (fixed ${round(delta.fixed, 2)} s, mailboxes ${round(delta.mailboxPhase, 2)} s) → ${delta.mailboxes} mailboxes per 15 min (linear from the sample: ${delta.linear})`);

    const perMinute = passes.map((r) => round(r.mailboxesPerMinute, 1));
    const at = (w: number) => passes.find((r) => r.workers === w)?.mailboxesPerMinute;
    const one = at(1);
    const eight = at(8);
    process.stdout.write(
      `${JSON.stringify({
        workers: WORKERS,
        mailboxesPerMinute: perMinute,
        speedup8: one && eight ? round(eight / one) : null,
        lost,
        duplicates,
        crmCallsPerTenantWithin: within,
        killedWorkers: killed.kills,
        deltaCycleMailboxes: delta.mailboxes,
      })}\n`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
