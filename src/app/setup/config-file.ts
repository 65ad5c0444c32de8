/**
 * Changing the configuration file in place: read it as the admin wrote it (raw JSON, so keys
 * the schema fills by default are not added), change one part, validate the whole result with
 * the schema every command uses, and write it back atomically with mode 0600. Everything not
 * changed is kept as it was.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, parseConfig, type LoadedConfig } from '../../config/load-config.js';

export type ConfigJson = Record<string, unknown> & { tenants?: Record<string, unknown>[] };

/** The file's JSON as written; a ConfigError naming the file when it is not a JSON object. */
export function readConfigJson(file: string): ConfigJson {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConfigError(`${file}: no such configuration file (create one with \`mailbridge init\`)`, null);
    throw new ConfigError(`${file}: not valid JSON: ${(err as Error).message}`, null);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ConfigError(`${file}: expected a JSON object`, null);
  return json as ConfigJson;
}

/** Writes a file readable by its owner only, atomically; mode is set even when it replaces one. */
export function writePrivateFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Validates `json` as a whole configuration, then writes it; nothing is written when it is invalid. */
export function writeConfigJson(file: string, json: ConfigJson): LoadedConfig {
  const config = parseConfig(json, file);
  writePrivateFile(file, `${JSON.stringify(json, null, 2)}\n`);
  return config;
}

/** Index of the tenant `id` (case-insensitive) in the raw JSON, or -1. */
export function tenantIndex(json: ConfigJson, id: string): number {
  return (json.tenants ?? []).findIndex((t) => typeof t.id === 'string' && t.id.toLowerCase() === id.toLowerCase());
}
