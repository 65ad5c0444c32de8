/**
 * Reading the configuration file: JSON, validated by `configSchema`, relative paths resolved
 * against the file's folder, secrets `{ "env": NAME }` resolved from the environment. Every
 * problem is a `ConfigError` naming the file and the field.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { issuePath } from '../core/snapshot.js';
import { configSchema, type MailbridgeConfig, type SecretRef, type TenantConfig } from './config-schema.js';

export const DEFAULT_CONFIG_FILE = 'mailbridge.config.json';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    /** The field at fault (`tenants[0].crm.clientId`), or null for the file as a whole. */
    readonly field: string | null,
  ) {
    super(message);
  }
}

/** A validated configuration with its location, paths resolved. */
export interface LoadedConfig extends MailbridgeConfig {
  /** Absolute path of the file it came from. */
  file: string;
  /** Absolute data folder. */
  dataPath: string;
  /** Absolute key file, when one is configured. */
  keyPath: string | null;
  /** Problems worth telling the admin that do not stop a command (e.g. a readable file with secrets). */
  warnings: string[];
}

/** Parses configuration already read from `file`; throws ConfigError naming the first bad field. */
export function parseConfig(input: unknown, file: string): LoadedConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issuePath(issue.path);
    throw new ConfigError(`${file}: ${field}: ${issue.message}`, field);
  }
  const base = dirname(resolve(file));
  const at = (p: string) => (isAbsolute(p) ? p : join(base, p));
  const config = result.data;
  return {
    ...config,
    file: resolve(file),
    dataPath: at(config.dataDir),
    keyPath: config.keyFile ? at(config.keyFile) : null,
    // The log follows the file like every other path, not the folder a command runs in.
    log: { ...config.log, ...(config.log.file ? { file: at(config.log.file) } : {}) },
    warnings: [],
    tenants: config.tenants.map((t) => ({
      ...t,
      mail: t.mail.provider === 'gmail' && t.mail.serviceAccountFile ? { ...t.mail, serviceAccountFile: at(t.mail.serviceAccountFile) } : t.mail,
      crm: t.crm.kind === 'salesforce' && t.crm.privateKeyFile ? { ...t.crm, privateKeyFile: at(t.crm.privateKeyFile) } : t.crm,
    })),
  };
}

export function loadConfig(file = DEFAULT_CONFIG_FILE): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigError(`${file}: no such configuration file (create one with \`mailbridge init\`)`, null);
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON: ${(err as Error).message}`, null);
  }
  const config = parseConfig(json, file);
  const readable = secretsReadableByOthers(config);
  if (readable) config.warnings.push(readable);
  return config;
}

/** Fields holding a secret written inline (not `{ "env": NAME }`). */
export function inlineSecretFields(config: MailbridgeConfig): string[] {
  const out: string[] = [];
  config.tenants.forEach((t, i) => {
    const check = (ref: SecretRef | undefined, field: string) => {
      if (typeof ref === 'string') out.push(`tenants[${i}].${field}`);
    };
    if (t.mail.provider === 'graph') check(t.mail.clientSecret, 'mail.clientSecret');
    else check(t.mail.oauthClient?.clientSecret, 'mail.oauthClient.clientSecret');
    if (t.crm.kind === 'salesforce') check(t.crm.clientSecret, 'crm.clientSecret');
    else check(t.crm.accessToken, 'crm.accessToken');
  });
  return out;
}

/**
 * A warning when the file holds secrets inline and other users may read it (group or world
 * read bit), with what to do; null otherwise. `init` writes the file 0600.
 */
export function secretsReadableByOthers(config: LoadedConfig): string | null {
  const fields = inlineSecretFields(config);
  if (!fields.length) return null;
  let mode: number;
  try {
    mode = statSync(config.file).mode & 0o777;
  } catch {
    return null;
  }
  if ((mode & 0o044) === 0) return null;
  return (
    `${config.file} holds secrets written inline (${fields.join(', ')}) and other users can read it ` +
    `(mode ${mode.toString(8).padStart(4, '0')}): run \`chmod 600 ${config.file}\`, or move the secrets to environment variables ({"env": "NAME"})`
  );
}

/** The value of a secret; an unset variable is a ConfigError naming the field, never the value. */
export function resolveSecret(ref: SecretRef, field: string, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof ref === 'string') return ref;
  const value = env[ref.env];
  if (!value) throw new ConfigError(`${field}: environment variable ${ref.env} is not set`, field);
  return value;
}

/** The tenant named `id`, or the only one; a ConfigError otherwise. */
export function pickTenant(config: LoadedConfig, id?: string): TenantConfig {
  if (id) {
    const found = config.tenants.find((t) => t.id.toLowerCase() === id.toLowerCase());
    if (!found) throw new ConfigError(`no tenant "${id}" in ${config.file} (known: ${config.tenants.map((t) => t.id).join(', ')})`, 'tenants');
    return found;
  }
  if (config.tenants.length > 1) {
    throw new ConfigError(`${config.file} has ${config.tenants.length} tenants: name one with --tenant`, 'tenants');
  }
  return config.tenants[0]!;
}

/** Tenants selected by `--tenant` (all when absent). */
export function selectTenants(config: LoadedConfig, id?: string): TenantConfig[] {
  return id ? [pickTenant(config, id)] : config.tenants;
}
