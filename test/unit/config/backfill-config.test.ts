/**
 * The `backfill` settings of a tenant: defaults, and a cap narrower than the default window
 * refused naming the field.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/config/load-config.js';

const tenant = (backfill?: unknown) => ({
  id: 'acme',
  companyDomains: ['acme.com'],
  mail: { provider: 'graph', tenantId: 'dir-1', clientId: 'app-1', clientSecret: { env: 'GRAPH_SECRET' } },
  crm: { kind: 'hubspot', accessToken: { env: 'HS_TOKEN' } },
  ...(backfill === undefined ? {} : { backfill }),
});

describe('backfill settings', () => {
  it('default to the oldest open deal, else 7 days, no cap', () => {
    expect(parseConfig({ tenants: [tenant()] }, 'c.json').tenants[0]!.backfill).toEqual({ defaultDays: 7, oldestOpenDeal: true });
    expect(parseConfig({ tenants: [tenant({ defaultDays: 14, maxDays: 90, oldestOpenDeal: false })] }, 'c.json').tenants[0]!.backfill).toEqual({
      defaultDays: 14,
      maxDays: 90,
      oldestOpenDeal: false,
    });
  });

  it('a cap below the default window names the field', () => {
    expect(() => parseConfig({ tenants: [tenant({ defaultDays: 30, maxDays: 10 })] }, 'c.json')).toThrow(ConfigError);
    expect(() => parseConfig({ tenants: [tenant({ defaultDays: 30, maxDays: 10 })] }, 'c.json')).toThrow(/tenants\[0\]\.backfill\.maxDays: must be at least defaultDays/);
    expect(() => parseConfig({ tenants: [tenant({ defaultDays: -1 })] }, 'c.json')).toThrow(/tenants\[0\]\.backfill\.defaultDays/);
  });
});
