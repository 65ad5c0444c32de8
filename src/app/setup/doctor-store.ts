/**
 * `mailbridge doctor` on the shared store (`store.kind: "postgres"`): the URL resolves, the server
 * answers, and each tenant's schema is at this build's version, every failure with its fix. The
 * embedded store's check is opening its file with the key (doctor.ts).
 */
import { ConfigError, type LoadedConfig } from '../../config/load-config.js';
import { PG_SCHEMA_VERSION } from '../../store/postgres/pg-migrations.js';
import { tenantSchemaName, type PostgresStore } from '../../store/postgres/postgres-store.js';
import { openPostgresStore } from '../store/open-store.js';
import { describeError, fail, type DoctorCheck } from './doctor-check.js';

/** The process's pool for every tenant's checks, or why there is none (each tenant's check says it). */
export type SharedStore = { store: PostgresStore } | { problem: (tenantId: string) => DoctorCheck };

export function openDoctorStore(config: LoadedConfig): SharedStore | null {
  if (config.store.kind !== 'postgres') return null;
  try {
    // The checks run one tenant at a time: a small pool.
    return { store: openPostgresStore(config, 2) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      problem: (id) => fail(id, 'database', describeError(error), 'set store.url: export the environment variable it names (e.g. DATABASE_URL) with the PostgreSQL URL'),
    };
  }
}

/** Null when the tenant's schema is ready; else the failed `database` check. */
export async function schemaCheck(shared: SharedStore, tenantId: string): Promise<DoctorCheck | null> {
  if ('problem' in shared) return shared.problem(tenantId);
  let version: number;
  try {
    version = await shared.store.schemaVersion(tenantId);
  } catch (error) {
    return fail(tenantId, 'database', `PostgreSQL at store.url does not answer: ${describeError(error)}`, 'check store.url (host, port, database, user, password) and that the server accepts connections from here');
  }
  if (version === PG_SCHEMA_VERSION) return null;
  const schema = tenantSchemaName(tenantId);
  return version > PG_SCHEMA_VERSION
    ? fail(tenantId, 'database', `PostgreSQL schema ${schema} is at version ${version}, newer than this mailbridge (${PG_SCHEMA_VERSION})`, 'upgrade mailbridge to the version the other workers run')
    : fail(tenantId, 'database', `PostgreSQL schema ${schema} is at version ${version}, this mailbridge needs ${PG_SCHEMA_VERSION}`, 'run `mailbridge migrate` (it creates or upgrades every tenant\'s schema)');
}
