/**
 * The admin and privacy commands on `store.kind: "postgres"`, each a real `mailbridge` process
 * against the Graph and Salesforce emulators with the tenant's state in a real PostgreSQL: sync,
 * then `privacy access`, `privacy erase` (its job run), `blocklist add --dry-run` and add (the
 * purge), `retention run`, `messages delete`, `purge --all --yes`. The CRM emulator loses exactly
 * the activities each command deletes; an erased address is left in no table of the tenant's
 * schema but the three that record the request by design (the suppression that keeps its mail
 * out, the job, the audit log); a purge leaves the one audit row.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/app/logger.js';
import { openTenant } from '../../src/app/open-tenant.js';
import { runHousekeepingJob } from '../../src/app/scheduler/job-handlers.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createWorkspace, DEMO_TENANT_ID } from '../../src/demo/demo-config.js';
import { startDemoEmulators } from '../../src/demo/demo-emulators.js';
import { demoTenant } from '../../src/demo/demo-tenant.js';
import { tenantSchemaName } from '../../src/store/postgres/postgres-store.js';
import { startPostgresOrSkip, type PostgresServer } from '../helpers/postgres-server.js';
import { dumpDatabase, runCli, usePostgresStore, type CliRun } from './pg-store-harness.js';

let server: PostgresServer | null = null;
beforeAll(async () => {
  server = await startPostgresOrSkip();
}, 120_000);
afterAll(async () => server?.stop());

const DAY_MS = 86_400_000;
const SCHEMA = tenantSchemaName(DEMO_TENANT_ID);
/** Tables that name an erased address on purpose: its suppression, its erase job, the audit of the request. */
const RECORDS_OF_THE_REQUEST = ['suppressions', 'privacy_jobs', 'audit_log'];

function json<T = Record<string, unknown>>(run: CliRun): T {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}${run.stdout}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

