/**
 * `mailbridge migrate`: creates or upgrades every tenant's schema in the configured store. On
 * SQLite, opening a tenant's file applies its migrations (so this only reports); on PostgreSQL,
 * each tenant's schema is created or brought to this build's version under an advisory lock.
 */
import { schemaVersion, MIGRATIONS } from '../../store/migrations.js';
import { tenantSchemaName } from '../../store/postgres/postgres-store.js';
import { PG_SCHEMA_VERSION } from '../../store/postgres/pg-migrations.js';
import type { LoadedConfig } from '../../config/load-config.js';
import { openTenantDatabase, tenantDatabasePath } from '../open-tenant.js';
import { openPostgresStore } from './open-store.js';
import { mkdirSync } from 'node:fs';

export interface MigrateResult {
  store: 'sqlite' | 'postgres';
  tenants: { id: string; where: string; from: number; version: number; applied: number[] }[];
}

export async function migrateStore(config: LoadedConfig): Promise<MigrateResult> {
  if (config.store.kind === 'postgres') {
    const pg = openPostgresStore(config, 2);
    try {
      const tenants: MigrateResult['tenants'] = [];
      for (const t of config.tenants) {
        const from = await pg.schemaVersion(t.id);
        const applied = await pg.migrate(t.id);
        tenants.push({ id: t.id, where: `schema ${tenantSchemaName(t.id)}`, from, version: PG_SCHEMA_VERSION, applied });
      }
      return { store: 'postgres', tenants };
    } finally {
      await pg.close();
    }
  }
  mkdirSync(config.dataPath, { recursive: true, mode: 0o700 });
  const tenants = config.tenants.map((t) => {
    const path = tenantDatabasePath(config, t.id);
    const db = openTenantDatabase(config, path);
    try {
      // Opening the file migrated it (as every command does): report the version it is at.
      return { id: t.id, where: path, from: schemaVersion(db), version: MIGRATIONS.length, applied: [] as number[] };
    } finally {
      db.close();
    }
  });
  return { store: 'sqlite', tenants };
}
