/**
 * `mailbridge key rotate`: re-encrypts every tenant's database under a new key, crash-safely
 * (on PostgreSQL: re-seals each tenant's encrypted columns, see `resealPostgres`).
 *
 * 1. The new key is written to `<keyFile>.next` (0600) before any database changes; a resumed
 *    rotation reuses it, so a database is only ever under the old key or that one.
 * 2. Each database is re-encrypted while this process holds the tenant's scheduler lease (a sync
 *    in progress makes this try refuse) and the only connection to the file, locked exclusively.
 * 3. Only when every database is done does `.next` replace the key file.
 * Interrupted anywhere, the databases still open: `openTenantDatabase` tries the key file, then
 * `.next`, then the key file again; running `key rotate` again finishes the job. `rotateKeyWhenFree` waits out a round in
 * progress, so the command can run beside `mailbridge run`.
 */
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseKey, generateKey, KEY_ENV, pendingKey, writeKeyFile } from '../config/database-key.js';
import { ConfigError, type LoadedConfig } from '../config/load-config.js';
import { SqliteAdminStore } from '../store/admin-store.js';
import { openDatabase, rekeyDatabase, type SqliteDatabase } from '../store/database.js';
import { StoreError, StoreKeyError } from '../store/store-errors.js';
import { Leases, processHolder } from './leases.js';
import { tenantDatabasePath } from './open-tenant.js';
import { openPostgresStore } from './store/open-store.js';

/** The scheduler's lease over a whole tenant round (`runSyncRound` takes the same name). */
export const TENANT_LEASE = 'tenant';
/** Long enough for a rekey of a large database; released as soon as it is done. */
const LEASE_TTL_MS = 30 * 60_000;

export type TenantRotation = 'rekeyed' | 'already-rekeyed' | 'no-database';

export interface RotateKeyResult {
  keyFile: string;
  /** True when a rotation left unfinished was completed. */
  resumed: boolean;
  tenants: { id: string; result: TenantRotation }[];
}

/** A database is in use (a sync round holds its lease or a connection): retry once it is free. */
export class KeyRotationError extends Error {
  override name = 'KeyRotationError';
  constructor(
    readonly tenant: string,
    message: string,
  ) {
    super(`tenant ${tenant}: ${message}`);
  }
}

export interface RotateKeyOptions {
  env?: NodeJS.ProcessEnv;
  actor?: string;
  now?: () => Date;
}

export async function rotateKey(config: LoadedConfig, opts: RotateKeyOptions = {}): Promise<RotateKeyResult> {
  const env = opts.env ?? process.env;
  if (env[KEY_ENV]?.trim()) {
    throw new ConfigError(
      `the database key comes from ${KEY_ENV}: rotation needs a key file. Set keyFile in ${config.file}, ` +
        `write the current key into it (chmod 600), unset ${KEY_ENV}, then run \`mailbridge key rotate\``,
      'keyFile',
    );
  }
  if (!config.keyPath) throw new ConfigError(`keyFile: no key file in ${config.file}: rotation needs one`, 'keyFile');
  const keyPath = config.keyPath;
  const current = databaseKey(config, {});
  let next = pendingKey(config);
  const resumed = next !== null;
  if (!next) {
    next = generateKey();
    writeKeyFile(`${keyPath}.next`, next);
  }

  // host:pid, so a rotation that crashed holding a lease does not block the next one.
  const holder = processHolder();
  if (config.store.kind === 'postgres') {
    const tenants = await resealPostgres(config, current, next, holder, opts);
    renameSync(`${keyPath}.next`, keyPath);
    return { keyFile: keyPath, resumed, tenants };
  }
  const tenants: RotateKeyResult['tenants'] = [];
  for (const t of databases(config)) {
    const path = t.path;
    if (!existsSync(path)) {
      tenants.push({ id: t.id, result: 'no-database' });
      continue;
    }
    const db = openEither(path, current, next);
    try {
      if (db.key === 'next') {
        tenants.push({ id: t.id, result: 'already-rekeyed' });
        continue;
      }
      await rekeyTenant(db.db, t.id, next, holder, opts);
      tenants.push({ id: t.id, result: 'rekeyed' });
    } finally {
      if (db.db.open) db.db.close();
    }
  }
  renameSync(`${keyPath}.next`, keyPath);
  return { keyFile: keyPath, resumed, tenants };
}

export interface WaitOptions {
  /** How long to keep retrying while a database is in use; 0 fails at once. */
  waitMs: number;
  /** Pause between tries. */
  pollMs?: number;
  /** Told which tenant it waits for, before each pause. */
  onWait?: (busy: KeyRotationError) => void;
}

