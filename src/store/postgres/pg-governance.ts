/**
 * Blocklist, suppressions, CRM deletions owed and privacy jobs in a tenant's PostgreSQL schema
 * (`GovernanceStore`), answering as the SQLite admin store does. A privacy job's result is sealed.
 */
import type pg from 'pg';
import type { Blocklist } from '../../core/types.js';
import type { BlocklistEntry, CrmDeletionRow, PrivacyJob, PrivacyJobState } from '../admin-store.js';
import type { GovernanceStore } from '../store-ports.js';
import type { FieldCrypto } from './field-crypto.js';
import { inTransaction } from './pg-ledger.js';

/**
 * Tables a purge empties: every table of the tenant's schema except the migrations' version
 * table, the CRM deletions still owed (a purge pays them) and the leases a running process holds.
 */
const KEPT_BY_PURGE = ['schema_migrations', 'crm_deletions', 'leases'];

async function tenantTables(q: pg.Pool | pg.PoolClient, s: string): Promise<string[]> {
  const schema = s.slice(1, -1).replace(/""/g, '"');
  const r = await q.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
    [schema],
  );
  return r.rows.map((row) => row.t).filter((t) => !KEPT_BY_PURGE.includes(t));
}

interface JobRow {
  id: string;
  kind: string;
  subject: string;
  state: PrivacyJobState;
  requested_by: string;
  created_at: string;
  updated_at: string;
  result: Buffer | null;
  error: string | null;
}

type Queryable = pg.Pool | pg.PoolClient;

/** Owes CRM deletions (already-owed ids keep their first reason); also run inside a removal's transaction. */
export async function oweCrmDeletions(q: Queryable, s: string, crmIds: readonly string[], reason: string, at: string): Promise<void> {
  if (!crmIds.length) return;
  await q.query(`INSERT INTO ${s}.crm_deletions (crm_id, reason, queued_at) SELECT unnest($1::text[]), $2, $3 ON CONFLICT DO NOTHING`, [[...crmIds], reason, at]);
}

/** Sets a privacy job's state with its sealed result; also run inside an erase's removal transaction. */
export async function writePrivacyJobState(
  q: Queryable, s: string, crypto: FieldCrypto, id: string, state: PrivacyJobState, result: unknown, error: string | null, at: string,
): Promise<void> {
  const sealed = result === null ? null : crypto.seal(JSON.stringify(result), `privacy_jobs.result:${id}`);
  await q.query(`UPDATE ${s}.privacy_jobs SET state = $1, result = $2, error = $3, updated_at = $4 WHERE id = $5`, [state, sealed, error, at, id]);
}

