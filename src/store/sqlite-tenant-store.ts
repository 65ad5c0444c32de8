/**
 * The embedded store as a `TenantStore`: the tenant's encrypted SQLite file, through the same
 * classes the single-process path uses (no second implementation). Everything answers at once.
 */
import type { SqliteDatabase } from './database.js';
import { SqliteAdminStore } from './admin-store.js';
import { SqliteDomainIndex } from './domain-index.js';
import { ImportedMessages } from './imported-messages.js';
import { SqliteMeetingStore } from './meeting-store.js';
import { SqliteSecretStore } from './secret-store.js';
import type { TenantStore } from './store-ports.js';
import { SqliteSyncStore } from './sync-store.js';

/** The file's own classes; commands still built on the file use them directly. */
export interface SqliteTenantParts {
  ledger: SqliteSyncStore;
  index: SqliteDomainIndex;
  admin: SqliteAdminStore;
  secrets: SqliteSecretStore;
}

export function sqliteTenantParts(db: SqliteDatabase, now: () => Date = () => new Date()): SqliteTenantParts {
  const index = new SqliteDomainIndex(db);
  return { ledger: new SqliteSyncStore(db, now), index, admin: new SqliteAdminStore(db, now, () => index.clearCaches()), secrets: new SqliteSecretStore(db) };
}

export function sqliteTenantStore(tenantId: string, db: SqliteDatabase, now: () => Date = () => new Date(), parts: SqliteTenantParts = sqliteTenantParts(db, now)): TenantStore {
  const { admin } = parts;
  return {
    kind: 'sqlite',
    tenantId,
    ledger: parts.ledger,
    meetings: new SqliteMeetingStore(db, now),
    index: parts.index,
    status: admin,
    settings: admin,
    governance: admin,
    leases: admin,
    rounds: admin,
    audit: { audit: (...a) => admin.audit(...a), auditLog: (limit) => admin.auditLog(limit), auditMentioning: (address) => admin.auditMentioning(address) },
    secrets: parts.secrets,
    messages: new ImportedMessages(db),
    async close() {
      if (db.open) db.close();
    },
  };
}