/**
 * `rotateKey`, tried again while a sync round holds a database, until `waitMs` has passed. Each
 * try resumes the last (databases done stay done), so a busy tenant only delays the others' key
 * file change, never undoes it.
 */
export async function rotateKeyWhenFree(config: LoadedConfig, opts: RotateKeyOptions & WaitOptions): Promise<RotateKeyResult> {
  const deadline = Date.now() + opts.waitMs;
  // Whether this command found a rotation left unfinished, not whether its own last try did.
  const resumed = pendingKey(config) !== null;
  for (;;) {
    try {
      return { ...(await rotateKey(config, opts)), resumed };
    } catch (err) {
      if (!(err instanceof KeyRotationError) || Date.now() >= deadline) throw err;
      opts.onWait?.(err);
      await sleep(Math.min(opts.pollMs ?? 250, Math.max(0, deadline - Date.now())));
    }
  }
}

/**
 * PostgreSQL: each tenant's sealed columns and search terms re-sealed under the new key in one
 * transaction (src/store/postgres/pg-reseal.ts). Refused while a sync round or a worker's
 * mailbox job holds a lease on the tenant: rows it wrote under the old key would not open.
 */
async function resealPostgres(config: LoadedConfig, current: string, next: string, holder: string, opts: RotateKeyOptions): Promise<RotateKeyResult['tenants']> {
  const store = openPostgresStore(config, 2);
  const now = opts.now ?? (() => new Date());
  const tenants: RotateKeyResult['tenants'] = [];
  try {
    for (const t of config.tenants) {
      if ((await store.schemaVersion(t.id)) === 0) {
        tenants.push({ id: t.id, result: 'no-database' });
        continue;
      }
      const r = await store.reseal(t.id, current, next, holder, now());
      if (r.result === 'busy') {
        throw new KeyRotationError(
          t.id,
          `a sync or a worker job holds it (lease held by ${r.holder}); stop the workers (or let the round finish) and run \`mailbridge key rotate\` again, ` +
            'or give it --wait. Nothing is lost: tenants already re-sealed stay so.',
        );
      }
      if (r.result === 'rekeyed') {
        // Never the key: only that it changed.
        const stores = await store.tenant(t.id, next, now);
        await stores.audit.audit(opts.actor ?? 'cli', 'key.rotate', t.id, { cipher: 'aes-256-gcm' });
      }
      tenants.push({ id: t.id, result: r.result });
    }
  } finally {
    await store.close();
  }
  return tenants;
}

/**
 * Every configured tenant's database, and any other database in the data folder (a tenant
 * removed from the file): left under the old key it could never be opened again.
 */
function databases(config: LoadedConfig): { id: string; path: string }[] {
  const out = config.tenants.map((t) => ({ id: t.id, path: tenantDatabasePath(config, t.id) }));
  const known = new Set(out.map((d) => d.path));
  const files = existsSync(config.dataPath) ? readdirSync(config.dataPath).filter((f) => f.endsWith('.db')).sort() : [];
  for (const f of files) {
    const path = join(config.dataPath, f);
    if (!known.has(path)) out.push({ id: basename(f, '.db'), path });
  }
  return out;
}

/** Opens with the current key, or the pending one for a database an earlier run already did. */
function openEither(path: string, current: string, next: string): { db: SqliteDatabase; key: 'current' | 'next' } {
  try {
    return { db: openDatabase({ path, key: current }), key: 'current' };
  } catch (err) {
    if (!(err instanceof StoreKeyError)) throw err;
    return { db: openDatabase({ path, key: next }), key: 'next' };
  }
}

async function rekeyTenant(db: SqliteDatabase, tenantId: string, next: string, holder: string, opts: RotateKeyOptions): Promise<void> {
  const admin = new SqliteAdminStore(db, opts.now);
  const leases = new Leases(admin, holder, LEASE_TTL_MS);
  if (!(await leases.acquire(TENANT_LEASE))) {
    throw new KeyRotationError(
      tenantId,
      `a sync holds the database (lease "${TENANT_LEASE}"); run \`mailbridge key rotate\` again when it has finished, ` +
        'or give it --wait. Nothing is lost: the rotation resumes where it stopped.',
    );
  }
  try {
    rekeyDatabase(db, next);
  } catch (err) {
    await leases.release(TENANT_LEASE);
    if (err instanceof StoreError) {
      throw new KeyRotationError(tenantId, `${err.message} (run \`mailbridge key rotate\` again once no other mailbridge command has it open)`);
    }
    throw err;
  }
  // Never the key: only that it changed.
  admin.audit(opts.actor ?? 'cli', 'key.rotate', tenantId, { cipher: 'sqlcipher' });
  await leases.release(TENANT_LEASE);
}
