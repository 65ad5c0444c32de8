import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Starts `mailbridge emulate <api> --json`, returns its first line and a stop function. */
async function emulate(api: string): Promise<{ info: Record<string, unknown>; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'emulate', api, '--json'], { cwd: root });
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
});
