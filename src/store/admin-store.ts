/**
 * Administration state in the encrypted database: the blocklist kept by `mailbridge blocklist`,
 * the suppression list, the audit log, per-mailbox connection and run status, leases.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { Blocklist } from '../core/types.js';

export type BlocklistKind = 'address' | 'domain' | 'phrase';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  detail: unknown;
}

export interface MailboxStatusRow {
  address: string;
  mailboxId: string | null;
  connection: string;
  lastSyncAt: string | null;
  lastOkAt: string | null;
  lastError: string | null;
  lastResult: unknown;
}

export class SqliteAdminStore {
  private readonly stmt;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    const p = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql);
    this.stmt = {
      blocklist: p<[], { kind: BlocklistKind; value: string }>('SELECT kind, value FROM blocklist ORDER BY kind, value'),
      suppressed: p<[], { address: string }>('SELECT address FROM suppressions').pluck(),
      audit: p<[string, string, string, string | null, string | null]>(
        'INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)',
      ),
      auditList: p<[number], { id: number; at: string; actor: string; action: string; target: string | null; detail: string | null }>(
        'SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?',
      ),
      connection: p<[string, string | null, string]>(
        `INSERT INTO mailbox_status (address, mailbox_id, connection) VALUES (?, ?, ?)
         ON CONFLICT (address) DO UPDATE SET connection = excluded.connection,
           mailbox_id = coalesce(excluded.mailbox_id, mailbox_status.mailbox_id)`,
      ),
      run: p<[string, string, string, string | null, string | null, string]>(
        `INSERT INTO mailbox_status (address, mailbox_id, connection, last_sync_at, last_ok_at, last_error, last_result)
         VALUES (?1, ?2, 'connected', ?3, ?4, ?5, ?6)
         ON CONFLICT (address) DO UPDATE SET mailbox_id = excluded.mailbox_id, last_sync_at = excluded.last_sync_at,
           last_ok_at = coalesce(excluded.last_ok_at, mailbox_status.last_ok_at), last_error = excluded.last_error,
           last_result = excluded.last_result`,
      ),
      statuses: p<[], { address: string; mailbox_id: string | null; connection: string; last_sync_at: string | null; last_ok_at: string | null; last_error: string | null; last_result: string | null }>(
        'SELECT * FROM mailbox_status ORDER BY address',
      ),
      acquire: p<[string, string, string, string]>(
        `INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at < ?4`,
      ),
      release: p<[string, string]>('DELETE FROM leases WHERE name = ? AND holder = ?'),
      getSetting: p<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: p<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  /** The database's blocklist (the config file's entries are merged by the caller). */
  blocklist(): Blocklist {
    const out: Blocklist = { addresses: [], domains: [], phrases: [] };
    for (const row of this.stmt.blocklist.all()) {
      if (row.kind === 'address') out.addresses.push(row.value);
      else if (row.kind === 'domain') out.domains.push(row.value);
      else out.phrases.push(row.value);
    }
    return out;
  }

  suppressed(): string[] {
    return this.stmt.suppressed.all() as unknown as string[];
  }

  audit(actor: string, action: string, target: string | null, detail?: unknown): void {
    this.stmt.audit.run(this.now().toISOString(), actor, action, target, detail === undefined ? null : JSON.stringify(detail));
  }

  auditLog(limit = 100): AuditEntry[] {
    return this.stmt.auditList.all(limit).map((r) => ({ ...r, detail: r.detail ? JSON.parse(r.detail) : null }));
  }

  setConnection(address: string, connection: string, mailboxId: string | null = null): void {
    this.stmt.connection.run(address.toLowerCase(), mailboxId, connection);
  }

  /** Records a mailbox's sync round: `error` null when it went through. */
  recordRun(address: string, mailboxId: string, error: string | null, result: unknown): void {
    const at = this.now().toISOString();
    this.stmt.run.run(address.toLowerCase(), mailboxId, at, error ? null : at, error, JSON.stringify(result));
  }

  mailboxStatuses(): MailboxStatusRow[] {
    return this.stmt.statuses.all().map((r) => ({
      address: r.address,
      mailboxId: r.mailbox_id,
      connection: r.connection,
      lastSyncAt: r.last_sync_at,
      lastOkAt: r.last_ok_at,
      lastError: r.last_error,
      lastResult: r.last_result ? JSON.parse(r.last_result) : null,
    }));
  }

  /** Takes (or renews) the lease `name` for `holder` until `ttlMs` from now; false if another holds it. */
  acquireLease(name: string, holder: string, ttlMs: number): boolean {
    const now = this.now();
    const info = this.stmt.acquire.run(name, holder, new Date(now.getTime() + ttlMs).toISOString(), now.toISOString());
    return info.changes > 0;
  }

  releaseLease(name: string, holder: string): void {
    this.stmt.release.run(name, holder);
  }

  setting(key: string): string | null {
    return this.stmt.getSetting.get(key)?.value ?? null;
  }

  setSetting(key: string, value: string): void {
    this.stmt.setSetting.run(key, value);
  }
}