describe('admin and privacy commands on the PostgreSQL store', () => {
  it('access, erase, blocklist, retention, delete and purge work on the tenant\'s schema and in the CRM', { timeout: 400_000 }, async (ctx) => {
    if (!server) return ctx.skip();
    const databaseUrl = await server.createDatabase('admin_pg');
    const tenant = demoTenant();
    const emulators = await startDemoEmulators(tenant, 'graph', 'salesforce');
    const workspace = createWorkspace(emulators, tenant, 'mailbridge-adminpg-');
    usePostgresStore(workspace);
    const cli = (...argv: string[]) => runCli([...argv, '--config', workspace.configFile, '--json'], databaseUrl);
    const db = new pg.Client({ connectionString: databaseUrl });
    const rows = async <T extends object>(sql: string, params: unknown[] = []) => (await db.query<T & pg.QueryResultRow>(sql, params)).rows as T[];
    const activityIds = () => new Set(emulators.activities().map((a) => a.crmId));
    const ledgerCount = async () => Number((await rows<{ n: string }>(`SELECT count(*) AS n FROM "${SCHEMA}".ledger`))[0]!.n);
    try {
      expect((await cli('migrate')).code).toBe(0);
      const synced = await cli('sync', '--once');
      expect(synced.code, synced.stderr).toBe(0);
      await db.connect();
      const imported = await ledgerCount();
      expect(imported).toBeGreaterThan(5);
      expect(activityIds().size).toBe(imported);

      // privacy access: the outside address on the most imported mail.
      const company = tenant.companyDomains[0]!;
      const [target] = await rows<{ address: string; n: string }>(
        `SELECT address, count(DISTINCT key) AS n FROM "${SCHEMA}".ledger_participants WHERE address NOT LIKE $1 GROUP BY address ORDER BY n DESC, address LIMIT 1`,
        [`%@${company}`],
      );
      const address = target!.address;
      const access = json<{ address: string; messages: { key: string; crmId: string; subject: string }[]; contacts: { id: string }[] }>(await cli('privacy', 'access', address));
      expect(access.address).toBe(address);
      expect(access.messages.length).toBe(Number(target!.n));
      expect(access.messages.every((m) => m.subject.length > 0)).toBe(true);

      // privacy erase, its job run by the command: the CRM loses those activities, the schema the address.
      const erased = json<{ state: string; result: { messages: number; crmDeleted: number; crmOwed: number } }>(await cli('privacy', 'erase', address));
      expect(erased).toMatchObject({ state: 'done', result: { messages: access.messages.length, crmOwed: 0 } });
      const left = activityIds();
      expect(access.messages.filter((m) => left.has(m.crmId))).toEqual([]);
      expect(await ledgerCount()).toBe(imported - access.messages.length);
      const traces = (await dumpDatabase(databaseUrl))
        .split('\n')
        .filter((line) => line.startsWith(`${SCHEMA}.`) && line.includes(address))
        .map((line) => line.slice(SCHEMA.length + 1, line.indexOf(':')));
      expect([...new Set(traces)].filter((t) => !RECORDS_OF_THE_REQUEST.includes(t))).toEqual([]);
      expect(traces).toContain('suppressions');

      // blocklist add --dry-run lists what a domain would purge and changes nothing; add purges it.
      const [other] = await rows<{ address: string }>(
        `SELECT address FROM "${SCHEMA}".ledger_participants WHERE address NOT LIKE $1 ORDER BY address LIMIT 1`,
        [`%@${company}`],
      );
      const domain = other!.address.split('@')[1]!;
      const before = await ledgerCount();
      const dry = json<{ matched: number; wouldDelete: { crmId: string }[] }>(await cli('blocklist', 'add', domain, '--dry-run'));
      expect(dry.matched).toBeGreaterThan(0);
      expect(dry.wouldDelete.length).toBe(dry.matched);
      expect(await ledgerCount()).toBe(before);
      const added = json<{ added: boolean; purged: { messages: number; crmDeleted: number; crmOwed: number } }>(await cli('blocklist', 'add', domain));
      expect(added).toMatchObject({ added: true, purged: { messages: dry.matched, crmDeleted: dry.matched, crmOwed: 0 } });
      const afterBlock = activityIds();
      expect(dry.wouldDelete.filter((m) => afterBlock.has(m.crmId))).toEqual([]);
      expect(await ledgerCount()).toBe(before - dry.matched);
      const listed = json<{ entries: { kind: string; value: string; source: string }[] }>(await cli('blocklist', 'list'));
      expect(listed.entries).toContainEqual(expect.objectContaining({ kind: 'domain', value: domain, source: 'database' }));

      // retention run: a retention that expires the oldest imported mail (local copies only, the default).
      const sent = (await rows<{ sent_at: string }>(`SELECT sent_at FROM "${SCHEMA}".ledger`)).map((r) => Date.parse(r.sent_at)).sort((a, b) => a - b);
      const retentionDays = Math.floor((Date.now() - sent[0]!) / DAY_MS);
      const expected = sent.filter((t) => t < Date.now() - retentionDays * DAY_MS).length;
      const config = JSON.parse(readFileSync(workspace.configFile, 'utf8')) as { tenants: Record<string, unknown>[] };
      config.tenants[0]!.retentionDays = retentionDays;
      writeFileSync(workspace.configFile, JSON.stringify(config), { mode: 0o600 });
      const crmBeforeRetention = activityIds().size;
      const retained = json<{ expired: number; messages: number; crmDeleted: number }>(await cli('retention', 'run'));
      expect(retained.expired).toBeGreaterThan(0);
      expect(retained).toMatchObject({ expired: expected, messages: expected, crmDeleted: 0 });
      expect(await ledgerCount()).toBe(before - dry.matched - expected);
      expect(activityIds().size).toBe(crmBeforeRetention);

      // messages delete, as the tenant's admin, by CRM activity id.
      const [victim] = await rows<{ key: string; crm_id: string }>(`SELECT key, crm_id FROM "${SCHEMA}".ledger ORDER BY key LIMIT 1`);
      const deleted = json<{ key: string; role: string; result: { crmDeleted: number } }>(await cli('messages', 'delete', victim!.crm_id, '--as', tenant.admins[0]!));
      expect(deleted).toMatchObject({ key: victim!.key, role: 'admin', result: { crmDeleted: 1 } });
      expect(activityIds().has(victim!.crm_id)).toBe(false);
      const refused = await cli('messages', 'delete', 'no-such-id', '--as', tenant.admins[0]!);
      expect(refused.code).toBe(2);

      // purge --all: every activity mailbridge wrote goes from the CRM, every row of the schema
      // but the purge's own audit entry goes too; the schema stays migrated.
      const written = (await ledgerCount()) + Number((await rows<{ n: string }>(`SELECT count(*) AS n FROM "${SCHEMA}".meetings`))[0]!.n);
      // Meetings retention dropped locally stay in the CRM (retention.crm is off): the purge cannot reach them.
      const keptByRetention = emulators.meetings().length + activityIds().size - written;
      const purged = json<{ crmActivities: number; crmDeleted: number; crmOwed: number }>(await cli('purge', '--all', '--yes'));
      expect(purged).toMatchObject({ crmActivities: written, crmDeleted: written, crmOwed: 0 });
      expect(emulators.meetings().length + activityIds().size).toBe(keptByRetention);
      const schemaTables = await rows<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, [SCHEMA]);
      const nonEmpty: string[] = [];
      for (const { t } of schemaTables) {
        const n = Number((await rows<{ n: string }>(`SELECT count(*) AS n FROM "${SCHEMA}"."${t}"`))[0]!.n);
        if (n > 0) nonEmpty.push(`${t}:${n}`);
      }
      expect(nonEmpty.sort()).toEqual(['audit_log:1', expect.stringMatching(/^schema_migrations:\d+$/)]);
      expect((await cli('status')).code).toBe(0);
    } finally {
      await db.end().catch(() => undefined);
      await emulators.close();
      rmSync(workspace.dir, { recursive: true, force: true });
    }
  });

  it('the scheduler\'s privacy and retention jobs run on the tenant\'s schema', { timeout: 300_000 }, async (ctx) => {
    if (!server) return ctx.skip();
    const databaseUrl = await server.createDatabase('admin_pg_jobs');
    const tenant = demoTenant();
    const emulators = await startDemoEmulators(tenant, 'graph', 'salesforce');
    const workspace = createWorkspace(emulators, tenant, 'mailbridge-adminpg-jobs-');
    usePostgresStore(workspace);
    const cli = (...argv: string[]) => runCli([...argv, '--config', workspace.configFile, '--json'], databaseUrl);
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = databaseUrl;
    try {
      expect((await cli('migrate')).code).toBe(0);
      expect((await cli('sync', '--once')).code).toBe(0);
      const raw = JSON.parse(readFileSync(workspace.configFile, 'utf8')) as { tenants: Record<string, unknown>[] };
      // A retention short enough that every demo email has expired (the demo's mail is dated before now).
      raw.tenants[0]!.retentionDays = 1;
      writeFileSync(workspace.configFile, JSON.stringify(raw), { mode: 0o600 });
      const config = loadConfig(workspace.configFile);
      const open = await openTenant(config, config.tenants[0]!);
      try {
        const { ledger, governance } = open.stores;
        const [first] = await ledger.keysSentBefore(new Date());
        const [address] = (await ledger.participants(first!)).map((p) => p.address).filter((a) => !a.endsWith(`@${tenant.companyDomains[0]}`));
        const keys = await ledger.keysMatching({ kind: 'address', value: address! });
        expect(keys.length).toBeGreaterThan(0);
        const queued = json<{ id: string; state: string }>(await cli('privacy', 'erase', address!, '--queue-only'));
        expect(queued.state).toBe('queued');

        await runHousekeepingJob({ kind: 'privacy', tenant: DEMO_TENANT_ID }, open, silentLogger());
        expect(await governance.privacyJob(queued.id)).toMatchObject({ state: 'done', result: { messages: keys.length, crmOwed: 0 } });
        expect(await ledger.keysMatching({ kind: 'address', value: address! })).toEqual([]);

        const left = await ledger.importedCount();
        expect(left).toBeGreaterThan(0);
        await runHousekeepingJob({ kind: 'retention', tenant: DEMO_TENANT_ID }, open, silentLogger());
        expect(await ledger.importedCount()).toBe(0);
        expect((await open.stores.audit.auditLog(5)).map((e) => e.action)).toContain('retention.run');
      } finally {
        await open.close();
      }
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
      await emulators.close();
      rmSync(workspace.dir, { recursive: true, force: true });
    }
  });
});
