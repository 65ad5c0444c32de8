/**
 * A consent link older than CONSENT_LINK_DAYS is refused by the served redirect, its waiting
 * verifier forgotten, and the user stays `invited`; a younger one completes. In process, with
 * the tenant's clock moved, against the Graph emulator (the authorize leg as a browser follows it).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_LINK_DAYS, inviteUser } from '../../src/app/connect.js';
import { initConfig } from '../../src/app/init-config.js';
import { openTenant } from '../../src/app/open-tenant.js';
import { handleConsentRedirect } from '../../src/app/setup/consent-server.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startGraphEmulator, type GraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { sampleSnapshot } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const REDIRECT = 'http://127.0.0.1:8765/oauth/callback';
const DAY = 86_400_000;

describe('consent link expiry', () => {
  let graph: GraphEmulator;
  let sf: RunningSalesforceEmulator;
  const saved = { ...process.env };

  beforeAll(async () => {
    graph = await startGraphEmulator({ mailboxes: [{ address: ALEX, messages: [] }] });
    sf = await startSalesforceEmulator({ snapshot: sampleSnapshot });
    process.env.GRAPH_CLIENT_SECRET = graph.credentials.clientSecret;
    process.env.MAILBRIDGE_DB_KEY = 'consent-expiry-key-0123456789abcdef';
  });
  afterAll(async () => {
    process.env = saved;
    await Promise.all([graph?.close(), sf?.close()]);
  });

  async function redirectAfter(days: number) {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-expiry-'));
    const { config } = initConfig({
      file: join(dir, 'mailbridge.config.json'),
      tenant: 'acme',
      companyDomains: ['example-seller.com'],
      provider: 'graph',
      mode: 'user',
      users: [ALEX],
      redirectUri: REDIRECT,
      graph: { ...graph.credentials, clientSecret: 'env:GRAPH_CLIENT_SECRET', baseUrl: graph.url, authorityHost: graph.url },
      crm: 'salesforce',
      salesforce: { loginUrl: sf.credentials.loginUrl, clientId: sf.credentials.clientId, clientSecret: sf.credentials.clientSecret },
    });
    const loaded = loadConfig(config);
    let now = new Date('2026-05-01T09:00:00Z');
    const tenant = await openTenant(loaded, loaded.tenants[0]!, { clock: { now: () => now } });
    try {
      const invite = await inviteUser(tenant, ALEX);
      const authorize = await fetch(invite.url, { redirect: 'manual' });
      const back = new URL(authorize.headers.get('location')!);
      now = new Date(now.getTime() + days * DAY);
      const outcome = await handleConsentRedirect(tenant, '/oauth/callback', back);
      const status = tenant.admin.mailboxStatuses().find((s) => s.address === ALEX)?.connection;
      return { outcome, status };
    } finally {
      await tenant.close();
    }
  }

  it(`refuses a link older than ${CONSENT_LINK_DAYS} days and leaves the user invited`, async () => {
    const { outcome, status } = await redirectAfter(CONSENT_LINK_DAYS + 1);
    expect(outcome).toMatchObject({ status: 400, result: 'expired', address: ALEX });
    expect(status).toBe('invited');
  });

  it('completes a link used within its lifetime', async () => {
    const { outcome, status } = await redirectAfter(CONSENT_LINK_DAYS - 1);
    expect(outcome).toMatchObject({ status: 200, result: 'connected', address: ALEX });
    expect(status).toBe('connected');
  });
});
