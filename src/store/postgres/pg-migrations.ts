/**
 * Versioned migrations of a tenant's PostgreSQL schema (one schema per tenant: see
 * docs/scale-out.md), tracked in `<schema>.schema_migrations`. `mailbridge migrate` applies
 * them under an advisory lock, each in its own transaction with its version row; start-up only
 * checks, and refuses an out-of-date schema naming the command. Append; never edit a shipped one.
 */
import type pg from 'pg';

export interface PgMigration {
  version: number;
  name: string;
  sql(schema: string): string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'sync state, ledger with claims, encrypted text with blind search terms, admin state, domain index',
    sql: (s) => `
      CREATE TABLE ${s}.cursors (
        mailbox_id text NOT NULL, folder text NOT NULL, cursor text, updated_at timestamptz NOT NULL,
        PRIMARY KEY (mailbox_id, folder));
      CREATE TABLE ${s}.ledger (
        key text PRIMARY KEY, crm_id text NOT NULL, mailbox_id text NOT NULL, direction text NOT NULL,
        sent_at text NOT NULL, subject bytea NOT NULL, message_id text, in_reply_to text,
        related_to_id text, owner_id text, explanation bytea NOT NULL, recorded_at timestamptz NOT NULL);
      CREATE INDEX ledger_by_sent_at ON ${s}.ledger (sent_at);
      -- No foreign key: holders may arrive while the claimant's write is in flight.
      CREATE TABLE ${s}.ledger_holders (key text NOT NULL, mailbox_id text NOT NULL, PRIMARY KEY (key, mailbox_id));
      CREATE TABLE ${s}.ledger_participants (
        key text NOT NULL REFERENCES ${s}.ledger (key) ON DELETE CASCADE, address text NOT NULL, role text NOT NULL,
        PRIMARY KEY (key, address, role));
      CREATE INDEX ledger_participants_by_address ON ${s}.ledger_participants (address);
      CREATE TABLE ${s}.ledger_records (
        key text NOT NULL REFERENCES ${s}.ledger (key) ON DELETE CASCADE, kind text NOT NULL, record_id text NOT NULL,
        PRIMARY KEY (key, kind, record_id));
      CREATE INDEX ledger_records_by_record ON ${s}.ledger_records (kind, record_id);
      CREATE TABLE ${s}.ledger_claims (key text PRIMARY KEY, mailbox_id text NOT NULL, claimed_at timestamptz NOT NULL);
      CREATE TABLE ${s}.claim_holders (
        key text NOT NULL REFERENCES ${s}.ledger_claims (key) ON DELETE CASCADE, mailbox_id text NOT NULL,
        PRIMARY KEY (key, mailbox_id));
      -- Sealed text; terms are keyed hashes of its words (a blind index), searched through GIN.
      CREATE TABLE ${s}.message_text (
        key text PRIMARY KEY REFERENCES ${s}.ledger (key) ON DELETE CASCADE, body bytea NOT NULL, terms tsvector NOT NULL);
      CREATE INDEX message_text_terms ON ${s}.message_text USING gin (terms);
      CREATE TABLE ${s}.crm_cursors (crm text PRIMARY KEY, cursor text, updated_at timestamptz NOT NULL);
      CREATE TABLE ${s}.secrets (key text PRIMARY KEY, value bytea NOT NULL, updated_at timestamptz NOT NULL);
      CREATE TABLE ${s}.reason_counts (
        mailbox_id text NOT NULL, reason text NOT NULL, count bigint NOT NULL, PRIMARY KEY (mailbox_id, reason));
      CREATE TABLE ${s}.forgotten (key_hash text PRIMARY KEY, forgotten_at timestamptz NOT NULL);
      CREATE TABLE ${s}.mailbox_status (
        address text PRIMARY KEY, mailbox_id text, connection text NOT NULL, last_sync_at text, last_ok_at text,
        last_error text, last_result jsonb);
      CREATE TABLE ${s}.settings (key text PRIMARY KEY, value text NOT NULL);
      CREATE TABLE ${s}.audit_log (
        id bigserial PRIMARY KEY, at text NOT NULL, actor text NOT NULL, action text NOT NULL, target text, detail jsonb);
      CREATE INDEX audit_log_by_at ON ${s}.audit_log (at);
    `,
  },
  {
    version: 2,
    name: 'domain index: records with their lookup keys, deal contact roles',
    sql: (s) => `
      -- A CRM record as pulled (jsonb); account_id for contacts and deals.
      CREATE TABLE ${s}.index_records (
        kind text NOT NULL, id text NOT NULL, account_id text, data jsonb NOT NULL, PRIMARY KEY (kind, id));
      CREATE INDEX index_records_by_account ON ${s}.index_records (kind, account_id);
      -- Normalised lookup keys (index-keys.ts): lookup is contact, contact-domain, account, lead,
      -- lead-domain or user.
      CREATE TABLE ${s}.index_keys (
        key text NOT NULL, lookup text NOT NULL, id text NOT NULL, PRIMARY KEY (key, lookup, id));
      CREATE INDEX index_keys_by_record ON ${s}.index_keys (lookup, id);
      CREATE TABLE ${s}.index_deal_roles (deal_id text NOT NULL, contact_id text NOT NULL, PRIMARY KEY (deal_id, contact_id));
      CREATE INDEX index_deal_roles_by_contact ON ${s}.index_deal_roles (contact_id);
    `,
  },
  {
    version: 3,
    name: 'governance: blocklist, suppressions, CRM deletions owed, privacy jobs',
    sql: (s) => `
      CREATE TABLE ${s}.blocklist (
        kind text NOT NULL, value text NOT NULL, added_at text NOT NULL, added_by text NOT NULL, PRIMARY KEY (kind, value));
      CREATE TABLE ${s}.suppressions (address text PRIMARY KEY, added_at text NOT NULL, job_id text);
      CREATE TABLE ${s}.crm_deletions (
        crm_id text PRIMARY KEY, reason text NOT NULL, queued_at text NOT NULL, attempts int NOT NULL DEFAULT 0, last_error text);
      -- result is sealed: an access request's answer holds the person's mail.
      CREATE TABLE ${s}.privacy_jobs (
        id text PRIMARY KEY, kind text NOT NULL, subject text NOT NULL, state text NOT NULL, requested_by text NOT NULL,
        created_at text NOT NULL, updated_at text NOT NULL, result bytea, error text);
      CREATE INDEX privacy_jobs_by_subject ON ${s}.privacy_jobs (subject);
    `,
  },
  {
    version: 4,
    name: 're-association work list',
    sql: (s) => `
      -- Ledger keys a CRM change touched, to decide again (docs/rules.md "Re-association").
      CREATE TABLE ${s}.reassociation_queue (
        key text PRIMARY KEY REFERENCES ${s}.ledger (key) ON DELETE CASCADE, sent_at text NOT NULL, queued_at timestamptz NOT NULL);
      CREATE INDEX reassociation_queue_by_sent_at ON ${s}.reassociation_queue (sent_at);
    `,
  },
  {
    version: 5,
    name: 'meetings: ledger (sealed activity), holders, attendees, records, calendar cursors',
    sql: (s) => `
      CREATE TABLE ${s}.calendar_cursors (mailbox_id text PRIMARY KEY, cursor text, updated_at timestamptz NOT NULL);
      CREATE TABLE ${s}.meeting_reason_counts (
        mailbox_id text NOT NULL, reason text NOT NULL, count bigint NOT NULL, PRIMARY KEY (mailbox_id, reason));
      -- activity (title, description, explanation) is sealed: only imported meetings have rows.
      CREATE TABLE ${s}.meetings (
        key text PRIMARY KEY, crm_id text NOT NULL, mailbox_id text NOT NULL, start_at text NOT NULL, end_at text NOT NULL,
        last_modified text, status text NOT NULL, activity bytea NOT NULL, recorded_at timestamptz NOT NULL);
      CREATE INDEX meetings_by_end ON ${s}.meetings (end_at);
      CREATE TABLE ${s}.meeting_claims (key text PRIMARY KEY, mailbox_id text NOT NULL, claimed_at timestamptz NOT NULL);
      -- No foreign key: holders may arrive while the claimant's write is in flight.
      CREATE TABLE ${s}.meeting_holders (
        key text NOT NULL, mailbox_id text NOT NULL, event_id text NOT NULL, PRIMARY KEY (key, mailbox_id));
      CREATE INDEX meeting_holders_by_event ON ${s}.meeting_holders (mailbox_id, event_id);
      CREATE TABLE ${s}.meeting_attendees (
        key text NOT NULL REFERENCES ${s}.meetings (key) ON DELETE CASCADE, address text NOT NULL, PRIMARY KEY (key, address));
      CREATE INDEX meeting_attendees_by_address ON ${s}.meeting_attendees (address);
      CREATE TABLE ${s}.meeting_records (
        key text NOT NULL REFERENCES ${s}.meetings (key) ON DELETE CASCADE, kind text NOT NULL, record_id text NOT NULL,
        PRIMARY KEY (key, kind, record_id));
    `,
  },
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** The tenant's schema version (0 when the schema or its table does not exist yet). */
export async function pgSchemaVersion(client: pg.ClientBase | pg.Pool, schema: string): Promise<number> {
  const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${schema}.schema_migrations`]);
  if (!exists.rows[0]?.t) return 0;
  const r = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${schema}.schema_migrations`);
  return r.rows[0]?.v ?? 0;
}

/** Brings the schema to the newest version; returns the versions applied. */
export async function migratePg(pool: pg.Pool, schema: string, schemaName: string): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    // Two `migrate` runs at once (two machines rolling out) take turns.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [schemaName]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const current = await pgSchemaVersion(client, schema);
      if (current > PG_SCHEMA_VERSION) throw new Error(`schema ${schemaName} is at version ${current}, newer than this mailbridge (${PG_SCHEMA_VERSION}): upgrade mailbridge`);
      for (const m of PG_MIGRATIONS.slice(current)) {
        await client.query('BEGIN');
        try {
          await client.query(m.sql(schema));
          await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
        applied.push(m.version);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [schemaName]);
    }
  } finally {
    client.release();
  }
  return applied;
}
