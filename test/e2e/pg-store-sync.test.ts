/**
 * The product on `store.kind: "postgres"`: `mailbridge migrate`, then `sync --once --json` (a full
 * round and a delta round) sync the demo company against the emulators with every bit of the
 * tenant's state in a real PostgreSQL, and the CRM ends exactly as after one embedded (SQLite)
 * process on the same seeded company. `status` reads the mailboxes and a mailbox's error from
 * PostgreSQL; nothing of the mail that was not imported is in any table. No local database
 * file is created. `run` syncs on the same store and stops on SIGTERM with exit 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/demo/chaos.js';
import { createWorkspace, DEMO_TENANT_ID } from '../../src/demo/demo-config.js';
import { startDemoEmulators, type DemoCrm, type DemoProvider } from '../../src/demo/demo-emulators.js';
import { demoTenant } from '../../src/demo/demo-tenant.js';
import { changeBetweenRounds, runDemo } from '../../src/demo/run-demo.js';
import { cliCommand } from '../../src/demo/sync-child.js';
import { startPostgresOrSkip, type PostgresServer } from '../helpers/postgres-server.js';
import { dumpDatabase, inspectOnPostgres, rejectedTraces, runCli, usePostgresStore } from './pg-store-harness.js';

let server: PostgresServer | null = null;
beforeAll(async () => {
  server = await startPostgresOrSkip();
}, 120_000);
afterAll(async () => server?.stop());

const CASES: { provider: DemoProvider; crm: DemoCrm }[] = [
  { provider: 'graph', crm: 'salesforce' },
  { provider: 'gmail', crm: 'hubspot' },
];

interface StatusJson {
  mailboxes: { address: string; mailboxId: string; connection: string; lastError: string | null; imported: number }[];
  totals: { mailboxes: number; imported: number; needingAttention: number };
}

describe('sync --once on the PostgreSQL store ends like one embedded process', () => {
  it.for(CASES)('$provider → $crm: same CRM state, status from PostgreSQL, no trace of rejected mail', { timeout: 300_000 }, async ({ provider, crm }, ctx) => {
    if (!server) return ctx.skip();
    const clean = await runDemo({ provider, crm, keep: false });

    const databaseUrl = await server.createDatabase(`store_${provider}_${crm}`);
    const tenant = demoTenant();
    const emulators = await startDemoEmulators(tenant, provider, crm);
    const workspace = createWorkspace(emulators, tenant, 'mailbridge-pgstore-');
    usePostgresStore(workspace);
    const cli = (...argv: string[]) => runCli([...argv, '--config', workspace.configFile], databaseUrl);
    try {
      // Before `migrate`, the schema is refused by name, not created behind the operator's back.
      const early = await cli('sync', '--once', '--json');
      expect(early.code).not.toBe(0);
      expect(early.stdout + early.stderr).toContain('mailbridge migrate');
      expect((await cli('migrate', '--json')).code).toBe(0);

      const first = await cli('sync', '--once', '--json');
      expect(first.code, first.stderr).toBe(0);
      changeBetweenRounds(emulators, tenant);
      const second = await cli('sync', '--once', '--json');
      expect(second.code, second.stderr).toBe(0);

      const state = await inspectOnPostgres(workspace, tenant, emulators, databaseUrl);
      expect(compare(clean.state, state).filter((c) => !c.ok)).toEqual([]);
      expect(state.crmKeys).toEqual(clean.state.crmKeys);
      expect(state.duplicateActivities).toBe(0);
      expect(state.duplicateLinks).toBe(0);
      // Nothing of the tenant went to a local file.
      expect(existsSync(join(workspace.dir, 'data', `${DEMO_TENANT_ID}.db`))).toBe(false);

      // A mailbox the mail service refuses from now on (matched by its id, or a Gmail address's
      // local part, however the client encodes the @): the round records its error in PostgreSQL.
      const status = async () => (JSON.parse((await cli('status', '--json')).stdout) as { tenants: StatusJson[] }).tenants[0]!;
      const before = await status();
      expect(before.totals.imported).toBe(state.ledgerEntries);
      expect(before.mailboxes.length).toBe(tenant.mailboxAddresses.length);
      expect(before.mailboxes.every((m) => m.connection === 'connected' && m.lastError === null)).toBe(true);
      const { address: failing, mailboxId } = before.mailboxes.find((m) => m.imported > 0)!;
      emulators.mailFault({ fault: { type: 'status', status: 403, body: { error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } } }, pathIncludes: encodeURIComponent(mailboxId.split('@')[0]!), times: 1_000 });
      await cli('sync', '--once', '--json');
      const after = await status();
      const row = after.mailboxes.find((m) => m.address === failing)!;
      expect(row.lastError).not.toBeNull();
      expect(after.totals.needingAttention).toBeGreaterThanOrEqual(1);

      // Privacy: the dump holds imported mail's participants (readable by design) and nothing of the rest.
      const dump = await dumpDatabase(databaseUrl);
      expect(dump).toContain(tenant.mailboxAddresses[0]!.toLowerCase());
      const traces = rejectedTraces(tenant, new Set(state.crmKeys));
      expect(traces.length).toBeGreaterThan(5);
      expect(traces.filter((t) => dump.includes(t))).toEqual([]);
    } finally {
      await emulators.close();
      rmSync(workspace.dir, { recursive: true, force: true });
    }
  });

  it('run: the long-running service syncs on the PostgreSQL store and stops on SIGTERM with exit 0', { timeout: 180_000 }, async (ctx) => {
    if (!server) return ctx.skip();
    const databaseUrl = await server.createDatabase('store_run');
    const tenant = demoTenant();
    const emulators = await startDemoEmulators(tenant, 'graph', 'salesforce');
    const workspace = createWorkspace(emulators, tenant, 'mailbridge-pgrun-');
    usePostgresStore(workspace);
    try {
      expect((await runCli(['migrate', '--config', workspace.configFile], databaseUrl)).code).toBe(0);
      const { args, cwd } = cliCommand();
      const child = spawn(process.execPath, [...args, 'run', '--config', workspace.configFile, '--json', '--log-level', 'warn'], {
        cwd,
        env: { ...process.env, DATABASE_URL: databaseUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      // The first round's line on stdout (`{"round": …}`), then a graceful stop.
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString('utf8');
          const first = out.split('\n').find((l) => l.startsWith('{'));
          if (first) resolve(first);
        });
        child.once('close', () => reject(new Error(`run exited before a round: ${stderr}`)));
      });
      const { round } = JSON.parse(line) as { round: { totals: { imported: number; failed: number } } };
      expect(round.totals.failed).toBe(0);
      expect(round.totals.imported).toBeGreaterThan(0);
      child.kill('SIGTERM');
      expect(await exited, stderr).toBe(0);
      const state = await inspectOnPostgres(workspace, tenant, emulators, databaseUrl);
      expect(state.ledgerEntries).toBe(round.totals.imported);
      expect(existsSync(join(workspace.dir, 'data', `${DEMO_TENANT_ID}.db`))).toBe(false);
    } finally {
      await emulators.close();
      rmSync(workspace.dir, { recursive: true, force: true });
    }
  });
});
