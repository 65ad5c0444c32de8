/**
 * `init`: the file it writes is 0600 and loads, the key file is 0600, the data folder 0700, the
 * databases open with the key; it refuses to overwrite, and a missing answer names the field and
 * the flag that sets it.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initConfig, secretRef, type InitAnswers } from '../../../src/app/init-config.js';
import { tenantDatabasePath } from '../../../src/app/open-tenant.js';
import { databaseKey } from '../../../src/config/database-key.js';
import { ConfigError, loadConfig } from '../../../src/config/load-config.js';
import { openDatabase } from '../../../src/store/database.js';
import { StoreKeyError } from '../../../src/store/store-errors.js';

const mode = (path: string) => statSync(path).mode & 0o777;

function answers(dir: string, extra: Partial<InitAnswers> = {}): InitAnswers {
  return {
    file: join(dir, 'mailbridge.config.json'),
    tenant: 'acme',
    companyDomains: ['acme.com', 'acme.co.uk'],
    provider: 'graph',
    graph: { tenantId: 'dir-1', clientId: 'app-1' },
    crm: 'salesforce',
    salesforce: { clientId: 'consumer-1' },
    ...extra,
  };
}

describe('init', () => {
  it('writes a 0600 config that loads, a 0600 key, a 0700 data folder and a database the key opens', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-init-'));
    const result = initConfig(answers(dir), {});
    expect(result).toMatchObject({
      config: join(dir, 'mailbridge.config.json'),
      keyFile: join(dir, 'mailbridge.key'),
      keyGenerated: true,
      dataDir: join(dir, 'mailbridge-data'),
      tenants: ['acme'],
      secretsFromEnv: ['GRAPH_CLIENT_SECRET', 'SALESFORCE_CLIENT_SECRET'],
    });
    expect(mode(result.config)).toBe(0o600);
    expect(mode(result.keyFile!)).toBe(0o600);
    expect(mode(result.dataDir)).toBe(0o700);

    const config = loadConfig(result.config);
    const t = config.tenants[0]!;
    expect(t.mail).toMatchObject({ provider: 'graph', mode: 'company', clientSecret: { env: 'GRAPH_CLIENT_SECRET' } });
    expect(t.crm).toMatchObject({ kind: 'salesforce', clientId: 'consumer-1', clientSecret: { env: 'SALESFORCE_CLIENT_SECRET' } });
    // The file holds references, never secret values.
    expect(readFileSync(result.config, 'utf8')).not.toMatch(/"clientSecret": "/);

    const dbPath = tenantDatabasePath(config, 'acme');
    expect(mode(dbPath)).toBe(0o600);
    openDatabase({ path: dbPath, key: databaseKey(config, {}) }).close();
    expect(() => openDatabase({ path: dbPath, key: 'some-other-key' })).toThrow(StoreKeyError);
  });

  it('refuses to overwrite without force, and keeps the key (and so the databases) with force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-init-'));
    const first = initConfig(answers(dir), {});
    const key = readFileSync(first.keyFile!, 'utf8');
    expect(() => initConfig(answers(dir), {})).toThrow(/already exists.*--force/);
    const again = initConfig(answers(dir, { force: true, companyDomains: ['acme.org'] }), {});
    expect(again.keyGenerated).toBe(false);
    expect(readFileSync(again.keyFile!, 'utf8')).toBe(key);
    expect(loadConfig(again.config).tenants[0]!.companyDomains).toEqual(['acme.org']);
  });

  it('names the field and the flag of a missing answer, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-init-'));
    let error: unknown;
    try {
      initConfig(answers(dir, { graph: { tenantId: 'dir-1' } }), {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('tenants[0].mail.clientId');
    expect((error as Error).message).toContain('--graph-client-id');
    expect(existsSync(join(dir, 'mailbridge.config.json'))).toBe(false);
    expect(existsSync(join(dir, 'mailbridge.key'))).toBe(false);
    expect(() => initConfig(answers(dir, { tenant: 'bad id!' }), {})).toThrow(/tenants\[0\]\.id.*--tenant/);
  });

  it('with MAILBRIDGE_DB_KEY set, writes no key file and the databases use that key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-init-'));
    const env = { MAILBRIDGE_DB_KEY: 'env-key-for-test' };
    const result = initConfig(answers(dir), env);
    expect(result.keyFile).toBeNull();
    expect(existsSync(join(dir, 'mailbridge.key'))).toBe(false);
    const config = loadConfig(result.config);
    expect(config.keyPath).toBeNull();
    openDatabase({ path: tenantDatabasePath(config, 'acme'), key: 'env-key-for-test' }).close();
  });

  it('user mode with Gmail and HubSpot: OAuth client, invited users, redirect URI, token reference', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-init-'));
    const result = initConfig(
      answers(dir, {
        provider: 'gmail',
        mode: 'user',
        users: ['Ana@Acme.com', 'bo@acme.com'],
        redirectUri: 'https://mb.acme.com/oauth/callback',
        gmail: { clientId: 'oauth-client-1' },
        crm: 'hubspot',
        hubspot: { accessToken: 'env:HS_PRIVATE_APP_TOKEN' },
      }),
      {},
    );
    const t = loadConfig(result.config).tenants[0]!;
    expect(t.mail).toMatchObject({
      provider: 'gmail',
      mode: 'user',
      users: ['Ana@Acme.com', 'bo@acme.com'],
      oauthClient: { clientId: 'oauth-client-1', clientSecret: { env: 'GMAIL_CLIENT_SECRET' } },
      redirectUri: 'https://mb.acme.com/oauth/callback',
    });
    expect(t.crm).toEqual({ kind: 'hubspot', accessToken: { env: 'HS_PRIVATE_APP_TOKEN' }, uniqueKeyProperty: true });
  });

  it('secretRef: env:NAME is a reference, anything else a value', () => {
    expect(secretRef('env:GRAPH_SECRET')).toEqual({ env: 'GRAPH_SECRET' });
    expect(secretRef('plain-secret')).toBe('plain-secret');
  });
});
