/**
 * `mailbridge init` and `mailbridge config check`: builds a configuration from answers (flags),
 * validates it with the same schema `loadConfig` uses, writes it 0600, generates the database
 * key file (0600) when no key exists yet, creates the data folder (0700) and opens every tenant's
 * encrypted database once, so a wrong key or an unwritable folder shows up now, not at 3 a.m.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { issuePath } from '../core/snapshot.js';
import { configSchema, type SecretRef } from '../config/config-schema.js';
import { databaseKey, generateKey, KEY_ENV, writeKeyFile } from '../config/database-key.js';
import { ConfigError, parseConfig, resolveSecret, secretsReadableByOthers, type LoadedConfig } from '../config/load-config.js';
import { openDatabase } from '../store/database.js';
import { tenantDatabasePath } from './open-tenant.js';
import { readConfigJson, tenantIndex, writePrivateFile, type ConfigJson } from './setup/config-file.js';

export interface InitAnswers {
  /** Where to write the configuration. */
  file: string;
  /** The file exists: replace the settings `init` sets of tenant `tenant` (or add it). */
  force?: boolean;
  /** The file exists: add tenant `tenant` beside the others (refused when the id is there). */
  addTenant?: boolean;
  tenant: string;
  companyDomains: string[];
  provider: 'graph' | 'gmail';
  mode?: 'company' | 'user';
  /** Mailboxes: company mode scans only these (all when empty); user mode invites them. */
  users?: string[];
  redirectUri?: string;
  graph?: { tenantId?: string; clientId?: string; clientSecret?: string; baseUrl?: string; authorityHost?: string; group?: string };
  gmail?: { serviceAccountFile?: string; clientId?: string; clientSecret?: string; adminSubject?: string; rootUrl?: string; tokenOrigin?: string };
  crm: 'salesforce' | 'hubspot';
  salesforce?: { loginUrl?: string; clientId?: string; clientSecret?: string; username?: string; privateKeyFile?: string };
  hubspot?: { accessToken?: string; basePath?: string };
  dataDir?: string;
  keyFile?: string;
}

export interface InitResult {
  config: string;
  /** The key file in use, or null when the key comes from MAILBRIDGE_DB_KEY. */
  keyFile: string | null;
  keyGenerated: boolean;
  dataDir: string;
  tenants: string[];
  /** Environment variables the configuration reads secrets from. */
  secretsFromEnv: string[];
}

/** The secrets' defaults: references to environment variables, never a value in the file. */
export const DEFAULT_SECRET_ENV = {
  graphClientSecret: 'GRAPH_CLIENT_SECRET',
  gmailClientSecret: 'GMAIL_CLIENT_SECRET',
  salesforceClientSecret: 'SALESFORCE_CLIENT_SECRET',
  hubspotAccessToken: 'HUBSPOT_ACCESS_TOKEN',
} as const;

/** `env:NAME` → `{ env: NAME }`; anything else is an inline value. */
export function secretRef(value: string): SecretRef {
  const m = /^env:(.+)$/.exec(value.trim());
  return m ? { env: m[1]!.trim() } : value;
}

/** Which flag of `init` sets a field, so an error can say what to pass. */
const FLAG_FOR_FIELD: [RegExp, string][] = [
  [/\.id$/, '--tenant'],
  [/companyDomains/, '--company-domain'],
  [/mail\.tenantId$/, '--graph-tenant-id'],
  [/mail\.clientId$/, '--graph-client-id'],
  [/mail\.clientSecret$/, '--graph-client-secret'],
  [/mail\.users/, '--users (or --gmail-admin-subject to list the directory)'],
  [/mail\.serviceAccountFile$/, '--gmail-service-account-file'],
  [/mail\.oauthClient$/, '--gmail-client-id'],
  [/mail\.redirectUri$/, '--redirect-uri'],
  [/mail\.oauthClient\.clientId$/, '--gmail-client-id'],
  [/mail\.directory\.adminSubject$/, '--gmail-admin-subject'],
  [/crm\.clientId$/, '--salesforce-client-id'],
  [/crm\.clientSecret$/, '--salesforce-client-secret or --salesforce-private-key-file'],
  [/crm\.username$/, '--salesforce-username'],
  [/crm\.loginUrl$/, '--salesforce-login-url'],
  [/crm\.accessToken$/, '--hubspot-token'],
  [/^dataDir$/, '--data-dir'],
  [/^keyFile$/, '--key-file'],
];

function flagHint(field: string): string {
  const hit = FLAG_FOR_FIELD.find(([re]) => re.test(field));
  return hit ? ` (set it with ${hit[1]})` : '';
}

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;

