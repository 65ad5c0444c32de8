/**
 * Issue 11: databases created by `sync`/`demo`, their -wal/-shm and the log were 0644, and the
 * log path resolved against the current folder instead of the configuration's. Now: files 0600,
 * new folders 0700, relative to the configuration; a warning when a configuration holding
 * secrets inline is readable by others.
 */
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/app/init-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { openDatabase } from '../../src/store/database.js';
import { mailbridge, recentMail, root, startCliTenant, type CliTenant } from '../helpers/cli-tenant.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const ALEX = 'alex@example-seller.com';

describe('file modes', () => {
  it('a new database, its -wal and -shm are 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-modes-'));
    const path = join(dir, 't.db');
    const db = openDatabase({ path, key: 'k-0123456789' });
    try {
      db.exec('CREATE TABLE IF NOT EXISTS x (a); INSERT INTO x VALUES (1)');
      for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(mode(f), f).toBe(0o600);
    } finally {
      db.close();
    }
  });

  it('an existing database left 0644 by an older version is narrowed when opened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-modes-'));
    const path = join(dir, 't.db');
    openDatabase({ path, key: 'k-0123456789' }).close();
    chmodSync(path, 0o644);
    openDatabase({ path, key: 'k-0123456789' }).close();
    expect(mode(path)).toBe(0o600);
  });
});

describe('mailbridge sync: the data folder, the database and the log', () => {
  let t: CliTenant;
  beforeEach(async () => {
    t = await startCliTenant(
      [{ address: ALEX, messages: [recentMail('inbox', 5, { From: 'jane.doe@acme.com', To: ALEX, Subject: 'Hi', 'Message-ID': '<m1@acme.com>' })] }],
      { log: { level: 'info', file: 'logs/mailbridge.log' } },
    );
  });
  afterEach(async () => {
    await t.close();
  });

  it('are private, and the log sits beside the configuration whatever the current folder', async () => {
    const logged = await mailbridge(['sync', '--once', '--config', t.configFile, '--json'], { MAILBRIDGE_DB_KEY: t.key });
    expect(logged.code).toBe(0);
    expect(existsSync(join(root, 'logs/mailbridge.log'))).toBe(false);
    const log = join(t.dir, 'logs/mailbridge.log');
    expect(mode(log)).toBe(0o600);
    expect(mode(join(t.dir, 'logs'))).toBe(0o700);
    expect(mode(join(t.dir, 'data'))).toBe(0o700);
    expect(mode(join(t.dir, 'data', 'acme.db'))).toBe(0o600);
    expect(logged.stderr).not.toMatch(/warning:/);
  });

  it('warns, with what to do, when the file holds inline secrets and others can read it', async () => {
    chmodSync(t.configFile, 0o644);
    expect(loadConfig(t.configFile).warnings.join()).toMatch(/tenants\[0\]\.mail\.clientSecret.*chmod 600/);
    expect(checkConfig(t.configFile, { MAILBRIDGE_DB_KEY: t.key }).warnings?.[0]).toMatch(/other users can read it/);
    const r = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--quiet'], { MAILBRIDGE_DB_KEY: t.key });
    expect(r.stderr).toMatch(/^warning: .*mailbridge\.config\.json holds secrets written inline/m);
    chmodSync(t.configFile, 0o600);
    expect(loadConfig(t.configFile).warnings).toEqual([]);
  });

  it('no warning for secrets held in environment variables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-modes-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({
      tenants: [{
        id: 'a', companyDomains: ['a.com'],
        mail: { provider: 'graph', tenantId: 't', clientId: 'c', clientSecret: { env: 'G' } },
        crm: { kind: 'hubspot', accessToken: { env: 'H' } },
      }],
    }), { mode: 0o644 });
    chmodSync(file, 0o644);
    expect(loadConfig(file).warnings).toEqual([]);
  });
});
