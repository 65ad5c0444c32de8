import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Starts `mailbridge emulate <api> --json`, returns its first line and a stop function. */
async function emulate(api: string, ...flags: string[]): Promise<{ info: Record<string, unknown>; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'emulate', api, '--json', ...flags], { cwd: root });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', () => reject(new Error('emulator exited before printing')));
  });
  return {
    info: JSON.parse(first) as Record<string, unknown>,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('mailbridge emulate', () => {
  it('serves Graph on loopback with the printed credentials, and stops on SIGTERM', async () => {
    const { info, stop } = await emulate('graph');
    try {
      const creds = info.credentials as { clientId: string; clientSecret: string };
      expect(String(info.api)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
      const token = await fetch(String(info.tokenUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: creds.clientId,
          client_secret: creds.clientSecret,
          scope: 'https://graph.microsoft.com/.default',
        }),
      });
      expect(token.status).toBe(200);
      const { access_token } = (await token.json()) as { access_token: string };
      const users = await fetch(`${String(info.api)}/users`, { headers: { authorization: `Bearer ${access_token}` } });
      expect(users.status).toBe(200);
      const body = (await users.json()) as { value: { mail: string }[] };
      expect(body.value.map((u) => u.mail)).toEqual(expect.arrayContaining(info.mailboxes as string[]));
      expect(await stop()).toBe(0);
    } finally {
      await stop();
    }
  });

  it('serves Salesforce seeded with the demo tenant', async () => {
    const { info, stop } = await emulate('salesforce');
    try {
      const creds = info.credentials as { accessToken: string; instanceUrl: string; apiVersion: string };
      const q = encodeURIComponent('SELECT Id, Name FROM Account ORDER BY Name');
      const res = await fetch(`${creds.instanceUrl}/services/data/v${creds.apiVersion}/query?q=${q}`, {
        headers: { authorization: `Bearer ${creds.accessToken}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('sforce-limit-info')).toMatch(/api-usage=\d+\/\d+/);
      const body = (await res.json()) as { records: { Name: string }[] };
      expect(body.records.map((r) => r.Name)).toEqual(['Acme Corp', 'Globex']);
    } finally {
      await stop();
    }
  });

  it('serves HubSpot with search lag and a batch-conflict mode set by flags, switchable while running', async () => {
    const { info, stop } = await emulate('hubspot', '--search-lag-ms', '600000', '--batch-conflict', 'reject-400-unique');
    try {
      const creds = info.credentials as { accessToken: string; basePath: string };
      const call = (path: string, body: unknown) =>
        fetch(`${creds.basePath}${path}`, { method: 'POST', headers: { authorization: `Bearer ${creds.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const input = { properties: { hs_timestamp: '2026-03-01T10:00:00.000Z', mailbridge_key: 'cli-1' }, associations: [] };
      expect((await call('/crm/v3/objects/emails/batch/create', { inputs: [input] })).status).toBe(201);
      // Lagging search does not see the write yet; the batch read by key does.
      const search = await call('/crm/v3/objects/emails/search', { filterGroups: [{ filters: [{ propertyName: 'mailbridge_key', operator: 'EQ', value: 'cli-1' }] }] });
      expect(((await search.json()) as { total: number }).total).toBe(0);
      const read = await call('/crm/v3/objects/emails/batch/read', { idProperty: 'mailbridge_key', inputs: [{ id: 'cli-1' }], properties: [] });
      expect(((await read.json()) as { results: unknown[] }).results).toHaveLength(1);
      expect((await call('/crm/v3/objects/emails/batch/create', { inputs: [input] })).status).toBe(400);
      const modes = await call('/__mock/hubspot/modes', { batchConflict: 'reject-409', searchLagMs: 0 });
      expect(await modes.json()).toEqual({ batchConflict: 'reject-409', searchLagMs: 0 });
      expect((await call('/crm/v3/objects/emails/batch/create', { inputs: [input] })).status).toBe(409);
      const caughtUp = await call('/crm/v3/objects/emails/search', { filterGroups: [{ filters: [{ propertyName: 'mailbridge_key', operator: 'EQ', value: 'cli-1' }] }] });
      expect(((await caughtUp.json()) as { total: number }).total).toBe(1);
    } finally {
      await stop();
    }
  });

  it('refuses an unknown batch-conflict mode, naming the flag', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'emulate', 'hubspot', '--batch-conflict', 'sometimes'], { cwd: root });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('--batch-conflict');
  });
});
