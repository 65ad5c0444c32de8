/**
 * Setting up a company as an admin would, with real `mailbridge` processes against the Graph and
 * Salesforce emulators: the URL `emulate graph` prints is accepted as the Graph base URL, a
 * failing command under --json still prints JSON, and `connect` proves the CRM credentials too.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { lastJsonLine, mailbridge, sampleSnapshot } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';

describe('setup on the emulators', { timeout: 120_000 }, () => {
  let graph: GraphEmulator;
  let sf: RunningSalesforceEmulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    graph = await startGraphEmulator({
      mailboxes: [
        { address: ALEX, displayName: 'Alex Seller', messages: [] },
        { address: SAM, displayName: 'Sam Seller', messages: [] },
      ],
    });
    sf = await startSalesforceEmulator({ snapshot: sampleSnapshot });
    env = { GRAPH_SECRET: graph.credentials.clientSecret, SF_SECRET: sf.credentials.clientSecret, MAILBRIDGE_DB_KEY: '', MAILBRIDGE_CONFIG: '' };
  });
  afterAll(async () => {
    await graph?.close();
    await sf?.close();
  });

  async function init(graphBaseUrl: string, extra: string[] = []): Promise<string> {
    const file = join(mkdtempSync(join(tmpdir(), 'mailbridge-setup-')), 'mailbridge.config.json');
    const run = await mailbridge(
      [
        'init', '-c', file, '--tenant', 'acme', '--company-domain', 'example-seller.com',
        '--provider', 'graph', '--graph-tenant-id', graph.credentials.tenantId, '--graph-client-id', graph.credentials.clientId,
        '--graph-client-secret', 'env:GRAPH_SECRET', '--graph-base-url', graphBaseUrl, '--graph-authority-host', graph.url,
        '--crm', 'salesforce', '--salesforce-login-url', sf.credentials.loginUrl, '--salesforce-client-id', sf.credentials.clientId,
        '--salesforce-client-secret', 'env:SF_SECRET', '--json', ...extra,
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
    expect(lastJsonLine(run.stdout)).toMatchObject({ tenant: 'acme', mailboxes: [{ address: ALEX, connection: 'connected' }, { address: SAM }] });
  });

  it('a failing command under --json prints its error as JSON', async () => {
    const file = await init(graph.url);
    const run = await mailbridge(['connect', '-c', file, '-t', 'globex', '--json'], env);
    expect(run.code).toBe(2);
    expect(lastJsonLine(run.stdout)).toMatchObject({ error: { code: 'config', field: 'tenants', message: expect.stringContaining('no tenant "globex"') } });
  });

  it('connect tries the CRM login too: a wrong Salesforce secret fails naming the setting', async () => {
    const file = await init(graph.url);
    const run = await mailbridge(['connect', '-c', file, '--json'], { ...env, SF_SECRET: 'wrong-secret' });
    expect(run.code).not.toBe(0);
    const out = lastJsonLine(run.stdout) as { error: { code: string; message: string; field?: string } };
    expect(out.error.code).toBe('auth');
    expect(out.error.message).toContain('crm.clientSecret');
    expect(out.error.field).toBe('tenants[acme].crm.clientSecret');
  });

  it('mailboxes add / list / remove in user mode: the file keeps every other setting', async () => {
    const file = await init(graph.url, ['--mode', 'user', '--users', ALEX, '--redirect-uri', 'http://localhost:8765/oauth/callback']);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { schedule?: unknown; tenants: Record<string, unknown>[] };
    json.schedule = { cron: '*/5 * * * *' };
    json.tenants[0]!.blocklist = { domains: ['lawfirm.example'] };
    writeFileSync(file, JSON.stringify(json, null, 2));

    const added = await mailbridge(['mailboxes', 'add', 'Sam@Example-Seller.com', '-c', file, '--json'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(lastJsonLine(added.stdout)).toMatchObject({ changes: [{ address: SAM, change: 'added' }], next: expect.arrayContaining([`mailbridge connect --user ${SAM}`]) });
    const after = JSON.parse(readFileSync(file, 'utf8')) as typeof json;
    expect(after.schedule).toEqual({ cron: '*/5 * * * *' });
    expect(after.tenants[0]).toMatchObject({ blocklist: { domains: ['lawfirm.example'] }, mail: { users: [ALEX, SAM] } });

    const removed = await mailbridge(['mailboxes', 'remove', ALEX, '-c', file, '--json'], env);
    expect(lastJsonLine(removed.stdout)).toMatchObject({ changes: [{ address: ALEX, change: 'removed' }] });
    expect((JSON.parse(readFileSync(file, 'utf8')) as typeof json).tenants[0]).toMatchObject({ mail: { users: [SAM] } });

    const list = await mailbridge(['mailboxes', 'list', '-c', file, '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    const rows = (lastJsonLine(list.stdout) as { mailboxes: { address: string; synced: boolean; connection: string }[] }).mailboxes;
    expect(rows.map((r) => [r.address, r.synced, r.connection])).toEqual([
      [ALEX, false, 'removed'],
      [SAM, true, 'invited'],
    ]);

    const bad = await mailbridge(['mailboxes', 'add', 'not-an-address', '-c', file, '--json'], env);
    expect(bad.code).toBe(2);
    expect(lastJsonLine(bad.stdout)).toMatchObject({ error: { message: '"not-an-address" is not an email address' } });
  });

  it('company mode over all users: a removed mailbox is no longer synced, until added back', async () => {
    const file = await init(graph.url);
    const removed = await mailbridge(['mailboxes', 'remove', SAM, '-c', file, '--json'], env);
    expect(lastJsonLine(removed.stdout)).toMatchObject({ changes: [{ address: SAM, change: 'removed' }] });
    // No list in the file: it stays without one (a list would narrow the sync to it).
    expect((JSON.parse(readFileSync(file, 'utf8')) as { tenants: { mail: Record<string, unknown> }[] }).tenants[0]!.mail.users).toBeUndefined();

    const sync = await mailbridge(['sync', '--once', '-c', file, '--json', '--quiet'], env);
    expect(sync.code, sync.stderr).toBe(0);
    expect((lastJsonLine(sync.stdout) as { mailboxes: { address: string }[] }).mailboxes.map((m) => m.address)).toEqual([ALEX]);

    const back = await mailbridge(['mailboxes', 'add', SAM, '-c', file, '--json'], env);
    expect(lastJsonLine(back.stdout)).toMatchObject({ changes: [{ address: SAM, change: 'restored' }] });
    const again = await mailbridge(['sync', '--once', '-c', file, '--json', '--quiet'], env);
    expect((lastJsonLine(again.stdout) as { mailboxes: { address: string }[] }).mailboxes.map((m) => m.address).sort()).toEqual([ALEX, SAM]);
  });
});
