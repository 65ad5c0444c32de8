/**
 * `key rotate` in process: every database re-encrypted under a new key, data kept, the old key
 * refused afterwards; refused while a sync holds the lease or when the key is in the environment;
 * an interrupted rotation (`.next` present, some databases done) opens and finishes.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initConfig } from '../../../src/app/init-config.js';
import { openTenant, openTenantDatabase, tenantDatabasePath } from '../../../src/app/open-tenant.js';
import { KeyRotationError, rotateKey, rotateKeyWhenFree, TENANT_LEASE } from '../../../src/app/rotate-key.js';
import { databaseKey, writeKeyFile } from '../../../src/config/database-key.js';
import { ConfigError, loadConfig, parseConfig, type LoadedConfig } from '../../../src/config/load-config.js';
import { SqliteAdminStore } from '../../../src/store/admin-store.js';
import { openDatabase, rekeyDatabase } from '../../../src/store/database.js';
import { StoreKeyError } from '../../../src/store/store-errors.js';
import { writeFileSync } from 'node:fs';

/** A configuration with two tenants, each database holding a setting to check after rotation. */
function twoTenants(): LoadedConfig {
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-rotate-'));
  const { config: file } = initConfig(
    { file: join(dir, 'mailbridge.config.json'), tenant: 'acme', companyDomains: ['acme.com'], provider: 'graph', graph: { tenantId: 'd', clientId: 'c' }, crm: 'hubspot' },
    {},
  );
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.tenants.push({ ...json.tenants[0], id: 'globex', companyDomains: ['globex.com'] });
  writeFileSync(file, JSON.stringify(json), { mode: 0o600 });
  const config = loadConfig(file);
  for (const t of config.tenants) {
    const db = openDatabase({ path: tenantDatabasePath(config, t.id), key: databaseKey(config, {}) });
    new SqliteAdminStore(db).setSetting('probe', `data of ${t.id}`);
    db.close();
  }
  return config;
}

function probe(config: LoadedConfig, id: string, key: string): string | null {
  const db = openDatabase({ path: tenantDatabasePath(config, id), key });
  try {
    return new SqliteAdminStore(db).setting('probe');
  } finally {
    db.close();
  }
}

