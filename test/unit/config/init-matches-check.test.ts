/**
 * `init` and `config check` share one validation path: what `config check` refuses, `init`
 * refuses first, naming the same field, and writes nothing.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig, initConfig, type InitAnswers } from '../../../src/app/init-config.js';
import { ConfigError } from '../../../src/config/load-config.js';

function refusal(a: InitAnswers): ConfigError {
  try {
    initConfig(a, {});
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('init accepted it');
}

describe('init refuses what config check refuses', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'mailbridge-valid-'));
  const crm = { crm: 'hubspot' as const, hubspot: { accessToken: 'env:HS' } };

  it('company-wide Gmail with neither users nor an admin subject', () => {
    const d = dir();
    const err = refusal({ file: join(d, 'c.json'), tenant: 'acme', companyDomains: ['acme.com'], provider: 'gmail', gmail: { serviceAccountFile: 'sa.json' }, ...crm });
    expect(err.field).toBe('tenants[0].mail.users');
    expect(err.message).toMatch(/--users.*--gmail-admin-subject|--gmail-admin-subject.*--users/);
    expect(existsSync(join(d, 'c.json'))).toBe(false);
    // The same tenant written by hand: config check names the same field.
    const file = join(d, 'hand.json');
    writeFileSync(file, JSON.stringify({ tenants: [{ id: 'acme', companyDomains: ['acme.com'], mail: { provider: 'gmail', serviceAccountFile: 'sa.json' }, crm: { kind: 'hubspot', accessToken: 't' } }] }));
    expect(checkConfig(file, { MAILBRIDGE_DB_KEY: 'k' }).errors.map((e) => e.field)).toContain('tenants[0].mail.users');
  });

  it('user-by-user mode without a redirect URI', () => {
    const d = dir();
    const err = refusal({
      file: join(d, 'c.json'),
      tenant: 'acme',
      companyDomains: ['acme.com'],
      provider: 'graph',
      mode: 'user',
      graph: { tenantId: 'dir-1', clientId: 'app-1' },
      ...crm,
    });
    expect(err.field).toBe('tenants[0].mail.redirectUri');
    expect(err.message).toContain('--redirect-uri');
    expect(existsSync(join(d, 'c.json'))).toBe(false);
  });

  it('what init writes, config check accepts', () => {
    const d = dir();
    const { config } = initConfig(
      { file: join(d, 'c.json'), tenant: 'acme', companyDomains: ['acme.com'], provider: 'graph', mode: 'user', redirectUri: 'https://mb.acme.com/cb', graph: { tenantId: 'dir-1', clientId: 'app-1' }, ...crm },
      {},
    );
    expect(checkConfig(config, { GRAPH_CLIENT_SECRET: 's', HS: 't' })).toMatchObject({ ok: true, errors: [] });
  });
});
