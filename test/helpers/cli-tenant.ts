/**
 * A tenant for CLI tests: Graph and Salesforce emulators in this process, a config file and a
 * key in a temp folder pointing at them, and a way to run the real `mailbridge` command.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSnapshot } from '../../src/core/snapshot.js';
import type { MailboxDescription, SeedMessage } from '../../src/emulators/common/mail-store.js';
import { startGraphEmulator, type GraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const sampleSnapshot = parseSnapshot(JSON.parse(readFileSync(join(root, 'examples/sample-crm.json'), 'utf8')));

export interface CliTenant {
  dir: string;
  configFile: string;
  key: string;
  graph: GraphEmulator;
  sf: RunningSalesforceEmulator;
  close(): Promise<void>;
}

/** A message `hoursAgo` before now, with the given headers. */
export function recentMail(folder: 'inbox' | 'sent', hoursAgo: number, h: Record<string, string>, text = 'Hello'): SeedMessage {
  const at = new Date(Date.now() - hoursAgo * 3_600_000);
  return {
    folder,
    receivedAt: at.toISOString(),
    headers: Object.entries({ Date: at.toUTCString(), ...h }).map(([name, value]) => ({ name, value })),
    text,
    html: null,
  };
}

export async function startCliTenant(mailboxes: MailboxDescription[], extra: Record<string, unknown> = {}): Promise<CliTenant> {
  const graph = await startGraphEmulator({ mailboxes });
  const sf = await startSalesforceEmulator({ snapshot: sampleSnapshot });
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-cli-'));
  const key = 'cli-test-key-0123456789abcdef';
  const configFile = join(dir, 'mailbridge.config.json');
  const config = {
    dataDir: 'data',
    tenants: [
      {
        id: 'acme',
        companyDomains: sampleSnapshot.companyDomains,
        blocklist: sampleSnapshot.blocklist,
        mail: { provider: 'graph', ...graph.credentials, baseUrl: graph.url, authorityHost: graph.url },
        crm: { kind: 'salesforce', loginUrl: sf.credentials.loginUrl, clientId: sf.credentials.clientId, clientSecret: sf.credentials.clientSecret },
      },
    ],
    ...extra,
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
  return {
    dir,
    configFile,
    key,
    graph,
    sf,
    async close() {
      await graph.close();
      await sf.close();
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mailbridge <args>` as a child process with the tenant's key in the environment. */
export function mailbridge(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args],
      { cwd: root, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export const lastJsonLine = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
