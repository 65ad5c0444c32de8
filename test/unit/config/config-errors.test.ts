/**
 * The configuration file: every error names the field at fault, secrets come from the
 * environment without their values ever reaching a message, relative paths follow the file.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, pickTenant, resolveSecret } from '../../../src/config/load-config.js';
import { checkConfig } from '../../../src/app/init-config.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function tenant(overrides: Record<string, unknown> = {}) {
  return {
    id: 'acme',
    companyDomains: ['acme.com'],
    mail: { provider: 'graph', tenantId: 'dir-1', clientId: 'app-1', clientSecret: { env: 'GRAPH_SECRET' } },
    crm: { kind: 'hubspot', accessToken: { env: 'HS_TOKEN' } },
    ...overrides,
  };
}

function errorOf(input: unknown): ConfigError {
  try {
    parseConfig(input, 'conf/mailbridge.config.json');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration errors name the field', () => {
  it('a missing provider credential', () => {
    const { clientId: _drop, ...mail } = tenant().mail;
    const err = errorOf({ tenants: [tenant({ mail })] });
    expect(err.field).toBe('tenants[0].mail.clientId');
    expect(err.message).toContain('conf/mailbridge.config.json: tenants[0].mail.clientId');
  });

  it('an unknown provider, a bad address, an unknown key', () => {
    expect(errorOf({ tenants: [tenant({ mail: { ...tenant().mail, provider: 'imap' } })] }).field).toBe('tenants[0].mail.provider');
    expect(errorOf({ tenants: [tenant({ admins: ['not-an-address'] })] }).field).toBe('tenants[0].admins[0]');
    expect(errorOf({ tenants: [tenant()], dataDri: 'x' }).message).toMatch(/dataDri/);
  });

  it('a duplicate tenant id and an empty tenant list', () => {
    expect(errorOf({ tenants: [tenant(), tenant({ id: 'ACME' })] }).field).toBe('tenants[1].id');
    expect(errorOf({ tenants: [] }).field).toBe('tenants');
  });

  it('a tenant not in the file, or several without --tenant', () => {
    const config = parseConfig({ tenants: [tenant(), tenant({ id: 'globex' })] }, 'c.json');
    expect(() => pickTenant(config)).toThrow(/--tenant/);
    expect(() => pickTenant(config, 'initech')).toThrow(/no tenant "initech".*acme, globex/);
    expect(pickTenant(config, 'GLOBEX').id).toBe('globex');
  });

  it('resolves paths against the file and fills defaults', () => {
    const config = parseConfig({ keyFile: 'keys/db.key', tenants: [tenant()] }, '/srv/mb/mailbridge.config.json');
    expect(config.dataPath).toBe('/srv/mb/mailbridge-data');
    expect(config.keyPath).toBe('/srv/mb/keys/db.key');
    expect(config.schedule.cron).toBe('*/15 * * * *');
    expect(config.tenants[0]!.retentionDays).toBe(3 * 365);
  });
});

describe('secrets from the environment', () => {
  it('reads the variable; an unset one names the field and the variable, not a value', () => {
    expect(resolveSecret({ env: 'GRAPH_SECRET' }, 'tenants[0].mail.clientSecret', { GRAPH_SECRET: 's3cr3t-value' })).toBe('s3cr3t-value');
    expect(resolveSecret('inline-value', 'f', {})).toBe('inline-value');
    const err = (() => {
      try {
        resolveSecret({ env: 'GRAPH_SECRET' }, 'tenants[0].mail.clientSecret', {});
      } catch (e) {
        return e as ConfigError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.field).toBe('tenants[0].mail.clientSecret');
    expect(err!.message).toContain('GRAPH_SECRET');
  });

  it('config check lists every problem: schema errors all at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-config-check-'));
    const file = join(dir, 'bad.json');
    const { clientId: _drop, ...mail } = tenant().mail;
    writeFileSync(file, JSON.stringify({ tenants: [tenant({ mail, companyDomains: [] })] }));
    const result = checkConfig(file, {});
    expect(result.ok).toBe(false);
    expect(result.errors.map((e) => e.field).sort()).toEqual(['tenants[0].companyDomains', 'tenants[0].mail.clientId']);
  });

  it('config check reports unset secrets and a missing key without any secret value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-config-check-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ keyFile: 'db.key', tenants: [tenant()] }));
    const missing = checkConfig(file, { GRAPH_SECRET: 'value-that-must-not-appear' });
    expect(missing.errors.map((e) => e.field)).toEqual(['tenants[0].crm.accessToken', 'keyFile']);
    expect(JSON.stringify(missing)).not.toContain('value-that-must-not-appear');
    const ok = checkConfig(file, { GRAPH_SECRET: 'a', HS_TOKEN: 'b', MAILBRIDGE_DB_KEY: 'k' });
    expect(ok).toMatchObject({ ok: true, errors: [], tenants: ['acme'] });
  });
});
