/**
 * A tenant's own API limits (`limits` in the configuration) reach the real clients: against a
 * Graph emulator enforcing a tight per-mailbox limit, a tenant configured with that limit is
 * never throttled, while one left on Graph's documented limit bursts past it and gets 429s
 * (which it survives through Retry-After). Both import the same mail.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTenant } from '../../src/app/open-tenant.js';
import { runSyncRound } from '../../src/app/run-sync.js';
import { ConfigError, parseConfig } from '../../src/config/load-config.js';
import { startGraphEmulator, type GraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { recentMail, sampleSnapshot } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const GRAPH_LIMIT = { requestsPerWindow: 40, windowMs: 1_000, concurrency: 4 };

function mailbox() {
  // 60 customer emails: three full `$batch` body fetches of 20 requests each, plus the scan.
  const messages = Array.from({ length: 60 }, (_, i) =>
    recentMail('inbox', 48 - i * 0.5, { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Subject: `Order ${i}`, 'Message-ID': `<order-${i}@acme.com>` }),
  );
  return [{ address: ALEX, messages }];
}

describe('per-tenant API limits', () => {
  let graph: GraphEmulator;
  let sf: RunningSalesforceEmulator;
  const savedKey = process.env.MAILBRIDGE_DB_KEY;
  beforeEach(async () => {
    process.env.MAILBRIDGE_DB_KEY = 'limits-test-key';
    graph = await startGraphEmulator({ mailboxes: mailbox(), limits: GRAPH_LIMIT });
    sf = await startSalesforceEmulator({ snapshot: sampleSnapshot });
  });
  afterEach(async () => {
    if (savedKey === undefined) delete process.env.MAILBRIDGE_DB_KEY;
    else process.env.MAILBRIDGE_DB_KEY = savedKey;
    await graph.close();
    await sf.close();
  });

  const configWith = (limits: Record<string, unknown> | undefined) =>
    parseConfig(
      {
        dataDir: mkdtempSync(join(tmpdir(), 'mailbridge-limits-')),
        tenants: [
          {
            id: 'acme',
            companyDomains: sampleSnapshot.companyDomains,
            mail: { provider: 'graph', ...graph.credentials, baseUrl: graph.url, authorityHost: graph.url, users: [ALEX] },
            crm: { kind: 'salesforce', loginUrl: sf.credentials.loginUrl, clientId: sf.credentials.clientId, clientSecret: sf.credentials.clientSecret },
            ...(limits ? { limits } : {}),
          },
        ],
      },
      join(tmpdir(), 'mailbridge.config.json'),
    );

  async function syncOnce(limits: Record<string, unknown> | undefined) {
    const config = configWith(limits);
    const tenant = await openTenant(config, config.tenants[0]!, { providerTuning: { retryBaseMs: 50 } });
    try {
      return await runSyncRound(tenant);
    } finally {
      await tenant.close();
    }
  }

  it('a tenant configured with the limit stays under it; one on the default limit is throttled', async () => {
    const limited = await syncOnce({ mail: { limit: GRAPH_LIMIT.requestsPerWindow, windowMs: GRAPH_LIMIT.windowMs, concurrency: GRAPH_LIMIT.concurrency } });
    expect(limited.totals).toMatchObject({ imported: 60, failed: 0 });
    expect(graph.emulator.counters.get('throttled') ?? 0).toBe(0);

    await sf.close();
    sf = await startSalesforceEmulator({ snapshot: sampleSnapshot });
    const unlimited = await syncOnce(undefined);
    expect(unlimited.totals).toMatchObject({ imported: 60, failed: 0 });
    expect(graph.emulator.counters.get('throttled') ?? 0).toBeGreaterThan(0);
  });

  it('names a bad limit field', () => {
    expect(() => configWith({ share: 1.5 })).toThrow(ConfigError);
    expect(() => configWith({ share: 1.5 })).toThrow(/tenants\[0\]\.limits\.share/);
  });
});
