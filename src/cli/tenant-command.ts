/**
 * What every tenant-facing command shares: `--config` (default `$MAILBRIDGE_CONFIG` or
 * ./mailbridge.config.json), `--tenant` (needed when the file has several), `--json`, and opening
 * and always closing the tenant's database around the command's work.
 */
import type { Command } from 'commander';
import { openTenant, type OpenTenant, type OpenTenantOptions } from '../app/open-tenant.js';
import { DEFAULT_CONFIG_FILE, loadConfig, pickTenant, selectTenants, type LoadedConfig } from '../config/load-config.js';

export interface TenantFlags {
  config?: string;
  tenant?: string;
  json?: boolean;
}

/** Adds the shared options to a command. */
export function tenantOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', `configuration file (default: $MAILBRIDGE_CONFIG or ./${DEFAULT_CONFIG_FILE})`)
    .option('-t, --tenant <id>', 'the tenant to act on (required when the file has several)')
    .option('--json', 'machine-readable output (JSON)');
}

export function configFile(flags: TenantFlags): string {
  return flags.config ?? process.env.MAILBRIDGE_CONFIG ?? DEFAULT_CONFIG_FILE;
}

/** Loads the configuration; its warnings go to stderr, so stdout stays the command's output. */
export function readConfig(flags: TenantFlags): LoadedConfig {
  const config = loadConfig(configFile(flags));
  for (const w of config.warnings) process.stderr.write(`warning: ${w}\n`);
  return config;
}

/** Opens the one tenant the flags name, runs `work`, closes it whatever happens. */
export async function withTenant<T>(flags: TenantFlags, work: (tenant: OpenTenant, config: LoadedConfig) => Promise<T> | T, opts?: OpenTenantOptions): Promise<T> {
  const config = readConfig(flags);
  const tenant = await openTenant(config, pickTenant(config, flags.tenant), opts);
  try {
    return await work(tenant, config);
  } finally {
    await tenant.close();
  }
}

/** Runs `work` on every tenant the flags select (all when `--tenant` is absent), one at a time. */
export async function withEachTenant<T>(flags: TenantFlags, work: (tenant: OpenTenant, config: LoadedConfig) => Promise<T> | T, opts?: OpenTenantOptions): Promise<T[]> {
  const config = readConfig(flags);
  const out: T[] = [];
  for (const t of selectTenants(config, flags.tenant)) {
    const tenant = await openTenant(config, t, opts);
    try {
      out.push(await work(tenant, config));
    } finally {
      await tenant.close();
    }
  }
  return out;
}
