/**
 * Tables of the sync's own state: cursors, the ledger of written activities (with who holds
 * each email, who took part, and which CRM records it went to), the imported text under FTS5,
 * and per-mailbox reason counters. Rejected mail never reaches any of these: counters only.
 */
import type Database from 'better-sqlite3-multiple-ciphers';

export function createSyncSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE cursors (
      mailbox_id TEXT NOT NULL,
      folder TEXT NOT NULL,
      cursor TEXT,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (mailbox_id, folder)
    );

    CREATE TABLE ledger (
      key TEXT PRIMARY KEY,
      crm_id TEXT NOT NULL,
      mailbox_id TEXT NOT NULL,
      direction TEXT NOT NULL,
      sent_at TEXT NOT NULL,
      from_address TEXT NOT NULL,
      subject TEXT NOT NULL,
      message_id TEXT,
      in_reply_to TEXT,
      related_to_id TEXT,
      owner_id TEXT,
      explanation TEXT NOT NULL,
      recorded_at TEXT NOT NULL
    );
    CREATE INDEX ledger_by_sent_at ON ledger (sent_at);

    CREATE TABLE ledger_holders (
      key TEXT NOT NULL REFERENCES ledger (key) ON DELETE CASCADE,
      mailbox_id TEXT NOT NULL,
      PRIMARY KEY (key, mailbox_id)
    ) WITHOUT ROWID;

    -- Every participant address (Bcc included: an erase or a blocklist purge must find it).
    CREATE TABLE ledger_participants (
      key TEXT NOT NULL REFERENCES ledger (key) ON DELETE CASCADE,
      address TEXT NOT NULL,
      role TEXT NOT NULL,
      PRIMARY KEY (key, address, role)
    ) WITHOUT ROWID;
    CREATE INDEX ledger_participants_by_address ON ledger_participants (address);

    -- The CRM records an activity went to: contact, account, lead, deal, user.
    CREATE TABLE ledger_records (
      key TEXT NOT NULL REFERENCES ledger (key) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      record_id TEXT NOT NULL,
      PRIMARY KEY (key, kind, record_id)
    ) WITHOUT ROWID;
    CREATE INDEX ledger_records_by_record ON ledger_records (kind, record_id);

    -- Imported text, searchable for access requests and the timeline (inside the encrypted file).
    CREATE VIRTUAL TABLE message_text USING fts5 (key UNINDEXED, subject, body, participants);

    -- The CRM pull's resume point, per CRM connection.
    CREATE TABLE crm_cursors (
      crm TEXT PRIMARY KEY,
      cursor TEXT,
      updated_at TEXT NOT NULL
    ) WITHOUT ROWID;

    -- OAuth refresh tokens and MSAL caches of user-by-user connections (the file is encrypted).
    CREATE TABLE secrets (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE reason_counts (
      mailbox_id TEXT NOT NULL,
      reason TEXT NOT NULL,
      count INTEGER NOT NULL,
      PRIMARY KEY (mailbox_id, reason)
    ) WITHOUT ROWID;
  `);
}

/**
 * Migration 5: ledger claims for many workers (docs/scale-out.md). A claim is the unique key a
 * worker takes before writing an activity; holders that arrive while the write is in flight
 * wait in `claim_holders` and move onto the ledger row when it is recorded. A claim whose mail
 * is not written (rejected after its body was read) is released, so nothing of it stays.
 */
export function createClaimSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE ledger_claims (
      key TEXT PRIMARY KEY,
      mailbox_id TEXT NOT NULL,
      claimed_at TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE claim_holders (
      key TEXT NOT NULL REFERENCES ledger_claims (key) ON DELETE CASCADE,
      mailbox_id TEXT NOT NULL,
      PRIMARY KEY (key, mailbox_id)
    ) WITHOUT ROWID;
  `);
}

/**
 * Migration 8: the re-association work list (docs/rules.md "Re-association"). Ledger keys of
 * imported emails a CRM change touched, to decide again; a key leaves only with its ledger update.
 * ON DELETE CASCADE: an email erased meanwhile leaves the list with its ledger row.
 */
export function createReassociationSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE reassociation_queue (
      key TEXT PRIMARY KEY REFERENCES ledger (key) ON DELETE CASCADE,
      sent_at TEXT NOT NULL,
      queued_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX reassociation_queue_by_sent_at ON reassociation_queue (sent_at);
  `);
}
