/**
 * The read and setup commands on `store.kind: "postgres"`, as an admin runs them: one company
 * synced twice, once on the embedded store and once on a real PostgreSQL (each against its own
 * Graph and Salesforce emulators), then `connect`, `explain`, `messages list|search`,
 * `crm snapshot` and `doctor` through the CLI on both, giving the same answers. `doctor` on
 * PostgreSQL also names the fix of a schema not yet migrated and of a server it cannot reach.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, mailbridge, recentMail, startCliTenant, type CliResult, type CliTenant } from '../helpers/cli-tenant.js';
import { startPostgresOrSkip, type PostgresServer } from '../helpers/postgres-server.js';

const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';
const RENEWAL_ID = '<renewal-readpg@acme.com>';
const STRANGER_ID = '<stranger-readpg@nomatch-corp.example>';

// Built once: both companies hold the very same mail (dates included).
const MAILBOXES = [
  {
    address: ALEX,
    messages: [
      recentMail('inbox', 30, { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Cc: SAM, Subject: 'Renewal pricing for next year', 'Message-ID': RENEWAL_ID }, 'Could you send the renewal pricing?'),
      recentMail('inbox', 8, { From: 'Quokka <quokka@nomatch-corp.example>', To: ALEX, Subject: 'Harbour tour', 'Message-ID': STRANGER_ID }),
    ],
  },
  {
    address: SAM,
    messages: [
      recentMail('inbox', 30, { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Cc: SAM, Subject: 'Renewal pricing for next year', 'Message-ID': RENEWAL_ID }, 'Could you send the renewal pricing?'),
      recentMail('sent', 20, { From: SAM, To: 'Bob <bob@globex.com>', Subject: 'Pilot wrap-up', 'Message-ID': '<pilot-readpg@example-seller.com>' }),
    ],
  },
];

const POSTGRES_STORE = { store: { kind: 'postgres', url: { env: 'DATABASE_URL' } } };

interface Message {
  key: string;
  subject: string;
  holders: string[];
  crmIds: { activity: string; contacts: string[]; deals: string[] };
  recordedAt: string;
}

const jsonLines = (r: CliResult) => r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Message);
/** What differs between two companies by nature: the CRM's generated activity ids and the time of recording. */
const comparable = (m: Message) => ({ ...m, crmIds: { ...m.crmIds, activity: undefined }, recordedAt: undefined });

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('read and setup commands on the PostgreSQL store answer as on the embedded one', { timeout: 600_000 }, () => {
  let server: PostgresServer | null = null;
  let embedded: CliTenant;
  let shared: CliTenant;
  let databaseUrl = '';
  const onSqlite = (...args: string[]) => mailbridge([...args, '--config', embedded.configFile], { MAILBRIDGE_DB_KEY: embedded.key });
  const onPostgres = (...args: string[]) => mailbridge([...args, '--config', shared.configFile], { MAILBRIDGE_DB_KEY: shared.key, DATABASE_URL: databaseUrl });

  beforeAll(async () => {
    server = await startPostgresOrSkip();
    if (!server) return;
    databaseUrl = await server.createDatabase('read_commands');
    embedded = await startCliTenant(MAILBOXES);
    shared = await startCliTenant(MAILBOXES, POSTGRES_STORE);
  }, 120_000);
  afterAll(async () => {
    await embedded?.close();
    await shared?.close();
    await server?.stop();
  });

  it('doctor names the fix of a schema not yet migrated and of a server it cannot reach', async (ctx) => {
    if (!server) return ctx.skip();
    const early = await onPostgres('doctor', '--json');
    expect(early.code).toBe(1);
    const database = (lastJsonLine(early.stdout) as { checks: { name: string; ok: boolean; detail: string; fix: string }[] }).checks.find((c) => c.name === 'database');
    expect(database).toMatchObject({ ok: false, detail: expect.stringContaining('version 0'), fix: expect.stringContaining('mailbridge migrate') });

    const nowhere = `postgres://mailbridge@127.0.0.1:${await closedPort()}/read_commands`;
    const down = await mailbridge(['doctor', '--json', '--config', shared.configFile], { MAILBRIDGE_DB_KEY: shared.key, DATABASE_URL: nowhere });
    expect(down.code).toBe(1);
    const unreachable = (lastJsonLine(down.stdout) as { checks: { name: string; ok: boolean; fix: string }[] }).checks.find((c) => c.name === 'database');
    expect(unreachable).toMatchObject({ ok: false, fix: expect.stringContaining('store.url') });
  });

  it('connect, explain, messages list|search, crm snapshot and doctor give the same answers on both stores', async (ctx) => {
    if (!server) return ctx.skip();
    expect((await onPostgres('migrate', '--json')).code).toBe(0);
    for (const sync of [onSqlite, onPostgres]) {
      const r = await sync('sync', '--once', '--json', '--quiet');
      expect(r.code, r.stderr).toBe(0);
      expect(lastJsonLine(r.stdout)).toMatchObject({ totals: { imported: 2, skipped: { 'no-crm-match': 1 } } });
    }

    // connect (company mode): the app credentials reach the same mailboxes, recorded connected.
    const connected = [await onSqlite('connect', '--json'), await onPostgres('connect', '--json')];
    for (const r of connected) expect(r.code, r.stderr).toBe(0);
    expect(lastJsonLine(connected[1]!.stdout)).toEqual(lastJsonLine(connected[0]!.stdout));
    expect(lastJsonLine(connected[1]!.stdout)).toMatchObject({
      tenants: [{ tenant: 'acme', mode: 'company', mailboxes: [{ address: ALEX, connection: 'connected' }, { address: SAM, connection: 'connected' }] }],
    });
    const listed = await onPostgres('connect', '--list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    type Listed = { tenants: { users: { address: string; connection: string; lastSyncAt: string | null }[] }[] };
    // The time of each company's own sync aside, the same list.
    const users = (r: CliResult) => (lastJsonLine(r.stdout) as unknown as Listed).tenants[0]!.users.map((u) => ({ ...u, lastSyncAt: typeof u.lastSyncAt }));
    expect(users(listed)).toEqual(users(await onSqlite('connect', '--list', '--json')));
    expect(users(listed)).toEqual([expect.objectContaining({ address: ALEX, connection: 'connected', lastSyncAt: 'string' }), expect.objectContaining({ address: SAM, connection: 'connected', lastSyncAt: 'string' })]);

    // messages list and search: the same mail, subjects opened, holders as addresses.
    const lists = [await onSqlite('messages', 'list', '--json'), await onPostgres('messages', 'list', '--json')];
    for (const r of lists) expect(r.code, r.stderr).toBe(0);
    const [sqliteList, pgList] = lists.map(jsonLines) as [Message[], Message[]];
    expect(pgList.map((m) => m.subject)).toEqual(['Pilot wrap-up', 'Renewal pricing for next year']);
    expect(pgList.map(comparable)).toEqual(sqliteList.map(comparable));
    expect(pgList[1]).toMatchObject({ holders: [ALEX, SAM], crmIds: { contacts: ['003-jane'], deals: ['006-acme-renewal'] } });
    // The ledger's activity is the one this company's Salesforce holds.
    const renewal = shared.sf.control.emails().find((e) => e.record.Subject === 'Renewal pricing for next year')!;
    expect(pgList[1]!.crmIds.activity).toBe(renewal.record.Id);
    for (const words of ['renewal pricing', 'bob@globex.com', 'harbour']) {
      const [a, b] = [await onSqlite('messages', 'search', words, '--json'), await onPostgres('messages', 'search', words, '--json')];
      expect(b.code, b.stderr).toBe(0);
      expect(jsonLines(b).map(comparable)).toEqual(jsonLines(a).map(comparable));
    }
    expect(jsonLines(await onPostgres('messages', 'search', 'renewal pricing', '--json')).map((m) => m.subject)).toEqual(['Renewal pricing for next year']);

    // explain: the same decision, rules, association and deal ranking; the ledger entry when written.
    for (const messageId of [RENEWAL_ID, STRANGER_ID]) {
      const [a, b] = [await onSqlite('explain', '--mailbox', ALEX, '--message-id', messageId, '--json'), await onPostgres('explain', '--mailbox', ALEX, '--message-id', messageId, '--json')];
      expect(b.code, b.stderr).toBe(0);
      const [x, y] = [lastJsonLine(a.stdout), lastJsonLine(b.stdout)] as [Record<string, unknown>, Record<string, unknown>];
      const ledger = (v: Record<string, unknown>) => (v.ledger ? comparable(v.ledger as Message) : null);
      expect({ ...y, ledger: ledger(y) }).toEqual({ ...x, ledger: ledger(x) });
    }
    const explained = lastJsonLine((await onPostgres('explain', '--mailbox', ALEX, '--message-id', RENEWAL_ID, '--json')).stdout);
    expect(explained).toMatchObject({ decision: 'import', reason: 'matched', written: true, deal: { chosen: ['006-acme-renewal'] }, ledger: { crmIds: { activity: renewal.record.Id } } });

    // crm snapshot: the very same file.
    const snapshots = [await onSqlite('crm', 'snapshot'), await onPostgres('crm', 'snapshot')];
    expect(snapshots[1]!.code, snapshots[1]!.stderr).toBe(0);
    expect(snapshots[1]!.stdout).toBe(snapshots[0]!.stdout);
    expect((JSON.parse(snapshots[1]!.stdout) as { contacts: { id: string }[] }).contacts.map((c) => c.id).sort()).toEqual(['003-bob', '003-jane', '003-pat']);

    // doctor: the same checks with the same outcomes; the store check passes on the migrated schema.
    type Doctor = { checks: { name: string; ok: boolean; detail: string }[] };
    const [da, db] = [lastJsonLine((await onSqlite('doctor', '--json')).stdout) as unknown as Doctor, lastJsonLine((await onPostgres('doctor', '--json')).stdout) as unknown as Doctor];
    expect(db.checks.map((c) => [c.name, c.ok])).toEqual(da.checks.map((c) => [c.name, c.ok]));
    expect(db.checks.find((c) => c.name === 'database')).toMatchObject({ ok: true, detail: expect.stringContaining('PostgreSQL schema') });
  });
});
