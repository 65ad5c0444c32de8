/**
 * The demo's workspace: a fresh folder holding a real configuration file pointing at the
 * emulators, a generated database key (0600), and the tenant's encrypted database once synced,
 * so every `mailbridge` command works on it exactly as on a real install.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, writeKeyFile } from '../config/database-key.js';
import { parseConfig, type LoadedConfig } from '../config/load-config.js';
import { tenantDatabasePath } from '../app/open-tenant.js';
import type { DemoEmulators } from './demo-emulators.js';
import type { DemoTenant } from './demo-tenant.js';

export const DEMO_TENANT_ID = 'harbor-labs';
const CONFIG_FILE = 'mailbridge.config.json';
const KEY_FILE = 'mailbridge.key';

export interface DemoWorkspace {
  dir: string;
  configFile: string;
  keyFile: string;
  databaseFile: string;
  config: LoadedConfig;
}

/** Writes config, key and provider files into a new temporary folder. */
export function createWorkspace(emulators: DemoEmulators, tenant: DemoTenant, prefix = 'mailbridge-demo-'): DemoWorkspace {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const { mail, crm, files } = emulators.config();
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o600 });
  const keyFile = join(dir, KEY_FILE);
  writeKeyFile(keyFile, generateKey());
  const raw = {
    version: 1,
    dataDir: 'data',
    keyFile: KEY_FILE,
    tenants: [
      {
        id: DEMO_TENANT_ID,
        companyDomains: tenant.companyDomains,
        mail,
        crm,
        blocklist: tenant.snapshot.blocklist,
        timeZone: 'UTC',
        admins: tenant.admins,
        // Meetings too (issue 15): the emulators serve the sellers' calendars (demo-meetings.ts).
        calendar: { enabled: true },
      },
    ],
  };
  const configFile = join(dir, CONFIG_FILE);
  // The file holds the emulators' client secrets, as a real one would hold real ones.
  writeFileSync(configFile, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600 });
  const config = parseConfig(raw, configFile);
  return { dir, configFile, keyFile, databaseFile: tenantDatabasePath(config, DEMO_TENANT_ID), config };
}
