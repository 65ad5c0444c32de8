/**
 * Issue 11: `crm.accountDomainFields` went into SOQL unvalidated. They must be Salesforce field
 * API names; config load and `config check` name the bad entry.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../../src/app/init-config.js';
import { ConfigError, parseConfig } from '../../../src/config/load-config.js';

const config = (fields: unknown) => ({
  tenants: [
    {
      id: 'acme',
      companyDomains: ['acme.com'],
      mail: { provider: 'graph', tenantId: 't', clientId: 'c', clientSecret: 's' },
      crm: { kind: 'salesforce', clientId: 'c', clientSecret: 's', accountDomainFields: fields },
    },
  ],
});

describe('crm.accountDomainFields', () => {
  it.each([['Website'], ['Mailbridge_Domains__c'], ['acme__Domains__c'], ['Website', 'Other_Site__c']])('accepts %s', (...fields) => {
    expect(parseConfig(config(fields), 'c.json').tenants[0]!.crm).toMatchObject({ accountDomainFields: fields });
  });

  it.each([
    'Website FROM Account WHERE Name != null',
    'Website, Name',
    "Name'",
    'Web site',
    '_Website',
    'Website_',
    'Bad___c',
    'Id) FROM User --',
  ])('refuses %j naming the entry', (bad) => {
    let err: unknown;
    try {
      parseConfig(config(['Website', bad]), 'c.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('tenants[0].crm.accountDomainFields[1]');
    expect((err as ConfigError).message).toMatch(/Salesforce field API name/);
  });

  it('config check rejects it, naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-sf-fields-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify(config(['Website FROM Account'])));
    const r = checkConfig(file, { MAILBRIDGE_DB_KEY: 'k' });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.field)).toEqual(['tenants[0].crm.accountDomainFields[0]']);
  });
});
