/**
 * `mailbridge sync --once` and `mailbridge run` as a user runs them: a config file, a key, the
 * Graph and Salesforce emulators, the real command in a child process. Also the privacy test
 * of issue 5: after a sync with rejected mail, neither the decrypted tables, nor the database
 * and WAL bytes, nor the job log hold any rejected address, subject or message id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeKeyFile } from '../../src/config/database-key.js';
import { openDatabase } from '../../src/store/database.js';
import { SqliteAdminStore } from '../../src/store/admin-store.js';
import { lastJsonLine, mailbridge, recentMail, root, startCliTenant, type CliTenant } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';
const REJECTED = {
  address: 'wombat.stranger@nomatch-corp.example',
  subject: 'Quasar-4471 weekend sailing',
  messageId: 'quasar-4471@nomatch-corp.example',
  newsletterSubject: 'Acme Digest Issue 88',
  newsletterId: 'digest-88@acme.com',
  internalSubject: 'Pipeline review Vortex-19',
};

function mailboxes() {
  const renewal = () =>
    recentMail('inbox', 30, {
      From: 'Jane Doe <jane.doe@acme.com>',
      To: ALEX,
      Cc: SAM,
      Subject: 'Renewal pricing for next year',
      'Message-ID': '<renewal-cli@acme.com>',
    }, 'Could you send the renewal pricing?');
  return [
    {
      address: ALEX,
      messages: [
        renewal(),
        recentMail('sent', 20, { From: ALEX, To: 'Kim <kim@acme.com>', Subject: 'Intro call', 'Message-ID': '<intro-cli@example-seller.com>' }),
        recentMail('inbox', 10, { From: `Wombat <${REJECTED.address}>`, To: ALEX, Subject: REJECTED.subject, 'Message-ID': `<${REJECTED.messageId}>` }),
        recentMail('inbox', 9, {
          From: 'Acme News <news@acme.com>',
          To: ALEX,
          Subject: REJECTED.newsletterSubject,
          'Message-ID': `<${REJECTED.newsletterId}>`,
          'List-Unsubscribe': '<mailto:unsubscribe@acme.com>',
        }),
        recentMail('inbox', 8, { From: SAM, To: ALEX, Subject: REJECTED.internalSubject, 'Message-ID': '<vortex-19@example-seller.com>' }),
      ],
    },
    { address: SAM, messages: [renewal()] },
  ];
}

describe('mailbridge sync --once', () => {
  let t: CliTenant;
  beforeEach(async () => {
    t = await startCliTenant(mailboxes());
  });
  afterEach(async () => {
    await t.close();
  });
  const env = () => ({ MAILBRIDGE_DB_KEY: t.key });

  it('syncs every mailbox, prints the result as JSON, records status, and a second round writes nothing', async () => {
    const first = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--quiet'], env());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const result = lastJsonLine(first.stdout) as { totals: { imported: number; duplicates: number; skipped: Record<string, number> }; crm: string; provider: string };
    expect(result).toMatchObject({ tenant: 'acme', provider: 'graph', crm: 'salesforce', stopped: false });
    expect(result.totals).toMatchObject({ mailboxes: 2, imported: 2, duplicates: 1, failed: 0 });
    expect(result.totals.skipped).toEqual({ 'no-crm-match': 1, automated: 1, 'internal-only': 1 });
    expect(t.sf.control.emails().map((e) => e.record.Subject).sort()).toEqual(['Intro call', 'Renewal pricing for next year']);

    const db = openDatabase({ path: join(t.dir, 'data', 'acme.db'), key: t.key });
    const statuses = new SqliteAdminStore(db).mailboxStatuses();
    db.close();
    expect(statuses.map((s) => [s.address, s.connection, s.lastError])).toEqual([
      [ALEX, 'connected', null],
      [SAM, 'connected', null],
    ]);
    expect(statuses.every((s) => s.lastOkAt !== null)).toBe(true);

    const second = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--quiet'], env());
    expect(lastJsonLine(second.stdout)).toMatchObject({ totals: { imported: 0, scanned: 0 } });
    expect(t.sf.control.emails()).toHaveLength(2);
  });

  it('prints a table for people and progress lines on stderr when not on a terminal', async () => {
    const r = await mailbridge(['sync', '--config', t.configFile], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Tenant acme \(graph → salesforce\)/);
    expect(r.stdout).toMatch(new RegExp(`${ALEX}\\s+ok\\s+5\\s+2`));
    expect(r.stderr).toMatch(/\[acme\] 2 mailboxes to sync/);
    expect(r.stderr).toMatch(/"msg":"sync round finished"/);
  });

  it('refuses a tenant another live process is syncing, and takes over from a dead one', async () => {
    mkdirSync(join(t.dir, 'data'));
    const db = openDatabase({ path: join(t.dir, 'data', 'acme.db'), key: t.key });
    const admin = new SqliteAdminStore(db);
    // This test process is alive: its lease stands.
    const { hostname } = await import('node:os');
    expect(admin.acquireLease('tenant', `${hostname()}:${process.pid}`, 60_000)).toBe(true);
    const busy = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--quiet'], env());
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/being synced by another process/);
    expect(t.sf.control.emails()).toHaveLength(0);
    // A holder that no longer exists (a killed sync) does not block the next one.
    admin.releaseLease('tenant', `${hostname()}:${process.pid}`);
    expect(admin.acquireLease('tenant', `${hostname()}:999999999`, 60_000)).toBe(true);
    db.close();
    const next = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--quiet'], env());
    expect(next.code).toBe(0);
    expect(t.sf.control.emails()).toHaveLength(2);
  });

  it('runs a queued erasure before the scan, so the erased address is never imported', async () => {
    const queued = await mailbridge(['privacy', 'erase', 'jane.doe@acme.com', '--queue-only', '--config', t.configFile, '--json'], env());
    expect(queued.code).toBe(0);
    const r = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--quiet'], env());
    const result = lastJsonLine(r.stdout) as { privacyJobs: number; totals: { imported: number; skipped: Record<string, number> } };
    expect(result.privacyJobs).toBe(1);
    expect(result.totals.imported).toBe(1);
    expect(result.totals.skipped.blocklisted).toBe(2); // in both mailboxes
    expect(t.sf.control.emails().map((e) => e.record.Subject)).toEqual(['Intro call']);
  });

  it('names the field of a bad configuration and exits 2', async () => {
    const config = JSON.parse(readFileSync(t.configFile, 'utf8')) as { tenants: { crm: Record<string, unknown> }[] };
    delete config.tenants[0]!.crm.clientId;
    const bad = join(t.dir, 'bad.config.json');
    writeFileSync(bad, JSON.stringify(config));
    const r = await mailbridge(['sync', '--once', '--config', bad], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.config\.json: tenants\[0\]\.crm\.clientId: /);
  });

  it('leaves no rejected address, subject or id in the tables, the file, the WAL or the log', async () => {
    const r = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--log-level', 'trace'], env());
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/mailbox synced/);
    const dbFile = join(t.dir, 'data', 'acme.db');
    const secrets = [REJECTED.address, REJECTED.subject, REJECTED.messageId, REJECTED.newsletterSubject, REJECTED.newsletterId, REJECTED.internalSubject, 'vortex-19'];

    // The bytes on disk are encrypted: not even the imported mail shows.
    const files = [dbFile, `${dbFile}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
    expect(files.length).toBeGreaterThan(0);
    for (const bytes of files) {
      for (const s of [...secrets, 'Renewal pricing', 'jane.doe@acme.com', 'SQLite format 3']) expect(bytes.includes(Buffer.from(s))).toBe(false);
    }

    // Decrypted, every table holds the imported mail and nothing of the rejected.
    const db = openDatabase({ path: dbFile, key: t.key });
    const dump: string[] = [];
    for (const { name } of db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all()) {
      for (const row of db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all()) dump.push(JSON.stringify(row));
    }
    db.close();
    const all = dump.join('\n').toLowerCase();
    expect(all).toContain('renewal pricing for next year');
    const log = `${r.stdout}\n${r.stderr}`.toLowerCase();
    for (const s of secrets) {
      expect(all).not.toContain(s.toLowerCase());
      expect(log).not.toContain(s.toLowerCase());
    }
    // Nor any secret of the connections.
    expect(log).not.toContain(t.key);
    expect(log).not.toContain(String(t.graph.credentials.clientSecret));
  });
});

/** `mailbridge run` children still alive when a test ends (it failed early): never left behind. */
const runChildren = new Set<ChildProcess>();
afterEach(() => {
  for (const child of runChildren) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  runChildren.clear();
});

