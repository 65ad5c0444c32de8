/**
 * `init` then `connect` through the app's use cases, against the emulators, configured only by
 * what `init` takes: the consent link goes to the configured authority, and Gmail's directory
 * is read at the configured root URL.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCompany, ConnectError, inviteUser } from '../../src/app/connect.js';
import { initConfig, type InitAnswers } from '../../src/app/init-config.js';
import { openTenant } from '../../src/app/open-tenant.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startGmailEmulator, type GmailEmulator } from '../../src/emulators/gmail/gmail-emulator.js';
import { startGraphEmulator, type GraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { startHubspotEmulator } from '../../src/emulators/hubspot/hubspot-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { sampleSnapshot } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';
const mailboxes = [
  { address: ALEX, displayName: 'Alex Seller', messages: [] },
  { address: SAM, displayName: 'Sam Seller', messages: [] },
];

describe('connect as init configured it', () => {
  let graph: GraphEmulator;
  let gmail: GmailEmulator;
  let sf: RunningSalesforceEmulator;
  const env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    graph = await startGraphEmulator({ mailboxes });
    gmail = await startGmailEmulator({ mailboxes, directory: { admins: [SAM] } });
    sf = await startSalesforceEmulator({ snapshot: sampleSnapshot });
    Object.assign(env, { GRAPH_CLIENT_SECRET: graph.credentials.clientSecret, SALESFORCE_CLIENT_SECRET: sf.credentials.clientSecret });
  });
  afterAll(async () => {
    await Promise.all([graph?.close(), gmail?.close(), sf?.close()]);
  });

  function base(dir: string): Omit<InitAnswers, 'provider'> {
    return {
      file: join(dir, 'mailbridge.config.json'),
      tenant: 'acme',
      companyDomains: ['example-seller.com'],
      crm: 'salesforce',
      salesforce: { loginUrl: sf.credentials.loginUrl, clientId: sf.credentials.clientId },
    };
  }

  async function withTenant<T>(file: string, work: (t: Awaited<ReturnType<typeof openTenant>>) => Promise<T>): Promise<T> {
    const config = loadConfig(file);
    const saved = { ...process.env };
    Object.assign(process.env, env);
    const tenant = await openTenant(config, config.tenants[0]!);
    try {
      return await work(tenant);
    } finally {
      await tenant.close();
      process.env = saved;
    }
  }

  it('the consent link of user-by-user mode points at the configured authority host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-connect-'));
    const { config } = initConfig(
      {
        ...base(dir),
        provider: 'graph',
        mode: 'user',
        users: [ALEX],
        redirectUri: 'http://localhost:8765/oauth/callback',
        graph: { ...graph.credentials, clientSecret: 'env:GRAPH_CLIENT_SECRET', baseUrl: graph.url, authorityHost: graph.url },
      },
      env,
    );
    const invite = await withTenant(config, (t) => inviteUser(t, ALEX));
    const link = new URL(invite.url);
    expect(link.origin).toBe(new URL(graph.url).origin);
    expect(link.pathname).toBe(`/${graph.credentials.tenantId}/oauth2/v2.0/authorize`);
    // The link works as sent: the emulator's authorize endpoint answers it.
    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(302);
  });

  it("Gmail's directory is read at the configured root URL, as the admin subject", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-connect-'));
    const keyFile = join(dir, 'service-account.json');
    writeFileSync(keyFile, JSON.stringify(gmail.serviceAccount), { mode: 0o600 });
    const { config } = initConfig(
      { ...base(dir), provider: 'gmail', gmail: { serviceAccountFile: keyFile, adminSubject: SAM, rootUrl: `${gmail.url}/`, tokenOrigin: gmail.url } },
      env,
    );
    const result = await withTenant(config, (t) => connectCompany(t));
    expect(result.mailboxes.map((m) => [m.address, m.connection]).sort()).toEqual([
      [ALEX, 'connected'],
      [SAM, 'connected'],
    ]);
    expect(gmail.emulator.counters.get('directory.users')).toBe(1);
  });

  it('a directory origin that does not answer is named as a setting to correct, not a transient fault', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-connect-'));
    const keyFile = join(dir, 'service-account.json');
    writeFileSync(keyFile, JSON.stringify(gmail.serviceAccount), { mode: 0o600 });
    const { config } = initConfig(
      { ...base(dir), provider: 'gmail', gmail: { serviceAccountFile: keyFile, adminSubject: SAM, rootUrl: `http://127.0.0.1:${port}/`, tokenOrigin: gmail.url } },
      env,
    );
    const failure = await withTenant(config, (t) => connectCompany(t)).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain(`the directory at http://127.0.0.1:${port} cannot be reached`);
    expect((failure as Error).message).toContain('mail.rootUrl');
    expect((failure as Error).message).not.toContain('transient');
  });

  it('a HubSpot token the portal refuses fails connect, naming crm.accessToken', async () => {
    const hubspot = await startHubspotEmulator();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'mailbridge-connect-'));
      const { config } = initConfig(
        {
          ...base(dir),
          provider: 'graph',
          graph: { ...graph.credentials, clientSecret: 'env:GRAPH_CLIENT_SECRET', baseUrl: graph.url, authorityHost: graph.url },
          crm: 'hubspot',
          hubspot: { accessToken: 'pat-na1-not-the-token', basePath: hubspot.credentials.basePath },
        },
        env,
      );
      const failure = await withTenant(config, (t) => connectCompany(t)).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(ConnectError);
      expect((failure as ConnectError).field).toBe('tenants[acme].crm.accessToken');
      expect((failure as Error).message).toContain('hubspot refused the credentials');
    } finally {
      await hubspot.close();
    }
  });
});
