/** The `calendar` settings of a tenant (meetings): defaults, and bad values refused naming the field. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';

const tenant = (calendar?: unknown) => ({
  id: 'acme',
  companyDomains: ['acme.com'],
  mail: { provider: 'graph', tenantId: 'dir-1', clientId: 'app-1', clientSecret: { env: 'GRAPH_SECRET' } },
  crm: { kind: 'hubspot', accessToken: { env: 'HS_TOKEN' } },
  ...(calendar === undefined ? {} : { calendar }),
});

describe('calendar settings', () => {
  it('default to off, webinars above 50 outside attendees and 30 days ahead', () => {
    expect(parseConfig({ tenants: [tenant()] }, 'c.json').tenants[0]!.calendar).toEqual({ enabled: false, webinarAttendees: 50, daysAhead: 30 });
    expect(parseConfig({ tenants: [tenant({ enabled: true, webinarAttendees: 20 })] }, 'c.json').tenants[0]!.calendar).toEqual({ enabled: true, webinarAttendees: 20, daysAhead: 30 });
  });

  it('bad values name the field', () => {
    expect(() => parseConfig({ tenants: [tenant({ webinarAttendees: 0 })] }, 'c.json')).toThrow(/tenants\[0\]\.calendar\.webinarAttendees/);
    expect(() => parseConfig({ tenants: [tenant({ daysAhead: 400 })] }, 'c.json')).toThrow(/tenants\[0\]\.calendar\.daysAhead/);
    expect(() => parseConfig({ tenants: [tenant({ daysAhed: 10 })] }, 'c.json')).toThrow(/daysAhed/);
  });
});
