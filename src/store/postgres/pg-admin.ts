/**
 * Mailbox status, settings, the audit log and provider secrets in a tenant's PostgreSQL schema.
 * Secrets are sealed (AES-256-GCM) with their key as authenticated context.
 */
import type pg from 'pg';
import type { TokenStore } from '../../providers/common/token-store.js';
import type { AuditEntry, MailboxStatusRow, SyncRoundRecord } from '../admin-store.js';
import type { AuditStore, LeaseStore, MailboxStatusStore, RoundStore, SettingsStore } from '../store-ports.js';
import type { FieldCrypto } from './field-crypto.js';

export class PgAdminStore implements MailboxStatusStore, SettingsStore, AuditStore, LeaseStore, RoundStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly s: string,
    private readonly now: () => Date,
  ) {}

  async setConnection(address: string, connection: string, mailboxId: string | null = null): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.mailbox_status (address, mailbox_id, connection) VALUES ($1, $2, $3)
       ON CONFLICT (address) DO UPDATE SET connection = excluded.connection,
         mailbox_id = coalesce(excluded.mailbox_id, mailbox_status.mailbox_id)`,
      [address.toLowerCase(), mailboxId, connection],
    );
  }

  async recordRun(address: string, mailboxId: string, error: string | null, result: unknown): Promise<void> {
    const at = this.now().toISOString();
    await this.pool.query(
      `INSERT INTO ${this.s}.mailbox_status (address, mailbox_id, connection, last_sync_at, last_ok_at, last_error, last_result)
       VALUES ($1, $2, 'connected', $3, $4, $5, $6)
       ON CONFLICT (address) DO UPDATE SET mailbox_id = excluded.mailbox_id, last_sync_at = excluded.last_sync_at,
         last_ok_at = coalesce(excluded.last_ok_at, mailbox_status.last_ok_at), last_error = excluded.last_error,
         last_result = excluded.last_result`,
      [address.toLowerCase(), mailboxId, at, error ? null : at, error, JSON.stringify(result)],
    );
  }

  async mailboxStatuses(): Promise<MailboxStatusRow[]> {
    const r = await this.pool.query(`SELECT * FROM ${this.s}.mailbox_status ORDER BY address`);
    return r.rows.map((row) => ({
      address: row.address,
      mailboxId: row.mailbox_id,
      connection: row.connection,
      lastSyncAt: row.last_sync_at,
      lastOkAt: row.last_ok_at,
      lastError: row.last_error,
      lastResult: row.last_result ?? null,
    }));
  }

  async markMailboxesFailing(addresses: readonly string[], error: string): Promise<void> {
    const list = [...new Set(addresses.map((a) => a.toLowerCase()))];
    if (!list.length) return;
    await this.pool.query(
      `INSERT INTO ${this.s}.mailbox_status (address, connection, last_sync_at, last_error)
       SELECT a, 'failing', $2, $3 FROM unnest($1::text[]) AS a
       ON CONFLICT (address) DO UPDATE SET connection = 'failing', last_sync_at = excluded.last_sync_at, last_error = excluded.last_error`,
      [list, this.now().toISOString(), error],
    );
  }

  async recordRound(r: SyncRoundRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.sync_rounds (started_at, finished_at, ok, stage, error_code, error_message, error_setting, totals)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.startedAt, r.finishedAt, r.ok, r.stage, r.error?.code ?? null, r.error?.message ?? null, r.error?.setting ?? null, r.totals === undefined || r.totals === null ? null : JSON.stringify(r.totals)],
    );
  }

  async syncRounds(limit = 20): Promise<SyncRoundRecord[]> {
    const r = await this.pool.query(`SELECT * FROM ${this.s}.sync_rounds ORDER BY id DESC LIMIT $1`, [limit]);
    return r.rows.map((row) => ({
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      ok: row.ok,
      stage: row.stage,
      error: row.error_code ? { code: row.error_code, message: row.error_message ?? '', setting: row.error_setting } : null,
      totals: row.totals ?? null,
    }));
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const r = await this.pool.query(
      `INSERT INTO ${this.s}.leases (name, holder, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.holder = excluded.holder OR leases.expires_at < $4`,
      [name, holder, new Date(now.getTime() + ttlMs), now],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async leaseHolder(name: string): Promise<{ holder: string; expiresAt: string } | null> {
    const row = (await this.pool.query<{ holder: string; expires_at: Date }>(`SELECT holder, expires_at FROM ${this.s}.leases WHERE name = $1`, [name])).rows[0];
    return row ? { holder: row.holder, expiresAt: row.expires_at.toISOString() } : null;
  }

  async takeOverLease(name: string, from: string, holder: string, ttlMs: number): Promise<boolean> {
    const r = await this.pool.query(`UPDATE ${this.s}.leases SET holder = $1, expires_at = $2 WHERE name = $3 AND holder = $4`, [
      holder, new Date(this.now().getTime() + ttlMs), name, from,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.s}.leases WHERE name = $1 AND holder = $2`, [name, holder]);
  }

  async setting(key: string): Promise<string | null> {
    return (await this.pool.query<{ value: string }>(`SELECT value FROM ${this.s}.settings WHERE key = $1`, [key])).rows[0]?.value ?? null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.s}.settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, value]);
  }

  async audit(actor: string, action: string, target: string | null, detail?: unknown): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.s}.audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)`, [
      this.now().toISOString(), actor, action, target, detail === undefined ? null : JSON.stringify(detail),
    ]);
  }

  async auditLog(limit = 100): Promise<AuditEntry[]> {
    const r = await this.pool.query(`SELECT id, at, actor, action, target, detail FROM ${this.s}.audit_log ORDER BY id DESC LIMIT $1`, [limit]);
    return r.rows.map((row) => ({ id: Number(row.id), at: row.at, actor: row.actor, action: row.action, target: row.target, detail: row.detail ?? null }));
  }

  async auditMentioning(address: string): Promise<AuditEntry[]> {
    const r = await this.pool.query(
      `SELECT id, at, actor, action, target, detail FROM ${this.s}.audit_log
       WHERE lower(target) = $1 OR lower(actor) = $1 OR strpos(lower(coalesce(detail::text, '')), $1) > 0 ORDER BY id`,
      [address],
    );
    return r.rows.map((row) => ({ id: Number(row.id), at: row.at, actor: row.actor, action: row.action, target: row.target, detail: row.detail ?? null }));
  }
}

export class PgSecretStore implements TokenStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly s: string,
    private readonly crypto: FieldCrypto,
  ) {}

  async get(key: string): Promise<string | null> {
    const row = (await this.pool.query<{ value: Buffer }>(`SELECT value FROM ${this.s}.secrets WHERE key = $1`, [key])).rows[0];
    return row ? this.crypto.open(row.value, `secrets:${key}`) : null;
  }

  async set(key: string, value: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.secrets (key, value, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, this.crypto.seal(value, `secrets:${key}`)],
    );
  }

  async delete(key: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.s}.secrets WHERE key = $1`, [key]);
  }
}
