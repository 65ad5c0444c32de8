/**
 * The database key (DESIGN §3): from MAILBRIDGE_DB_KEY, or from the key file `init` generates
 * with 0600 permissions. The key never appears in a log line or an error message.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, type LoadedConfig } from './load-config.js';

export const KEY_ENV = 'MAILBRIDGE_DB_KEY';

/** 32 random bytes, hex: the passphrase handed to SQLCipher's key derivation. */
export function generateKey(): string {
  return randomBytes(32).toString('hex');
}

/** Writes `key` to `path` with 0600 permissions, atomically (write a sibling, then rename). */
export function writeKeyFile(path: string, key: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${key}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function readKeyFile(path: string): string {
  if (!existsSync(path)) {
    throw new ConfigError(`keyFile: ${path} does not exist (run \`mailbridge init\`, or set ${KEY_ENV})`, 'keyFile');
  }
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new ConfigError(`keyFile: ${path} is readable by others (mode ${mode.toString(8)}): chmod 600 it`, 'keyFile');
  }
  const key = readFileSync(path, 'utf8').trim();
  if (!key) throw new ConfigError(`keyFile: ${path} is empty`, 'keyFile');
  return key;
}

/** The key to open the databases with: the environment wins over the key file. */
export function databaseKey(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[KEY_ENV]?.trim();
  if (fromEnv) return fromEnv;
  if (!config.keyPath) throw new ConfigError(`keyFile: no database key: set keyFile in ${config.file} or ${KEY_ENV}`, 'keyFile');
  return readKeyFile(config.keyPath);
}

/** The key a rotation left half done (`<keyFile>.next`), if any. */
export function pendingKey(config: LoadedConfig): string | null {
  if (!config.keyPath) return null;
  const path = `${config.keyPath}.next`;
  try {
    return readKeyFile(path);
  } catch (err) {
    // Gone between the look and the read: a rotation in another process just finished.
    if (!existsSync(path)) return null;
    throw err;
  }
}
