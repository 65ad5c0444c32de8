/**
 * The store a configuration names (`store.kind`): the embedded encrypted SQLite file per tenant
 * (default) or a schema per tenant in a shared PostgreSQL. Both come out as `TenantStore`.
 */
import { mkdirSync } from 'node:fs';
import type { TenantConfig } from '../../config/config-schema.js';
import { databaseKey } from '../../config/database-key.js';
import { resolveSecret, type LoadedConfig } from '../../config/load-config.js';
import { PostgresStore } from '../../store/postgres/postgres-store.js';
import { sqliteTenantStore } from '../../store/sqlite-tenant-store.js';
import type { TenantStore } from '../../store/store-ports.js';
import { openTenantDatabase, tenantDatabasePath } from '../open-tenant.js';

/** The shared PostgreSQL store of a `postgres` configuration (one pool per process). */
export function openPostgresStore(config: LoadedConfig, maxConnections?: number): PostgresStore {
  if (config.store.kind !== 'postgres') throw new Error('the configuration names the embedded SQLite store, not PostgreSQL');
  return new PostgresStore({ url: resolveSecret(config.store.url, 'store.url'), maxConnections });
}

/**
 * One tenant's store. With PostgreSQL, pass the process's `PostgresStore`; an out-of-date schema
 * is refused with an error naming `mailbridge migrate`.
 */
export async function openTenantStore(
  config: LoadedConfig,
  tenant: TenantConfig,
  opts: { now?: () => Date; postgres?: PostgresStore } = {},
): Promise<TenantStore> {
  if (config.store.kind === 'postgres') {
    if (!opts.postgres) throw new Error('openTenantStore: a PostgreSQL configuration needs the shared PostgresStore');
    return opts.postgres.tenant(tenant.id, databaseKey(config), opts.now);
  }
  mkdirSync(config.dataPath, { recursive: true, mode: 0o700 });
  return sqliteTenantStore(tenant.id, openTenantDatabase(config, tenantDatabasePath(config, tenant.id)), opts.now);
}
