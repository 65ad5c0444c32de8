/**
 * What the end-to-end tests on the PostgreSQL store share: a demo workspace switched to
 * `store.kind: "postgres"`, CLI runs with DATABASE_URL, the store read back through the same
 * inspection as the embedded run, and a dump of every table of the database for privacy checks.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.js';
import type { DemoWorkspace } from '../../src/demo/demo-config.js';
import type { DemoEmulators } from '../../src/demo/demo-emulators.js';
import { inspectWorkspace, demoKey, type DemoState } from '../../src/demo/demo-inspect.js';
import type { DemoTenant } from '../../src/demo/demo-tenant.js';
import { cliCommand } from '../../src/demo/sync-child.js';
import { headerValue } from '../../src/emulators/common/mail-store.js';

/** Rewrites the workspace's configuration to keep the tenant's state in PostgreSQL (and, for workers, its queue). */
export function usePostgresStore(workspace: DemoWorkspace, withPool = false): void {
  const raw = JSON.parse(readFileSync(workspace.configFile, 'utf8')) as Record<string, unknown>;
  const url = { env: 'DATABASE_URL' };
  const next = { ...raw, store: { kind: 'postgres', url }, ...(withPool ? { pool: { url } } : {}) };
  writeFileSync(workspace.configFile, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a CLI command to its end with DATABASE_URL set. */
export function runCli(argv: string[], databaseUrl: string): Promise<CliRun> {
  const { args, cwd } = cliCommand();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, ...argv], { cwd, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `inspectWorkspace` on the PostgreSQL store (the configuration names DATABASE_URL). */
export async function inspectOnPostgres(workspace: DemoWorkspace, tenant: DemoTenant, emulators: DemoEmulators, databaseUrl: string): Promise<DemoState> {
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = databaseUrl;
  try {
    // The configuration as rewritten on disk (the workspace object holds the embedded one).
    return await inspectWorkspace({ ...workspace, config: loadConfig(workspace.configFile) }, tenant, emulators);
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

/** Every row of every table of every schema of the database (pg-boss's included), as text. */
export async function dumpDatabase(databaseUrl: string): Promise<string> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const tables = (
      await db.query<{ s: string; t: string }>(
        `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`,
      )
    ).rows;
    const out: string[] = [];
    const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : JSON.stringify(v));
    for (const { s, t } of tables) {
      for (const row of (await db.query(`SELECT * FROM "${s}"."${t}"`)).rows) out.push(`${s}.${t}: ${Object.values(row as object).map(text).join('|')}`);
    }
    return out.join('\n').toLowerCase();
  } finally {
    await db.end();
  }
}

const addressesIn = (value: string | null) => [...(value ?? '').matchAll(/[^<\s",]+@[^>\s",]+/g)].map((m) => m[0].toLowerCase());

/**
 * What must never reach the database of the demo's mail that was not imported: its subject, its
 * Message-ID, and its outside addresses that no imported email carries (those are kept, readable,
 * for erasure). A subject an imported email also carries is left out (imported subjects are sealed).
 */
export function rejectedTraces(tenant: DemoTenant, importedKeys: ReadonlySet<string>): string[] {
  const imported = tenant.emails.filter((e) => importedKeys.has(demoKey(e)));
  const keptAddresses = new Set(imported.flatMap((e) => ['From', 'To', 'Cc'].flatMap((h) => addressesIn(headerValue(e.message.headers, h)))));
  const keptSubjects = new Set(imported.map((e) => headerValue(e.message.headers, 'Subject')?.toLowerCase()));
  const company = (a: string) => tenant.companyDomains.some((d) => a.endsWith(`@${d}`));
  const traces = new Set<string>();
  for (const e of tenant.emails.filter((x) => !importedKeys.has(demoKey(x)))) {
    const subject = headerValue(e.message.headers, 'Subject')?.toLowerCase();
    if (subject && !keptSubjects.has(subject)) traces.add(subject);
    traces.add(headerValue(e.message.headers, 'Message-ID')!.toLowerCase());
    for (const h of ['From', 'To', 'Cc']) for (const a of addressesIn(headerValue(e.message.headers, h))) if (!company(a) && !keptAddresses.has(a)) traces.add(a);
  }
  return [...traces];
}