describe('key rotate', () => {
  it('re-encrypts every database; the new key opens them with data intact, the old one no longer does', async () => {
    const config = twoTenants();
    const oldKey = databaseKey(config, {});
    const result = await rotateKey(config, { env: {} });
    expect(result.resumed).toBe(false);
    expect(result.tenants).toEqual([
      { id: 'acme', result: 'rekeyed' },
      { id: 'globex', result: 'rekeyed' },
    ]);
    const newKey = databaseKey(config, {});
    expect(newKey).not.toBe(oldKey);
    expect(statSync(config.keyPath!).mode & 0o777).toBe(0o600);
    expect(existsSync(`${config.keyPath}.next`)).toBe(false);
    for (const id of ['acme', 'globex']) {
      expect(probe(config, id, newKey)).toBe(`data of ${id}`);
      expect(() => probe(config, id, oldKey)).toThrow(StoreKeyError);
    }
    const db = openDatabase({ path: tenantDatabasePath(config, 'acme'), key: newKey });
    const audit = new SqliteAdminStore(db).auditLog();
    db.close();
    expect(audit.map((a) => [a.action, a.target])).toEqual([['key.rotate', 'acme']]);
    expect(JSON.stringify(audit)).not.toContain(newKey);
    expect(JSON.stringify(audit)).not.toContain(oldKey);
  });

  it('refuses while a sync holds the tenant lease, and leaves a resumable state', async () => {
    const config = twoTenants();
    const oldKey = databaseKey(config, {});
    const db = openDatabase({ path: tenantDatabasePath(config, 'globex'), key: oldKey });
    new SqliteAdminStore(db).acquireLease(TENANT_LEASE, 'sync:other-process', 60_000);
    db.close();
    await expect(rotateKey(config, { env: {} })).rejects.toThrow(KeyRotationError);
    expect(existsSync(`${config.keyPath}.next`)).toBe(true);
    expect(databaseKey(config, {})).toBe(oldKey);
    // acme was done before globex refused: the open path still reaches both.
    const acme = openTenantDatabase(config, tenantDatabasePath(config, 'acme'));
    expect(new SqliteAdminStore(acme).setting('probe')).toBe('data of acme');
    acme.close();
    // Once the lease expires the rotation resumes and finishes.
    const later = () => new Date(Date.now() + 120_000);
    const result = await rotateKey(config, { env: {}, now: later });
    expect(result).toMatchObject({ resumed: true, tenants: [{ id: 'acme', result: 'already-rekeyed' }, { id: 'globex', result: 'rekeyed' }] });
    expect(probe(config, 'globex', databaseKey(config, {}))).toBe('data of globex');
  });

  it('refuses a key from MAILBRIDGE_DB_KEY, or a configuration without a key file', async () => {
    const config = twoTenants();
    await expect(rotateKey(config, { env: { MAILBRIDGE_DB_KEY: 'k' } })).rejects.toThrow(/MAILBRIDGE_DB_KEY: rotation needs a key file/);
    const noFile = parseConfig({ tenants: config.tenants }, config.file);
    await expect(rotateKey(noFile, { env: {} })).rejects.toThrow(ConfigError);
    expect(existsSync(`${config.keyPath}.next`)).toBe(false);
  });

  it('an interrupted rotation: the tenant opens with .next, and rotate finishes with that key', async () => {
    const config = twoTenants();
    const oldKey = databaseKey(config, {});
    const nextKey = 'b'.repeat(64);
    writeKeyFile(`${config.keyPath}.next`, nextKey);
    const db = openDatabase({ path: tenantDatabasePath(config, 'acme'), key: oldKey });
    rekeyDatabase(db, nextKey);
    db.close();

    const tenant = await openTenant(config, config.tenants[0]!);
    expect(tenant.admin.setting('probe')).toBe('data of acme');
    await tenant.close();

    const result = await rotateKey(config, { env: {} });
    expect(result.tenants.map((t) => t.result)).toEqual(['already-rekeyed', 'rekeyed']);
    expect(databaseKey(config, {})).toBe(nextKey);
    expect(probe(config, 'globex', nextKey)).toBe('data of globex');
  });

  it('a wrong key with no rotation pending is still an error', () => {
    const config = twoTenants();
    writeKeyFile(config.keyPath!, 'c'.repeat(64));
    expect(() => openTenantDatabase(config, tenantDatabasePath(config, 'acme'))).toThrow(StoreKeyError);
  });

  it('waits out a sync holding a tenant, then finishes; with no wait left it refuses', async () => {
    const config = twoTenants();
    const oldKey = databaseKey(config, {});
    const lease = (act: (admin: SqliteAdminStore) => void) => {
      const db = openTenantDatabase(config, tenantDatabasePath(config, 'globex'));
      act(new SqliteAdminStore(db));
      db.close();
    };
    const holdLease = () => lease((admin) => admin.acquireLease(TENANT_LEASE, 'sync:other-process', 60_000));
    holdLease();

    const waits: string[] = [];
    const result = await rotateKeyWhenFree(config, {
      env: {},
      waitMs: 10_000,
      pollMs: 10,
      // The sync round ends while the rotation waits.
      onWait: (busy) => {
        waits.push(busy.tenant);
        if (waits.length === 2) lease((admin) => admin.releaseLease(TENANT_LEASE, 'sync:other-process'));
      },
    });
    expect(waits).toEqual(['globex', 'globex']);
    // Its own first try re-encrypted acme; nothing was left over from an earlier command.
    expect(result).toMatchObject({ resumed: false, tenants: [{ id: 'acme', result: 'already-rekeyed' }, { id: 'globex', result: 'rekeyed' }] });
    const newKey = databaseKey(config, {});
    expect(newKey).not.toBe(oldKey);
    expect(probe(config, 'globex', newKey)).toBe('data of globex');

    holdLease();
    await expect(rotateKeyWhenFree(config, { env: {}, waitMs: 0, onWait: () => expect.unreachable() })).rejects.toThrow(KeyRotationError);
    expect(databaseKey(config, {})).toBe(newKey);
  });
});
