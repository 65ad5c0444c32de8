/**
 * Administration state in the encrypted database: the blocklist kept by `mailbridge blocklist`,
 * the suppression list, the audit log, per-mailbox connection and run status, leases.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { Blocklist } from '../core/types.js';
import { sqlitePurgeTenant, sqliteTableRows } from './tenant-purge.js';

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

/** One sync round's outcome (migration 5). */
export interface SyncRoundRecord {
  startedAt: string;
  finishedAt: string;
  /** False when the round stopped before its mailboxes were done (a mailbox's own failure is on the mailbox). */
  ok: boolean;
  /** Where a failed round stopped: housekeeping, crm, mailboxes, database. */
  stage: string | null;
  error: { code: string; message: string; setting: string | null } | null;
  totals: unknown;
}

export class SqliteAdminStore {
  private readonly stmt;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
    /** Called after a purge emptied the tables (the index drops its caches). */
    private readonly onPurged: () => void = () => undefined,
  ) {
    const p = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql);
    this.stmt = {
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
         VALUES (?, ?, 'connected', ?, ?, ?, ?)
         ON CONFLICT (address) DO UPDATE SET mailbox_id = excluded.mailbox_id, last_sync_at = excluded.last_sync_at,
           last_ok_at = coalesce(excluded.last_ok_at, mailbox_status.last_ok_at), last_error = excluded.last_error,
           last_result = excluded.last_result`,
      ),
      statuses: p<[], { address: string; mailbox_id: string | null; connection: string; last_sync_at: string | null; last_ok_at: string | null; last_error: string | null; last_result: string | null }>(
        'SELECT * FROM mailbox_status ORDER BY address',
      ),
      acquire: p<[string, string, string, string]>(
        `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at < ?`,
      ),
      release: p<[string, string]>('DELETE FROM leases WHERE name = ? AND holder = ?'),
      holder: p<[string], { holder: string; expires_at: string }>('SELECT holder, expires_at FROM leases WHERE name = ?'),
      takeOver: p<[string, string, string, string]>('UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND holder = ?'),
      getSetting: p<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: p<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  /** The database's blocklist (the config file's entries are merged by the caller). */
  blocklist(): Blocklist {
    const out: Blocklist = { addresses: [], domains: [], phrases: [] };
    for (const row of this.blocklistEntries()) {
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

  /**
   * A tenant-wide failure (a refused credential when listing mailboxes): every known mailbox is
   * marked failing with the error, configured ones not seen yet included.
   */
  markMailboxesFailing(addresses: readonly string[], error: string): void {
    const at = this.now().toISOString();
    const mark = this.db.prepare<[string, string, string]>(
      `INSERT INTO mailbox_status (address, connection, last_sync_at, last_error) VALUES (?, 'failing', ?, ?)
       ON CONFLICT (address) DO UPDATE SET connection = 'failing', last_sync_at = excluded.last_sync_at, last_error = excluded.last_error`,
    );
    this.db.transaction(() => {
      for (const a of new Set(addresses.map((x) => x.toLowerCase()))) mark.run(a, at, error);
    }).immediate();
  }

  recordRound(r: SyncRoundRecord): void {
    this.db
      .prepare<[string, string, number, string | null, string | null, string | null, string | null, string | null]>(
        `INSERT INTO sync_rounds (started_at, finished_at, ok, stage, error_code, error_message, error_setting, totals)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.startedAt, r.finishedAt, r.ok ? 1 : 0, r.stage, r.error?.code ?? null, r.error?.message ?? null, r.error?.setting ?? null, r.totals === undefined || r.totals === null ? null : JSON.stringify(r.totals));
  }

  /** The latest rounds, newest first. */
  syncRounds(limit = 20): SyncRoundRecord[] {
    type Row = { started_at: string; finished_at: string; ok: number; stage: string | null; error_code: string | null; error_message: string | null; error_setting: string | null; totals: string | null };
    return this.db
      .prepare<[number], Row>('SELECT * FROM sync_rounds ORDER BY id DESC LIMIT ?')
      .all(limit)
      .map((r) => ({
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        ok: r.ok === 1,
        stage: r.stage,
        error: r.error_code ? { code: r.error_code, message: r.error_message ?? '', setting: r.error_setting } : null,
        totals: r.totals ? JSON.parse(r.totals) : null,
      }));
  }

  /** Takes (or renews) the lease `name` for `holder` until `ttlMs` from now; false if another holds it. */
  acquireLease(name: string, holder: string, ttlMs: number): boolean {
    const now = this.now();
    const info = this.stmt.acquire.run(name, holder, new Date(now.getTime() + ttlMs).toISOString(), now.toISOString());
    return info.changes > 0;
  }

  /** Who holds the lease `name` now, if anyone. */
  leaseHolder(name: string): { holder: string; expiresAt: string } | null {
    const row = this.stmt.holder.get(name);
    return row ? { holder: row.holder, expiresAt: row.expires_at } : null;
  }

  /** Takes the lease from `from` (a holder known to be dead); false if it changed hands meanwhile. */
  takeOverLease(name: string, from: string, holder: string, ttlMs: number): boolean {
    const expires = new Date(this.now().getTime() + ttlMs).toISOString();
    return this.stmt.takeOver.run(holder, expires, name, from).changes > 0;
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

  // ---- Admin and privacy operations (blocklist edits, suppressions, CRM deletions owed,
  // privacy jobs). Statements are prepared on first use so tools that never run these pay nothing.

  private opsStmt?: ReturnType<SqliteAdminStore['prepareOps']>;

  private get ops() {
    this.opsStmt ??= this.prepareOps();
    return this.opsStmt;
  }

  private prepareOps() {
    const p = <P extends unknown[], R = unknown>(sql: string) => this.db.prepare<P, R>(sql);
    return {
      addBlock: p<[string, string, string, string]>('INSERT OR IGNORE INTO blocklist (kind, value, added_at, added_by) VALUES (?, ?, ?, ?)'),
      removeBlock: p<[string, string]>('DELETE FROM blocklist WHERE kind = ? AND value = ?'),
      blockEntries: p<[], { kind: BlocklistKind; value: string; added_at: string; added_by: string }>(
        'SELECT kind, value, added_at, added_by FROM blocklist ORDER BY kind, value',
      ),
      suppress: p<[string, string, string | null]>('INSERT OR IGNORE INTO suppressions (address, added_at, job_id) VALUES (?, ?, ?)'),
      suppression: p<[string], { address: string; added_at: string; job_id: string | null }>('SELECT * FROM suppressions WHERE address = ?'),
      owe: p<[string, string, string]>('INSERT OR IGNORE INTO crm_deletions (crm_id, reason, queued_at) VALUES (?, ?, ?)'),
      owed: p<[number], { crm_id: string; reason: string; queued_at: string; attempts: number; last_error: string | null }>(
        'SELECT * FROM crm_deletions ORDER BY queued_at, crm_id LIMIT ?',
      ),
      owedCount: p<[], number>('SELECT count(*) FROM crm_deletions').pluck(),
      paid: p<[string]>('DELETE FROM crm_deletions WHERE crm_id = ?'),
      failed: p<[string, string]>('UPDATE crm_deletions SET attempts = attempts + 1, last_error = ? WHERE crm_id = ?'),
      newJob: p<[string, string, string, string, string, string]>(
        `INSERT INTO privacy_jobs (id, kind, subject, state, requested_by, created_at, updated_at)
         VALUES (?, ?, ?, 'queued', ?, ?, ?)`,
      ),
      job: p<[string], PrivacyJobRow>('SELECT * FROM privacy_jobs WHERE id = ?'),
      jobsBySubject: p<[string], PrivacyJobRow>('SELECT * FROM privacy_jobs WHERE subject = ? ORDER BY created_at'),
      openJobs: p<[], PrivacyJobRow>("SELECT * FROM privacy_jobs WHERE state IN ('queued', 'running') ORDER BY created_at, id"),
      jobState: p<[string, string | null, string | null, string, string]>(
        'UPDATE privacy_jobs SET state = ?, result = ?, error = ?, updated_at = ? WHERE id = ?',
      ),
    };
  }

  /** Adds an entry to the database's blocklist; false when it was already there. */
  addBlocklistEntry(kind: BlocklistKind, value: string, addedBy: string): boolean {
    return this.ops.addBlock.run(kind, value, this.now().toISOString(), addedBy).changes > 0;
  }

  /** Removes an entry; false when there was none. */
  removeBlocklistEntry(kind: BlocklistKind, value: string): boolean {
    return this.ops.removeBlock.run(kind, value).changes > 0;
  }

  /** The database's blocklist with who added each entry and when. */
  blocklistEntries(): BlocklistEntry[] {
    return this.ops.blockEntries.all().map((r) => ({ kind: r.kind, value: r.value, addedAt: r.added_at, addedBy: r.added_by }));
  }

  /** Suppresses an (already normalised) address: it is never imported again. */
  suppress(address: string, jobId: string | null): void {
    this.ops.suppress.run(address, this.now().toISOString(), jobId);
  }

  suppression(address: string): { address: string; addedAt: string; jobId: string | null } | null {
    const row = this.ops.suppression.get(address);
    return row ? { address: row.address, addedAt: row.added_at, jobId: row.job_id } : null;
  }

  /** Records CRM activities still to delete (already-owed ids keep their first reason). */
  oweCrmDeletions(crmIds: readonly string[], reason: string): void {
    const at = this.now().toISOString();
    for (const id of crmIds) this.ops.owe.run(id, reason, at);
  }

  crmDeletionsOwed(limit = 10_000): CrmDeletionRow[] {
    return this.ops.owed.all(limit).map((r) => ({ crmId: r.crm_id, reason: r.reason, queuedAt: r.queued_at, attempts: r.attempts, lastError: r.last_error }));
  }

  crmDeletionsOwedCount(): number {
    return this.ops.owedCount.get() as number;
  }

  /** The CRM confirmed these deletions: the debt is paid. */
  crmDeletionsPaid(crmIds: readonly string[]): void {
    for (const id of crmIds) this.ops.paid.run(id);
  }

  crmDeletionsFailed(crmIds: readonly string[], error: string): void {
    for (const id of crmIds) this.ops.failed.run(error, id);
  }

  createPrivacyJob(id: string, kind: string, subject: string, requestedBy: string): void {
    const at = this.now().toISOString();
    this.ops.newJob.run(id, kind, subject, requestedBy, at, at);
  }

  privacyJob(id: string): PrivacyJob | null {
    const row = this.ops.job.get(id);
    return row ? toPrivacyJob(row) : null;
  }

  privacyJobsFor(subject: string): PrivacyJob[] {
    return this.ops.jobsBySubject.all(subject).map(toPrivacyJob);
  }

  /** Jobs still to run: queued ones, and running ones a crash interrupted. */
  openPrivacyJobs(): PrivacyJob[] {
    return this.ops.openJobs.all().map(toPrivacyJob);
  }

  setPrivacyJobState(id: string, state: PrivacyJobState, result: unknown = null, error: string | null = null): void {
    this.ops.jobState.run(state, result === null ? null : JSON.stringify(result), error, this.now().toISOString(), id);
  }

  /** Entries whose actor or target is the address, or whose detail mentions it, oldest first. */
  auditMentioning(address: string): AuditEntry[] {
    return this.db
      .prepare<[string, string, string], { id: number; at: string; actor: string; action: string; target: string | null; detail: string | null }>(
        `SELECT id, at, actor, action, target, detail FROM audit_log
         WHERE lower(target) = ? OR lower(actor) = ? OR instr(lower(coalesce(detail, '')), ?) > 0 ORDER BY id`,
      )
      .all(address, address, address)
      .map((r) => ({ ...r, detail: r.detail ? JSON.parse(r.detail) : null }));
  }

  tableRows(): Record<string, number> {
    return sqliteTableRows(this.db);
  }

  purgeTenant(reasons: { emails: string; meetings: string }): { emails: number; meetings: number } {
    const out = sqlitePurgeTenant(this.db, (ids, reason) => this.oweCrmDeletions(ids, reason), reasons);
    this.onPurged();
    return out;
  }
}

export interface BlocklistEntry {
  kind: BlocklistKind;
  value: string;
  addedAt: string;
  addedBy: string;
}

export interface CrmDeletionRow {
  crmId: string;
  reason: string;
  queuedAt: string;
  attempts: number;
  lastError: string | null;
}

export type PrivacyJobState = 'queued' | 'running' | 'done' | 'failed';

interface PrivacyJobRow {
  id: string;
  kind: string;
  subject: string;
  state: PrivacyJobState;
  requested_by: string;
  created_at: string;
  updated_at: string;
  result: string | null;
  error: string | null;
}

export interface PrivacyJob {
  id: string;
  kind: string;
  subject: string;
  state: PrivacyJobState;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  result: unknown;
  error: string | null;
}

function toPrivacyJob(r: PrivacyJobRow): PrivacyJob {
  return {
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    state: r.state,
    requestedBy: r.requested_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    result: r.result ? JSON.parse(r.result) : null,
    error: r.error,
  };
}
