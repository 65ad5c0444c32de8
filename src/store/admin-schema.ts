/**
 * Tables of administration and privacy (migration 3): the tenant's blocklist, the suppression
 * list of erased addresses, privacy jobs, the audit log, per-mailbox connection and run status,
 * CRM deletions still owed, scheduler leases, and settings. All inside the encrypted file.
 */
import type Database from 'better-sqlite3-multiple-ciphers';

export function createAdminSchema(db: Database.Database): void {
  db.exec(`
    -- kind: address | domain | phrase; value normalised (lower-cased, registrable domain).
    CREATE TABLE blocklist (
      kind TEXT NOT NULL,
      value TEXT NOT NULL,
      added_at TEXT NOT NULL,
      added_by TEXT NOT NULL,
      PRIMARY KEY (kind, value)
    ) WITHOUT ROWID;

    -- Erased addresses: never imported again (DESIGN §3).
    CREATE TABLE suppressions (
      address TEXT PRIMARY KEY,
      added_at TEXT NOT NULL,
      job_id TEXT
    ) WITHOUT ROWID;

    -- Asynchronous privacy requests (erase, access): state queued | running | done | failed.
    CREATE TABLE privacy_jobs (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      subject TEXT NOT NULL,
      state TEXT NOT NULL,
      requested_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      result TEXT,
      error TEXT
    ) WITHOUT ROWID;

    -- Who did what, when: admin and privacy actions. detail is JSON.
    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      target TEXT,
      detail TEXT
    );
    CREATE INDEX audit_log_by_at ON audit_log (at);

    -- Per mailbox: connection state (invited | connected | revoked | failing), last run.
    CREATE TABLE mailbox_status (
      address TEXT PRIMARY KEY,
      mailbox_id TEXT,
      connection TEXT NOT NULL,
      last_sync_at TEXT,
      last_ok_at TEXT,
      last_error TEXT,
      last_result TEXT
    ) WITHOUT ROWID;

    -- CRM activities to delete (purges, erasures, retention) not yet confirmed by the CRM:
    -- the local rows are gone, the debt stays until the CRM says it is paid.
    CREATE TABLE crm_deletions (
      crm_id TEXT PRIMARY KEY,
      reason TEXT NOT NULL,
      queued_at TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT
    ) WITHOUT ROWID;

    -- Scheduler leases: one holder per name (a tenant, a mailbox) until expires_at.
    CREATE TABLE leases (
      name TEXT PRIMARY KEY,
      holder TEXT NOT NULL,
      expires_at TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) WITHOUT ROWID;
  `);
}

/**
 * Migration 4: messages deleted on purpose (`messages delete`, retention, purges), remembered by
 * a SHA-256 of their dedupe key only, so a rescan (an expired cursor, a reconnected mailbox)
 * never imports them again while nothing readable of them is kept.
 */
export function createForgottenSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE forgotten (
      key_hash TEXT PRIMARY KEY,
      forgotten_at TEXT NOT NULL
    ) WITHOUT ROWID;
  `);
}

/**
 * Migration 5: every sync round's outcome, failed ones included (a CRM login, a refused
 * credential, the database), so `status` tells the last round even when it never reached a
 * mailbox. error_setting is the configuration path to check, when one can fix it.
 */
export function createSyncRoundsSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE sync_rounds (
      id INTEGER PRIMARY KEY,
      started_at TEXT NOT NULL,
      finished_at TEXT NOT NULL,
      ok INTEGER NOT NULL,
      stage TEXT,
      error_code TEXT,
      error_message TEXT,
      error_setting TEXT,
      totals TEXT
    );
  `);
}
