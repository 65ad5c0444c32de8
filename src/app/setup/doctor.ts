/**
 * `mailbridge doctor` (DESIGN §8): for every tenant, checks the configuration, the database key,
 * the mail service (credentials, each permission the mode uses, every mailbox) and the CRM
 * (credentials, every object, field and property the write-back and the pull use, the daily API
 * headroom), and names the fix of each failure. `fix` creates what mailbridge may create itself
 * (HubSpot's mailbridge properties). Nothing secret is ever part of a check.
 */
import { checkConfig } from '../init-config.js';
import { ConfigError, loadConfig, selectTenants, type LoadedConfig } from '../../config/load-config.js';
import { StoreError, StoreKeyError } from '../../store/store-errors.js';
import { openTenant, type OpenTenant, type OpenTenantOptions } from '../open-tenant.js';
import { describeError, fail, pass, type DoctorCheck } from './doctor-check.js';
import { openDoctorStore, schemaCheck, type SharedStore } from './doctor-store.js';
import { hubspotChecks } from './doctor-hubspot.js';
import { mailChecks } from './doctor-mail.js';
import { salesforceChecks } from './doctor-salesforce.js';

export type { DoctorCheck } from './doctor-check.js';

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
  /** What `fix` did, one line each. */
  fixed: string[];
}

export interface DoctorOptions {
  configFile: string;
  tenant?: string;
  fix?: boolean;
  env?: NodeJS.ProcessEnv;
  open?: OpenTenantOptions;
}

/** The file-level name used for checks that concern no single tenant (an unreadable file). */
export const ALL_TENANTS = '*';

const report = (checks: DoctorCheck[], fixed: string[]): DoctorReport => ({ ok: checks.every((c) => c.ok), checks, fixed });

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const env = opts.env ?? process.env;
  const fixed: string[] = [];
  const checked = checkConfig(opts.configFile, env);
  if (!checked.tenants.length) {
    return report(checked.errors.map((e) => fail(ALL_TENANTS, 'config', `${e.field}: ${e.message}`, 'correct the field (`mailbridge config check` lists every error), or write the file with `mailbridge init`')), fixed);
  }
  const config = loadConfig(opts.configFile);
  const checks: DoctorCheck[] = [];
  // With store.kind "postgres": one pool for every tenant's checks, closed at the end.
  const shared = opts.open?.postgres ? { store: opts.open.postgres } : openDoctorStore(config);
  try {
    await checkTenants(config, checked, opts, shared, checks, fixed);
  } finally {
    if (shared && 'store' in shared && shared.store !== opts.open?.postgres) await shared.store.close();
  }
  return report(checks, fixed);
}

async function checkTenants(
  config: LoadedConfig,
  checked: ReturnType<typeof checkConfig>,
  opts: DoctorOptions,
  shared: SharedStore | null,
  checks: DoctorCheck[],
  fixed: string[],
): Promise<void> {
  for (const tenant of selectTenants(config, opts.tenant)) {
    const index = config.tenants.indexOf(tenant);
    const id = tenant.id;
    const own = checked.errors.filter((e) => e.field.startsWith(`tenants[${index}].`));
    if (own.length) {
      checks.push(fail(id, 'config', own.map((e) => `${e.field}: ${e.message}`).join('; '), 'correct these fields (or export the environment variables they name); the service checks run once the configuration is valid'));
      continue;
    }
    checks.push(pass(id, 'config', `${checked.file}: tenant ${id} is valid`));

    const schema = shared ? await schemaCheck(shared, id) : null;
    if (schema) {
      checks.push(schema);
      continue;
    }
    let open: OpenTenant;
    try {
      open = await openTenant(config, tenant, shared && 'store' in shared ? { ...opts.open, postgres: shared.store } : opts.open);
    } catch (error) {
      if (!(error instanceof StoreKeyError || error instanceof StoreError || error instanceof ConfigError)) throw error;
      checks.push(fail(id, 'database', describeError(error), openFix(error, shared !== null)));
      continue;
    }
    try {
      const where = open.stores.kind === 'postgres' ? `the tenant's PostgreSQL schema (at this build's version)` : open.dbPath;
      checks.push(pass(id, 'database', `the database key opens ${where}`));
      checks.push(...(await mailChecks(open)));
      checks.push(...(await crmChecks(open, { fix: opts.fix ?? false, fixed })));
    } finally {
      await open.close();
    }
  }
}

function openFix(error: StoreKeyError | StoreError | ConfigError, postgres: boolean): string {
  if (error instanceof StoreKeyError) return 'use the key this database was created with (MAILBRIDGE_DB_KEY or the configured keyFile); without it the data cannot be read';
  if (error instanceof ConfigError) return `${error.field ?? 'keyFile'}: set the database key (keyFile, or MAILBRIDGE_DB_KEY)`;
  // The schema's version was checked before: on PostgreSQL what is left is a key the rows were not sealed with.
  if (postgres) return "use the database key the tenant's rows were sealed with (keyFile or MAILBRIDGE_DB_KEY); without it the data cannot be read";
  return 'the database file cannot be used as it is (another process holding it, a damaged file, or a newer mailbridge): act on the detail above';
}

async function crmChecks(tenant: OpenTenant, opts: { fix: boolean; fixed: string[] }): Promise<DoctorCheck[]> {
  let crm;
  try {
    crm = tenant.crm();
  } catch (error) {
    return [fail(tenant.config.id, 'crm.credentials', describeError(error), 'correct the field named above')];
  }
  return crm.kind === 'salesforce' ? salesforceChecks(tenant, crm) : hubspotChecks(tenant, crm, opts);
}