describe('mailbridge run', () => {
  let t: CliTenant;
  beforeEach(async () => {
    // Every second, so the test sees a scheduled round without waiting 15 minutes.
    t = await startCliTenant(mailboxes(), { schedule: { cron: '* * * * * *' } });
  });
  afterEach(async () => {
    await t.close();
  });

  it('syncs on its schedule and stops gracefully on SIGTERM, releasing its leases', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'run', '--config', t.configFile, '--no-initial'], {
      cwd: root,
      env: { ...process.env, MAILBRIDGE_DB_KEY: t.key },
    });
    runChildren.add(child);
    let stderr = '';
    const rounds = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if ((stderr.match(/sync round finished/g) ?? []).length >= 2) resolve();
      });
    });
    await rounds;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/"msg":"stopped"/);
    expect(t.sf.control.emails()).toHaveLength(2);

    const db = openDatabase({ path: join(t.dir, 'data', 'acme.db'), key: t.key });
    expect(db.prepare('SELECT count(*) FROM leases').pluck().get()).toBe(0);
    db.close();
  });
});

describe('mailbridge run beside key rotation', () => {
  let t: CliTenant;
  beforeEach(async () => {
    t = await startCliTenant(mailboxes(), { schedule: { cron: '* * * * * *' }, keyFile: 'mailbridge.key' });
    writeKeyFile(join(t.dir, 'mailbridge.key'), t.key);
  });
  afterEach(async () => {
    await t.close();
  });

  it('holds no connection between rounds, so the key can be rotated while it runs', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'run', '--config', t.configFile], { cwd: root });
    runChildren.add(child);
    let stderr = '';
    const roundsSeen = () => (stderr.match(/sync round finished/g) ?? []).length;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const until = async (ok: () => boolean) => {
      while (!ok()) await new Promise((r) => setTimeout(r, 100));
    };
    await until(() => roundsSeen() >= 1);

    // A round may hold the tenant at that moment: the rotation waits for it to end.
    const rotated = await mailbridge(['key', 'rotate', '--config', t.configFile, '--json', '--wait', '60']);
    expect(rotated.code).toBe(0);
    const newKey = readFileSync(join(t.dir, 'mailbridge.key'), 'utf8').trim();
    expect(newKey).not.toBe(t.key);

    // The scheduler reads the new key for its next rounds.
    const before = roundsSeen();
    await until(() => roundsSeen() >= before + 2);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/"level":50/);
    expect(t.sf.control.emails()).toHaveLength(2);
    expect(() => openDatabase({ path: join(t.dir, 'data', 'acme.db'), key: t.key })).toThrow(/key does not open/);
  }, 120_000);
});

