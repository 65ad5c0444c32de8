/**
 * Setting up a company as an admin would, with real `mailbridge` processes against the Graph and
 * Salesforce emulators: the URL `emulate graph` prints is accepted as the Graph base URL, a
 * failing command under --json still prints JSON, and `connect` proves the CRM credentials too.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { lastJsonLine, mailbridge, sampleSnapshot } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';

describe('setup on the emulators', { timeout: 120_000 }, () => {
  let graph: GraphEmulator;
  let sf: RunningSalesforceEmulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    graph = await startGraphEmulator({ mailboxes: [{ address: ALEX, displayName: 'Alex Seller', messages: [] }] });
    sf = await startSalesforceEmulator({ snapshot: sampleSnapshot });
    env = { GRAPH_SECRET: graph.credentials.clientSecret, SF_SECRET: sf.credentials.clientSecret, MAILBRIDGE_DB_KEY: '', MAILBRIDGE_CONFIG: '' };
  });
  afterAll(async () => {
    await graph?.close();
    await sf?.close();
  });

  async function init(graphBaseUrl: string): Promise<string> {
    const file = join(mkdtempSync(join(tmpdir(), 'mailbridge-setup-')), 'mailbridge.config.json');
    const run = await mailbridge(
      [
        'init', '-c', file, '--tenant', 'acme', '--company-domain', 'example-seller.com',
        '--provider', 'graph', '--graph-tenant-id', graph.credentials.tenantId, '--graph-client-id', graph.credentials.clientId,
        '--graph-client-secret', 'env:GRAPH_SECRET', '--graph-base-url', graphBaseUrl, '--graph-authority-host', graph.url,
        '--crm', 'salesforce', '--salesforce-login-url', sf.credentials.loginUrl, '--salesforce-client-id', sf.credentials.clientId,
        '--salesforce-client-secret', 'env:SF_SECRET', '--json',
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    return file;
  }

  it('accepts the Graph URL `emulate graph` prints (with /v1.0) and connects through it', async () => {
    const file = await init(`${graph.url}/v1.0`);
    const run = await mailbridge(['connect', '-c', file, '-t', 'acme', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJsonLine(run.stdout)).toMatchObject({ tenant: 'acme', mailboxes: [{ address: ALEX, connection: 'connected' }] });
  });

  it('a failing command under --json prints its error as JSON', async () => {
    const file = await init(graph.url);
    const run = await mailbridge(['connect', '-c', file, '-t', 'globex', '--json'], env);
    expect(run.code).toBe(2);
    expect(lastJsonLine(run.stdout)).toMatchObject({ ok: false, error: { name: 'ConfigError', field: 'tenants', message: expect.stringContaining('no tenant "globex"') } });
  });

  it('connect tries the CRM login too: a wrong Salesforce secret fails naming the setting', async () => {
    const file = await init(graph.url);
    const run = await mailbridge(['connect', '-c', file, '--json'], { ...env, SF_SECRET: 'wrong-secret' });
    expect(run.code).not.toBe(0);
    const out = lastJsonLine(run.stdout) as { ok: boolean; error: { message: string; field?: string } };
    expect(out.ok).toBe(false);
    expect(out.error.message).toContain('crm.clientSecret');
    expect(out.error.field).toBe('tenants[acme].crm.clientSecret');
  });
});