/** The configuration object `init` would write for these answers (not yet validated). */
export function buildConfig(a: InitAnswers, keyFromEnv: boolean): Record<string, unknown> {
  const mode = a.mode ?? 'company';
  const users = a.users?.length ? a.users : undefined;
  let mail: Record<string, unknown>;
  if (a.provider === 'graph') {
    const g = a.graph ?? {};
    mail = defined({
      provider: 'graph',
      mode,
      tenantId: g.tenantId,
      clientId: g.clientId,
      clientSecret: secretRef(g.clientSecret ?? `env:${DEFAULT_SECRET_ENV.graphClientSecret}`),
      users,
      group: g.group,
      baseUrl: g.baseUrl,
      authorityHost: g.authorityHost,
      redirectUri: a.redirectUri,
    });
  } else {
    const g = a.gmail ?? {};
    mail = defined({
      provider: 'gmail',
      mode,
      serviceAccountFile: g.serviceAccountFile,
      oauthClient:
        mode === 'user' || g.clientId
          ? defined({ clientId: g.clientId, clientSecret: secretRef(g.clientSecret ?? `env:${DEFAULT_SECRET_ENV.gmailClientSecret}`) })
          : undefined,
      users,
      directory: mode === 'company' && !users && g.adminSubject ? { adminSubject: g.adminSubject } : undefined,
      rootUrl: g.rootUrl,
      tokenOrigin: g.tokenOrigin,
      redirectUri: a.redirectUri,
    });
  }
  let crm: Record<string, unknown>;
  if (a.crm === 'salesforce') {
    const s = a.salesforce ?? {};
    crm = defined({
      kind: 'salesforce',
      loginUrl: s.loginUrl,
      clientId: s.clientId,
      // The JWT bearer flow (username + private key) needs no client secret.
      clientSecret: s.privateKeyFile ? undefined : secretRef(s.clientSecret ?? `env:${DEFAULT_SECRET_ENV.salesforceClientSecret}`),
      username: s.username,
      privateKeyFile: s.privateKeyFile,
    });
  } else {
    const h = a.hubspot ?? {};
    crm = defined({ kind: 'hubspot', accessToken: secretRef(h.accessToken ?? `env:${DEFAULT_SECRET_ENV.hubspotAccessToken}`), basePath: h.basePath });
  }
  return defined({
    version: 1,
    dataDir: a.dataDir ?? 'mailbridge-data',
    keyFile: a.keyFile ?? (keyFromEnv ? undefined : 'mailbridge.key'),
    tenants: [{ id: a.tenant, companyDomains: a.companyDomains, mail, crm }],
  });
}

/** Tenant settings `init` sets; the others (blocklist, limits, admins, ...) are kept on --force. */
const INIT_TENANT_KEYS = ['id', 'companyDomains', 'mail', 'crm'];

/**
 * Merges the tenant `init` built into an existing file, by tenant id: the other tenants and
 * every top-level setting (schedule, log, ...) stay; `--force` on an existing id replaces only
 * that tenant's connection settings (and domains), keeping the rest of it.
 */
function mergeIntoExisting(a: InitAnswers, existing: ConfigJson, built: Record<string, unknown>): ConfigJson {
  for (const key of ['dataDir', 'keyFile'] as const) {
    const asked = key === 'dataDir' ? a.dataDir : a.keyFile;
    const current = existing[key] ?? (key === 'dataDir' ? 'mailbridge-data' : undefined);
    if (asked !== undefined && asked !== current) {
      throw new ConfigError(`${a.file}: ${key} is shared by every tenant of the file (now ${String(current)}): change it in the file itself, not with init`, key);
    }
  }
  const tenant = (built.tenants as Record<string, unknown>[])[0]!;
  const tenants = [...(existing.tenants ?? [])];
  const at = tenantIndex(existing, a.tenant);
  if (at >= 0 && !a.force) {
    throw new ConfigError(`${a.file}: tenant "${a.tenant}" is already in the file: pass --force to replace its settings (its other settings and the other tenants are kept)`, `tenants[${at}].id`);
  }
  if (at >= 0) {
    const kept = Object.fromEntries(Object.entries(tenants[at]!).filter(([k]) => !INIT_TENANT_KEYS.includes(k)));
    tenants[at] = { ...tenant, ...kept };
  } else tenants.push(tenant);
  return { ...existing, tenants };
}

/** Validates answers as a configuration; a ConfigError names the field and the flag that sets it. */
export function validateAnswers(a: InitAnswers, keyFromEnv: boolean, existing: ConfigJson | null = null): { json: Record<string, unknown>; config: LoadedConfig } {
  const built = buildConfig(a, keyFromEnv);
  const json = existing ? mergeIntoExisting(a, existing, built) : built;
  try {
    return { json, config: parseConfig(json, a.file) };
  } catch (err) {
    if (err instanceof ConfigError && err.field) throw new ConfigError(`${err.message}${flagHint(err.field)}`, err.field);
    throw err;
  }
}

