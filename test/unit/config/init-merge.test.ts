/**
 * `init` on an existing file changes one tenant, by id, and nothing else: other tenants, the
 * schedule and hand-edited settings stay as they were.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initConfig, type InitAnswers } from '../../../src/app/init-config.js';
import { loadConfig } from '../../../src/config/load-config.js';

function answers(file: string, tenant: string, extra: Partial<InitAnswers> = {}): InitAnswers {
  return {
    file,
    tenant,
    companyDomains: [`${tenant}.com`],
    provider: 'graph',
    graph: { tenantId: `dir-${tenant}`, clientId: `app-${tenant}` },
    crm: 'hubspot',
    hubspot: { accessToken: `env:HS_${tenant.toUpperCase()}` },
    ...extra,
  };
}

/** An admin's edits by hand: a schedule and a tenant's blocklist and retention. */
function handEdit(file: string): void {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { schedule?: unknown; tenants: Record<string, unknown>[] };
  json.schedule = { cron: '*/5 * * * *' };
  json.tenants[0]!.blocklist = { domains: ['lawfirm.example'] };
  json.tenants[0]!.retentionDays = 400;
  writeFileSync(file, JSON.stringify(json, null, 2));
}

describe('init on an existing configuration', () => {
  const fresh = () => join(mkdtempSync(join(tmpdir(), 'mailbridge-merge-')), 'mailbridge.config.json');

  it('--force with another tenant id adds it: no tenant and no hand-edited setting is lost', () => {
    const file = fresh();
    initConfig(answers(file, 'acme'), {});
    handEdit(file);
    initConfig(answers(file, 'globex', { force: true }), {});
    const config = loadConfig(file);
    expect(config.tenants.map((t) => t.id)).toEqual(['acme', 'globex']);
    expect(config.schedule.cron).toBe('*/5 * * * *');
    expect(config.tenants[0]).toMatchObject({ retentionDays: 400, blocklist: { domains: ['lawfirm.example'] } });
  });

  it('--add-tenant adds beside the others, and refuses an id already there', () => {
    const file = fresh();
    initConfig(answers(file, 'acme'), {});
    const result = initConfig(answers(file, 'globex', { addTenant: true }), {});
    expect(result.tenants).toEqual(['acme', 'globex']);
    expect(() => initConfig(answers(file, 'ACME', { addTenant: true }), {})).toThrow(/tenant "ACME" is already in .*--force/);
  });

  it("--force on an existing id replaces its connection settings and keeps the tenant's other settings", () => {
    const file = fresh();
    initConfig(answers(file, 'acme'), {});
    initConfig(answers(file, 'globex', { addTenant: true }), {});
    handEdit(file);
    initConfig(answers(file, 'acme', { force: true, companyDomains: ['acme.org'], graph: { tenantId: 'dir-2', clientId: 'app-2' } }), {});
    const config = loadConfig(file);
    expect(config.tenants.map((t) => t.id)).toEqual(['acme', 'globex']);
    expect(config.tenants[0]).toMatchObject({ companyDomains: ['acme.org'], mail: { tenantId: 'dir-2' }, retentionDays: 400, blocklist: { domains: ['lawfirm.example'] } });
    expect(config.schedule.cron).toBe('*/5 * * * *');
  });

  it('without a flag, an existing file is refused, naming both ways', () => {
    const file = fresh();
    initConfig(answers(file, 'acme'), {});
    expect(() => initConfig(answers(file, 'globex'), {})).toThrow(/already exists.*--add-tenant.*--force/);
  });

  it('refuses to move the data folder every tenant shares', () => {
    const file = fresh();
    initConfig(answers(file, 'acme'), {});
    expect(() => initConfig(answers(file, 'globex', { addTenant: true, dataDir: 'elsewhere' }), {})).toThrow(/dataDir/);
  });
});
