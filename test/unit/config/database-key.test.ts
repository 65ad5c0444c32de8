/** The database key: a 0600 file or MAILBRIDGE_DB_KEY; a file others can read is refused. */
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseKey, generateKey, pendingKey, writeKeyFile } from '../../../src/config/database-key.js';
import { ConfigError, parseConfig } from '../../../src/config/load-config.js';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-key-'));
  const config = parseConfig(
    {
      keyFile: 'db.key',
      tenants: [{ id: 't', companyDomains: ['a.com'], mail: { provider: 'graph', tenantId: 'd', clientId: 'c', clientSecret: 's' }, crm: { kind: 'hubspot', accessToken: 'x' } }],
    },
    join(dir, 'mailbridge.config.json'),
  );
  return { dir, config, keyPath: join(dir, 'db.key') };
}

describe('database key file', () => {
  it('is written 0600 and read back', () => {
    const { config, keyPath } = setup();
    const key = generateKey();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(generateKey()).not.toBe(key);
    writeKeyFile(keyPath, key);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(databaseKey(config, {})).toBe(key);
  });

  it.each([0o640, 0o604, 0o644, 0o660])('is refused at mode %o, naming keyFile but not the key', (mode) => {
    const { config, keyPath } = setup();
    const key = generateKey();
    writeKeyFile(keyPath, key);
    chmodSync(keyPath, mode);
    let error: unknown;
    try {
      databaseKey(config, {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('keyFile');
    expect((error as Error).message).toMatch(/readable by others.*chmod 600/);
    expect((error as Error).message).not.toContain(key);
  });

  it('MAILBRIDGE_DB_KEY wins over the file; a missing file says how to make one', () => {
    const { config } = setup();
    expect(databaseKey(config, { MAILBRIDGE_DB_KEY: ' from-env ' })).toBe('from-env');
    expect(() => databaseKey(config, {})).toThrow(/mailbridge init/);
  });

  it('an empty key file is refused', () => {
    const { config, keyPath } = setup();
    writeFileSync(keyPath, '\n', { mode: 0o600 });
    expect(() => databaseKey(config, {})).toThrow(/empty/);
  });

  it('pendingKey reads <keyFile>.next, with the same permission rule', () => {
    const { config, keyPath } = setup();
    expect(pendingKey(config)).toBeNull();
    writeKeyFile(`${keyPath}.next`, 'next-key');
    expect(pendingKey(config)).toBe('next-key');
    chmodSync(`${keyPath}.next`, 0o644);
    expect(() => pendingKey(config)).toThrow(ConfigError);
  });
});