export function initConfig(a: InitAnswers, env: NodeJS.ProcessEnv = process.env): InitResult {
  const file = resolve(a.file);
  const existing = existsSync(file) ? readConfigJson(file) : null;
  if (existing && !a.force && !a.addTenant) {
    throw new ConfigError(
      `${a.file} already exists: pass --add-tenant to add tenant "${a.tenant}" beside the others, or --force to replace that tenant's settings (other tenants, settings, databases and key are kept)`,
      null,
    );
  }
  // An existing file says where the key is; MAILBRIDGE_DB_KEY alone decides only for a new one.
  const keyFromEnv = existing ? existing.keyFile === undefined : Boolean(env[KEY_ENV]?.trim()) && !a.keyFile;
  const { json, config } = validateAnswers(a, keyFromEnv, existing);

  let keyGenerated = false;
  if (!keyFromEnv && config.keyPath && !existsSync(config.keyPath)) {
    writeKeyFile(config.keyPath, generateKey());
    keyGenerated = true;
  }
  writePrivateFile(file, `${JSON.stringify(json, null, 2)}\n`);

  mkdirSync(config.dataPath, { recursive: true, mode: 0o700 });
  chmodSync(config.dataPath, 0o700);
  // Proves the key opens (or creates) every tenant's database; an existing database under
  // another key fails here with StoreKeyError.
  const key = databaseKey(config, env);
  for (const t of config.tenants) {
    const path = tenantDatabasePath(config, t.id);
    openDatabase({ path, key }).close();
    chmodSync(path, 0o600);
  }

  return {
    config: file,
    keyFile: keyFromEnv ? null : config.keyPath,
    keyGenerated,
    dataDir: config.dataPath,
    tenants: config.tenants.map((t) => t.id),
    secretsFromEnv: secretEnvNames(config),
  };
}

/** Environment variables a configuration reads its secrets from. */
export function secretEnvNames(config: Pick<LoadedConfig, 'tenants'>): string[] {
  const names = new Set<string>();
  const add = (ref: SecretRef | undefined) => {
    if (ref && typeof ref === 'object') names.add(ref.env);
  };
  for (const t of config.tenants) {
    if (t.mail.provider === 'graph') add(t.mail.clientSecret);
    else add(t.mail.oauthClient?.clientSecret);
    if (t.crm.kind === 'salesforce') add(t.crm.clientSecret);
    else add(t.crm.accessToken);
  }
  return [...names].sort();
}

export interface ConfigProblem {
  field: string;
  message: string;
}

export interface ConfigCheck {
  file: string;
  ok: boolean;
  errors: ConfigProblem[];
  tenants: string[];
  /** Problems that do not make the file invalid (e.g. inline secrets readable by others). */
  warnings?: string[];
}

/**
 * Every problem of a configuration file, not just the first: schema errors (each naming its
 * field), secrets whose environment variable is unset, and the database key (missing file,
 * permissions). Values of secrets and of the key are never part of a message.
 */
export function checkConfig(path: string, env: NodeJS.ProcessEnv = process.env): ConfigCheck {
  const file = resolve(path);
  const fail = (field: string, message: string): ConfigCheck => ({ file, ok: false, errors: [{ field, message }], tenants: [] });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fail('(file)', 'no such configuration file (create one with `mailbridge init`)');
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail('(file)', `not valid JSON: ${(err as Error).message}`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    return { file, ok: false, tenants: [], errors: parsed.error.issues.map((i) => ({ field: issuePath(i.path), message: i.message })) };
  }
  const config = parseConfig(json, file);
  const errors: ConfigProblem[] = [];
  config.tenants.forEach((t, i) => {
    const at = (p: string) => `tenants[${i}].${p}`;
    const secret = (ref: SecretRef | undefined, field: string) => {
      if (!ref) return;
      try {
        resolveSecret(ref, field, env);
      } catch (err) {
        errors.push({ field, message: (err as Error).message.replace(`${field}: `, '') });
      }
    };
    // The rules between fields live in the schema (tenantRules); here only what needs the
    // environment or the disk.
    if (t.mail.provider === 'graph') secret(t.mail.clientSecret, at('mail.clientSecret'));
    else {
      secret(t.mail.oauthClient?.clientSecret, at('mail.oauthClient.clientSecret'));
      if (t.mail.serviceAccountFile && !existsSync(t.mail.serviceAccountFile)) {
        errors.push({ field: at('mail.serviceAccountFile'), message: `${relative(process.cwd(), t.mail.serviceAccountFile)} does not exist` });
      }
    }
    if (t.crm.kind === 'salesforce') secret(t.crm.clientSecret, at('crm.clientSecret'));
    else secret(t.crm.accessToken, at('crm.accessToken'));
  });
  try {
    databaseKey(config, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    errors.push({ field: err.field ?? 'keyFile', message: err.message.replace(/^keyFile: /, '') });
  }
  const readable = secretsReadableByOthers(config);
  return { file, ok: errors.length === 0, errors, tenants: config.tenants.map((t) => t.id), ...(readable ? { warnings: [readable] } : {}) };
}