export class PgGovernanceStore implements GovernanceStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly s: string,
    private readonly crypto: FieldCrypto,
    private readonly now: () => Date,
  ) {}

  async blocklist(): Promise<Blocklist> {
    const out: Blocklist = { addresses: [], domains: [], phrases: [] };
    for (const row of await this.blocklistEntries()) {
      if (row.kind === 'address') out.addresses.push(row.value);
      else if (row.kind === 'domain') out.domains.push(row.value);
      else out.phrases.push(row.value);
    }
    return out;
  }

  async addBlocklistEntry(kind: BlocklistEntry['kind'], value: string, addedBy: string): Promise<boolean> {
    const r = await this.pool.query(`INSERT INTO ${this.s}.blocklist (kind, value, added_at, added_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
      kind, value, this.now().toISOString(), addedBy,
    ]);
    return r.rowCount! > 0;
  }

  async removeBlocklistEntry(kind: BlocklistEntry['kind'], value: string): Promise<boolean> {
    return (await this.pool.query(`DELETE FROM ${this.s}.blocklist WHERE kind = $1 AND value = $2`, [kind, value])).rowCount! > 0;
  }

  async blocklistEntries(): Promise<BlocklistEntry[]> {
    // COLLATE "C": the byte order SQLite sorts in, whatever the database's locale.
    const r = await this.pool.query(`SELECT kind, value, added_at, added_by FROM ${this.s}.blocklist ORDER BY kind COLLATE "C", value COLLATE "C"`);
    return r.rows.map((row) => ({ kind: row.kind, value: row.value, addedAt: row.added_at, addedBy: row.added_by }));
  }

  async suppressed(): Promise<string[]> {
    return (await this.pool.query<{ address: string }>(`SELECT address FROM ${this.s}.suppressions ORDER BY address COLLATE "C"`)).rows.map((r) => r.address);
  }

  async suppress(address: string, jobId: string | null): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.s}.suppressions (address, added_at, job_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [address, this.now().toISOString(), jobId]);
  }

  async suppression(address: string): Promise<{ address: string; addedAt: string; jobId: string | null } | null> {
    const row = (await this.pool.query(`SELECT address, added_at, job_id FROM ${this.s}.suppressions WHERE address = $1`, [address])).rows[0];
    return row ? { address: row.address, addedAt: row.added_at, jobId: row.job_id } : null;
  }

  async oweCrmDeletions(crmIds: readonly string[], reason: string): Promise<void> {
    await oweCrmDeletions(this.pool, this.s, crmIds, reason, this.now().toISOString());
  }

  async crmDeletionsOwed(limit = 10_000): Promise<CrmDeletionRow[]> {
    const r = await this.pool.query(`SELECT * FROM ${this.s}.crm_deletions ORDER BY queued_at, crm_id COLLATE "C" LIMIT $1`, [limit]);
    return r.rows.map((row) => ({ crmId: row.crm_id, reason: row.reason, queuedAt: row.queued_at, attempts: row.attempts, lastError: row.last_error }));
  }

  async crmDeletionsOwedCount(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.crm_deletions`)).rows[0]!.n);
  }

  async crmDeletionsPaid(crmIds: readonly string[]): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.s}.crm_deletions WHERE crm_id = ANY($1)`, [[...crmIds]]);
  }

  async crmDeletionsFailed(crmIds: readonly string[], error: string): Promise<void> {
    await this.pool.query(`UPDATE ${this.s}.crm_deletions SET attempts = attempts + 1, last_error = $1 WHERE crm_id = ANY($2)`, [error, [...crmIds]]);
  }

  async createPrivacyJob(id: string, kind: string, subject: string, requestedBy: string): Promise<void> {
    const at = this.now().toISOString();
    await this.pool.query(
      `INSERT INTO ${this.s}.privacy_jobs (id, kind, subject, state, requested_by, created_at, updated_at) VALUES ($1, $2, $3, 'queued', $4, $5, $5)`,
      [id, kind, subject, requestedBy, at],
    );
  }

  async privacyJob(id: string): Promise<PrivacyJob | null> {
    const row = (await this.pool.query<JobRow>(`SELECT * FROM ${this.s}.privacy_jobs WHERE id = $1`, [id])).rows[0];
    return row ? this.toJob(row) : null;
  }

  async privacyJobsFor(subject: string): Promise<PrivacyJob[]> {
    const r = await this.pool.query<JobRow>(`SELECT * FROM ${this.s}.privacy_jobs WHERE subject = $1 ORDER BY created_at`, [subject]);
    return r.rows.map((row) => this.toJob(row));
  }

  async openPrivacyJobs(): Promise<PrivacyJob[]> {
    const r = await this.pool.query<JobRow>(`SELECT * FROM ${this.s}.privacy_jobs WHERE state IN ('queued', 'running') ORDER BY created_at, id COLLATE "C"`);
    return r.rows.map((row) => this.toJob(row));
  }

  async setPrivacyJobState(id: string, state: PrivacyJobState, result: unknown = null, error: string | null = null): Promise<void> {
    await writePrivacyJobState(this.pool, this.s, this.crypto, id, state, result, error, this.now().toISOString());
  }

  async tableRows(): Promise<Record<string, number>> {
    const rows: Record<string, number> = {};
    for (const t of await tenantTables(this.pool, this.s)) {
      rows[t] = Number((await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}."${t}"`)).rows[0]?.n ?? 0);
    }
    rows.crm_deletions = await this.crmDeletionsOwedCount();
    return rows;
  }

  async purgeTenant(reasons: { emails: string; meetings: string }): Promise<{ emails: number; meetings: number }> {
    const at = this.now().toISOString();
    return inTransaction(this.pool, async (c) => {
      const ids = async (table: string) => (await c.query<{ crm_id: string }>(`SELECT DISTINCT crm_id FROM ${this.s}.${table} WHERE crm_id <> ''`)).rows.map((r) => r.crm_id);
      const emails = await ids('ledger');
      const meetings = await ids('meetings');
      await oweCrmDeletions(c, this.s, emails, reasons.emails, at);
      await oweCrmDeletions(c, this.s, meetings, reasons.meetings, at);
      const tables = await tenantTables(c, this.s);
      if (tables.length) await c.query(`TRUNCATE ${tables.map((t) => `${this.s}."${t}"`).join(', ')}`);
      return { emails: emails.length, meetings: meetings.length };
    });
  }

  private toJob(r: JobRow): PrivacyJob {
    return {
      id: r.id,
      kind: r.kind,
      subject: r.subject,
      state: r.state,
      requestedBy: r.requested_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      result: r.result ? JSON.parse(this.crypto.open(r.result, `privacy_jobs.result:${r.id}`)) : null,
      error: r.error,
    };
  }
}
