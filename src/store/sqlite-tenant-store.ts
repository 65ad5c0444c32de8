/**
 * The embedded store as a `TenantStore`: the tenant's encrypted SQLite file, through the same
 * classes the single-process path uses (no second implementation). Everything answers at once.
 */
import type { SqliteDatabase } from './database.js';
import { SqliteAdminStore } from './admin-store.js';
import { SqliteDomainIndex } from './domain-index.js';
import { SqliteMeetingStore } from './meeting-store.js';
import { SqliteSecretStore } from './secret-store.js';
import type { TenantStore } from './store-ports.js';
import { SqliteSyncStore } from './sync-store.js';

export function sqliteTenantStore(tenantId: string, db: SqliteDatabase, now: () => Date = () => new Date()): TenantStore {
  const admin = new SqliteAdminStore(db, now);
  return {
    kind: 'sqlite',
    tenantId,
    ledger: new SqliteSyncStore(db, now),
    meetings: new SqliteMeetingStore(db, now),
    index: new SqliteDomainIndex(db),
    status: admin,
    settings: admin,
    governance: admin,
    audit: { audit: (...a) => admin.audit(...a), auditLog: (limit) => admin.auditLog(limit) },
    secrets: new SqliteSecretStore(db),
    async close() {
      if (db.open) db.close();
    },
  };
}
