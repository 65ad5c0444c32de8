/**
 * The shared PostgreSQL store: one connection pool for the process, one schema per tenant
 * (docs/scale-out.md says why). `tenant()` checks the schema is at this build's version and
 * refuses with the command to run when it is not; `migrate()` brings it there.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { StoreError } from '../store-errors.js';
import type { TenantStore } from '../store-ports.js';
import { FieldCrypto } from './field-crypto.js';
import { PgAdminStore, PgSecretStore } from './pg-admin.js';
import { PgDomainIndex } from './pg-domain-index.js';
import { PgGovernanceStore } from './pg-governance.js';
import { PgImportedMessages } from './pg-imported-messages.js';
import { PgLedgerStore } from './pg-ledger.js';
import { PgMeetingStore } from './pg-meetings.js';
import { migratePg, pgSchemaVersion, PG_SCHEMA_VERSION } from './pg-migrations.js';
import { resealTenant, sealedUnder, type ResealResult } from './pg-reseal.js';

/** A tenant's schema name: `t_<id>` lower-cased (ids are case-insensitively unique), within 63 bytes. */
export function tenantSchemaName(tenantId: string): string {
  const name = `t_${tenantId.toLowerCase()}`;
  if (name.length <= 63) return name;
  return `${name.slice(0, 50)}_${createHash('sha256').update(tenantId.toLowerCase()).digest('hex').slice(0, 12)}`;
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface PostgresStoreOptions {
  url: string;
  /** Connections per process; workers × this must stay under the server's max_connections. */
  maxConnections?: number;
}

export class PostgresStore {
  readonly pool: pg.Pool;

  constructor(opts: PostgresStoreOptions) {
    this.pool = new pg.Pool({ connectionString: opts.url, max: opts.maxConnections ?? 10 });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Creates or upgrades the tenant's schema; returns the versions applied. */
  migrate(tenantId: string): Promise<number[]> {
    const name = tenantSchemaName(tenantId);
    return migratePg(this.pool, quoted(name), name);
  }

  async schemaVersion(tenantId: string): Promise<number> {
    return pgSchemaVersion(this.pool, quoted(tenantSchemaName(tenantId)));
  }

  /**
   * The tenant's store. `databaseKey` (from the key provider) derives the tenant's encryption
   * keys; a schema not at this build's version is refused, naming `mailbridge migrate`.
   */
  async tenant(tenantId: string, databaseKey: string, now: () => Date = () => new Date(), pendingKey: string | null = null): Promise<TenantStore> {
    const name = tenantSchemaName(tenantId);
    const version = await this.schemaVersion(tenantId);
    if (version !== PG_SCHEMA_VERSION) {
      const what = version > PG_SCHEMA_VERSION ? 'newer than this mailbridge: upgrade mailbridge' : 'out of date: run `mailbridge migrate`';
      throw new StoreError(`PostgreSQL schema ${name} of tenant ${tenantId} is at version ${version}, this mailbridge needs ${PG_SCHEMA_VERSION}: ${what}`, name);
    }
    const s = quoted(name);
    const crypto = await this.cryptoOf(tenantId, s, databaseKey, pendingKey);
    const admin = new PgAdminStore(this.pool, s, now);
    const ledger = new PgLedgerStore(this.pool, s, crypto, now);
    return {
      kind: 'postgres',
      tenantId,
      ledger,
      meetings: new PgMeetingStore(this.pool, s, crypto, now),
      index: new PgDomainIndex(this.pool, s),
      status: admin,
      settings: admin,
      audit: admin,
      governance: new PgGovernanceStore(this.pool, s, crypto, now),
      leases: admin,
      rounds: admin,
      secrets: new PgSecretStore(this.pool, s, crypto),
      messages: new PgImportedMessages(this.pool, s, crypto, ledger),
      // The pool is the process's; `PostgresStore.close` ends it.
      async close() {},
    };
  }

  /**
   * The tenant's field crypto under the key its rows are sealed with: the current key, or the
   * pending one (`<keyFile>.next`) of a `key rotate` that re-sealed this tenant and was then
   * interrupted before the key file changed.
   */
  private async cryptoOf(tenantId: string, s: string, databaseKey: string, pendingKey: string | null): Promise<FieldCrypto> {
    const id = tenantId.toLowerCase();
    const recorded = await sealedUnder(this.pool, s);
    const candidates = [databaseKey, ...(pendingKey ? [pendingKey] : [])].map((k) => new FieldCrypto(k, id));
    if (recorded === null) return candidates[0]!;
    const match = candidates.find((c) => c.fingerprint === recorded);
    if (!match) throw new StoreError(`tenant ${tenantId}: its PostgreSQL rows are sealed under another database key; use the key they were sealed with (keyFile or MAILBRIDGE_DB_KEY)`, tenantSchemaName(tenantId));
    return match;
  }

  /** `key rotate`: re-seals the tenant's rows from one key to the other in one transaction. */
  reseal(tenantId: string, fromKey: string, toKey: string, holder: string, now: Date = new Date()): Promise<ResealResult> {
    return resealTenant(this.pool, quoted(tenantSchemaName(tenantId)), tenantId, fromKey, toKey, holder, now);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