describe('several tenants in one install', () => {
  let a: CliTenant;
  let b: CliTenant;
  beforeEach(async () => {
    a = await startCliTenant(mailboxes());
    b = await startCliTenant([{ address: ALEX, messages: mailboxes()[0]!.messages.slice(1, 2) }]);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  it('syncs each with its own credentials into its own database', async () => {
    const config = JSON.parse(readFileSync(a.configFile, 'utf8')) as { tenants: { id: string }[] };
    const other = (JSON.parse(readFileSync(b.configFile, 'utf8')) as { tenants: { id: string }[] }).tenants[0]!;
    config.tenants.push({ ...other, id: 'globex' });
    writeFileSync(a.configFile, JSON.stringify(config));

    const only = await mailbridge(['sync', '--once', '--config', a.configFile, '--tenant', 'globex', '--json', '--quiet'], { MAILBRIDGE_DB_KEY: a.key });
    expect(lastJsonLine(only.stdout)).toMatchObject({ tenant: 'globex', totals: { imported: 1 } });
    expect(a.sf.control.emails()).toHaveLength(0);

    const all = await mailbridge(['sync', '--once', '--config', a.configFile, '--json', '--quiet'], { MAILBRIDGE_DB_KEY: a.key });
    const result = lastJsonLine(all.stdout) as { tenants: { tenant: string; totals: { imported: number } }[] };
    expect(result.tenants.map((r) => [r.tenant, r.totals.imported])).toEqual([['acme', 2], ['globex', 0]]);
    expect(a.sf.control.emails()).toHaveLength(2);
    expect(b.sf.control.emails()).toHaveLength(1);
    expect(existsSync(join(a.dir, 'data', 'acme.db')) && existsSync(join(a.dir, 'data', 'globex.db'))).toBe(true);
  });
});
