/**
 * The ledger, cursors and counters in a tenant's PostgreSQL schema (`LedgerStore`). Subjects,
 * explanations and text are sealed (AES-256-GCM); search uses blind terms. The claim is the
 * ledger_claims primary key: `INSERT … ON CONFLICT DO NOTHING`, then the row is locked, so two
 * workers never both win and a holder never slips past a claimant recording its import.
 */
import type pg from 'pg';
import type { ActivityLinks, ImportedAssociation, ImportRecord, LateMatchKey, LedgerFacts, ReassociationTouch, ScanFolder } from '../../core/ports.js';
import { bySentAt, cutoffBound } from '../ledger-admin.js';
import { addressMatcher, titleHas } from '../meeting-store.js';
import type { Forgotten, ForgetKeysOptions, LedgerMatcher, LedgerStore, LedgerSummary } from '../store-ports.js';
import { foldAssociations, foldFacts, keyHash, ledgerRows, LATE_MATCH_SETTING, MOVED_KINDS, movedRecords, searchWords, type LedgerRow } from '../sync-store.js';
import type { FieldCrypto } from './field-crypto.js';
import { oweCrmDeletions, writePrivacyJobState } from './pg-governance.js';

export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export class PgLedgerStore implements LedgerStore {
  constructor(
    private readonly pool: pg.Pool,
    /** The quoted schema name, e.g. `"t_acme"`. */
    private readonly s: string,
    private readonly crypto: FieldCrypto,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async cursor(mailboxId: string, folder: ScanFolder): Promise<string | null> {
    const r = await this.pool.query<{ cursor: string | null }>(`SELECT cursor FROM ${this.s}.cursors WHERE mailbox_id = $1 AND folder = $2`, [mailboxId, folder]);
    return r.rows[0]?.cursor ?? null;
  }

  async checkpoint(mailboxId: string, folder: ScanFolder, cursor: string | null, counts: Readonly<Record<string, number>>): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      for (const [reason, n] of Object.entries(counts)) {
        if (!n) continue;
        await c.query(
          `INSERT INTO ${this.s}.reason_counts (mailbox_id, reason, count) VALUES ($1, $2, $3)
           ON CONFLICT (mailbox_id, reason) DO UPDATE SET count = reason_counts.count + excluded.count`,
          [mailboxId, reason, n],
        );
      }
      await c.query(
        `INSERT INTO ${this.s}.cursors (mailbox_id, folder, cursor, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (mailbox_id, folder) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
        [mailboxId, folder, cursor],
      );
    });
  }

  async hasImported(key: string): Promise<boolean> {
    return (await this.pool.query(`SELECT 1 FROM ${this.s}.ledger WHERE key = $1`, [key])).rowCount! > 0;
  }

  async wasForgotten(key: string): Promise<boolean> {
    return (await this.pool.query(`SELECT 1 FROM ${this.s}.forgotten WHERE key_hash = $1`, [keyHash(key)])).rowCount! > 0;
  }

  async rememberForgotten(key: string): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.s}.forgotten (key_hash, forgotten_at) VALUES ($1, now()) ON CONFLICT DO NOTHING`, [keyHash(key)]);
  }

  /** The records imported emails went to (thread inheritance), in one round trip for a page's keys. */
  async importedAssociations(keys: readonly string[]): Promise<Map<string, ImportedAssociation>> {
    if (!keys.length) return new Map();
    const rows = await this.pool.query<{ key: string; crm_id: string; kind: string | null; record_id: string | null }>(
      `SELECT l.key, l.crm_id, r.kind, r.record_id FROM ${this.s}.ledger l LEFT JOIN ${this.s}.ledger_records r ON r.key = l.key
       WHERE l.key = ANY($1::text[]) ORDER BY l.key, r.kind, r.record_id`,
      [keys],
    );
    return foldAssociations(rows.rows);
  }

  /** Late-match keys carried between rounds: CRM keys only, in the tenant's settings. */
  async lateMatchQueue(): Promise<LateMatchKey[]> {
    const r = await this.pool.query<{ value: string }>(`SELECT value FROM ${this.s}.settings WHERE key = $1`, [LATE_MATCH_SETTING]);
    return r.rows[0] ? (JSON.parse(r.rows[0].value) as LateMatchKey[]) : [];
  }

  async saveLateMatchQueue(keys: readonly LateMatchKey[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [LATE_MATCH_SETTING, JSON.stringify(keys)],
    );
  }

  /** Imported emails in the window holding a changed record, address, or an address on a changed domain (or a subdomain). */
  async queueTouched(touch: ReassociationTouch, since: string): Promise<number> {
    const r = await this.pool.query(
      `INSERT INTO ${this.s}.reassociation_queue (key, sent_at, queued_at)
       SELECT l.key, l.sent_at, now() FROM ${this.s}.ledger l WHERE l.sent_at >= $1 AND (
         EXISTS (SELECT 1 FROM ${this.s}.ledger_records r WHERE r.key = l.key AND r.kind = ANY($5::text[]) AND r.record_id = ANY($2::text[]))
         OR EXISTS (SELECT 1 FROM ${this.s}.ledger_participants pa WHERE pa.key = l.key AND pa.address = ANY($3::text[]))
         OR EXISTS (SELECT 1 FROM ${this.s}.ledger_participants pa, unnest($4::text[]) d
                    WHERE pa.key = l.key AND right(pa.address, length(d) + 1) IN ('@' || d, '.' || d)))
       ON CONFLICT (key) DO NOTHING`,
      [since, touch.recordIds, touch.addresses, touch.domains, [...MOVED_KINDS]],
    );
    return r.rowCount ?? 0;
  }

  async reassociationQueue(limit: number): Promise<string[]> {
    const r = await this.pool.query<{ key: string }>(`SELECT key FROM ${this.s}.reassociation_queue ORDER BY sent_at, key LIMIT $1`, [limit]);
    return r.rows.map((row) => row.key);
  }

  async reassociationQueueSize(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.reassociation_queue`)).rows[0]?.n ?? 0);
  }

  async ledgerFacts(keys: readonly string[]): Promise<LedgerFacts[]> {
    if (!keys.length) return [];
    const rows = await this.pool.query<{ key: string; crm_id: string; sent_at: string; direction: string; in_reply_to: string | null; related_to_id: string | null; owner_id: string | null; explanation: Buffer }>(
      `SELECT key, crm_id, sent_at, direction, in_reply_to, related_to_id, owner_id, explanation FROM ${this.s}.ledger WHERE key = ANY($1::text[]) ORDER BY sent_at, key`,
      [keys],
    );
    const people = await this.pool.query<{ key: string; address: string; role: string }>(
      `SELECT key, address, role FROM ${this.s}.ledger_participants WHERE key = ANY($1::text[]) ORDER BY role, address`,
      [keys],
    );
    const records = await this.pool.query<{ key: string; kind: string; recordId: string }>(
      `SELECT key, kind, record_id AS "recordId" FROM ${this.s}.ledger_records WHERE key = ANY($1::text[]) ORDER BY kind, record_id`,
      [keys],
    );
    return rows.rows.map((row) =>
      foldFacts(
        row,
        this.crypto.open(row.explanation, `ledger.explanation:${row.key}`),
        people.rows.filter((p) => p.key === row.key).map(({ address, role }) => ({ address, role })),
        records.rows.filter((r) => r.key === row.key).map(({ kind, recordId }) => ({ kind, recordId })),
      ),
    );
  }

  async recordMove(key: string, crmId: string, links: ActivityLinks, explanation: string): Promise<void> {
    const moved = movedRecords(links);
    await inTransaction(this.pool, async (c) => {
      await c.query(`UPDATE ${this.s}.ledger SET crm_id = $1, related_to_id = $2, owner_id = $3, explanation = $4 WHERE key = $5`, [
        crmId, links.relatedToId, links.ownerId, this.crypto.seal(explanation, `ledger.explanation:${key}`), key,
      ]);
      await c.query(`DELETE FROM ${this.s}.ledger_records WHERE key = $1 AND kind = ANY($2::text[])`, [key, [...MOVED_KINDS]]);
      await c.query(
        `INSERT INTO ${this.s}.ledger_records (key, kind, record_id) SELECT $1, * FROM unnest($2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [key, moved.map((m) => m[0]), moved.map((m) => m[1])],
      );
      await c.query(`DELETE FROM ${this.s}.reassociation_queue WHERE key = $1`, [key]);
    });
  }

  async dropFromReassociation(keys: readonly string[]): Promise<void> {
    if (keys.length) await this.pool.query(`DELETE FROM ${this.s}.reassociation_queue WHERE key = ANY($1::text[])`, [keys]);
  }

  async addHolder(key: string, mailboxId: string): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.s}.ledger_holders (key, mailbox_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [key, mailboxId]);
  }

  async claim(key: string, mailboxId: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      await c.query(`INSERT INTO ${this.s}.ledger_claims (key, mailbox_id, claimed_at) VALUES ($1, $2, now()) ON CONFLICT (key) DO NOTHING`, [key, mailboxId]);
      const claimant = (await c.query<{ mailbox_id: string }>(`SELECT mailbox_id FROM ${this.s}.ledger_claims WHERE key = $1 FOR UPDATE`, [key])).rows[0]?.mailbox_id;
      const imported = (await c.query(`SELECT 1 FROM ${this.s}.ledger WHERE key = $1`, [key])).rowCount! > 0;
      if (imported) {
        await c.query(`INSERT INTO ${this.s}.ledger_holders (key, mailbox_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [key, mailboxId]);
        return false;
      }
      if (claimant === mailboxId) return true;
      await c.query(`INSERT INTO ${this.s}.claim_holders (key, mailbox_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [key, mailboxId]);
      return false;
    });
  }

  async releaseClaim(key: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.s}.ledger_claims WHERE key = $1`, [key]);
  }

  async recordImport(r: ImportRecord): Promise<void> {
    const a = r.activity;
    const { people, records } = ledgerRows(r);
    const terms = searchWords([a.subject, a.text, ...people.map(([address]) => address)].join(' ')).map((w) => this.crypto.term(w));
    await inTransaction(this.pool, async (c) => {
      // Serialises with a concurrent claim of the same key, so its holder lands on one side or the other.
      await c.query(`SELECT 1 FROM ${this.s}.ledger_claims WHERE key = $1 FOR UPDATE`, [r.key]);
      await c.query(
        `INSERT INTO ${this.s}.ledger (key, crm_id, mailbox_id, direction, sent_at, subject, message_id, in_reply_to,
                                      related_to_id, owner_id, explanation, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
         ON CONFLICT (key) DO UPDATE SET crm_id = excluded.crm_id`,
        [
          r.key, r.crmId, r.mailboxId, a.direction, a.sentAt, this.crypto.seal(a.subject, `ledger.subject:${r.key}`), a.messageId, a.inReplyTo,
          a.relatedToId, a.ownerId, this.crypto.seal(a.explanation, `ledger.explanation:${r.key}`),
        ],
      );
      await c.query(
        `INSERT INTO ${this.s}.ledger_holders (key, mailbox_id)
         SELECT $1, $2 UNION SELECT key, mailbox_id FROM ${this.s}.claim_holders WHERE key = $1
         ON CONFLICT DO NOTHING`,
        [r.key, r.mailboxId],
      );
      await c.query(
        `INSERT INTO ${this.s}.ledger_participants (key, address, role) SELECT $1, * FROM unnest($2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [r.key, people.map((p) => p[0]), people.map((p) => p[1])],
      );
      const flat = records.flatMap(([kind, ids]) => ids.map((id) => [kind, id]));
      await c.query(
        `INSERT INTO ${this.s}.ledger_records (key, kind, record_id) SELECT $1, * FROM unnest($2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [r.key, flat.map((f) => f[0]), flat.map((f) => f[1])],
      );
      await c.query(
        `INSERT INTO ${this.s}.message_text (key, body, terms) VALUES ($1, $2, to_tsvector('simple', $3))
         ON CONFLICT (key) DO UPDATE SET body = excluded.body, terms = excluded.terms`,
        [r.key, this.crypto.seal(a.text, `message_text.body:${r.key}`), terms.join(' ')],
      );
    });
  }

  async entry(key: string): Promise<LedgerRow | undefined> {
    const r = await this.pool.query<{ key: string; crm_id: string; mailbox_id: string; direction: string; sent_at: string; subject: Buffer; related_to_id: string | null; explanation: Buffer }>(
      `SELECT key, crm_id, mailbox_id, direction, sent_at, subject, related_to_id, explanation FROM ${this.s}.ledger WHERE key = $1`,
      [key],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    const holders = await this.pool.query<{ mailbox_id: string }>(`SELECT mailbox_id FROM ${this.s}.ledger_holders WHERE key = $1 ORDER BY mailbox_id`, [key]);
    return {
      key: row.key,
      crmId: row.crm_id,
      mailboxId: row.mailbox_id,
      direction: row.direction,
      sentAt: row.sent_at,
      subject: this.crypto.open(row.subject, `ledger.subject:${key}`),
      relatedToId: row.related_to_id,
      explanation: this.crypto.open(row.explanation, `ledger.explanation:${key}`),
      holders: holders.rows.map((h) => h.mailbox_id),
    };
  }

  async records(key: string): Promise<{ kind: string; recordId: string }[]> {
    const r = await this.pool.query<{ kind: string; recordId: string }>(
      `SELECT kind, record_id AS "recordId" FROM ${this.s}.ledger_records WHERE key = $1 ORDER BY kind, record_id`,
      [key],
    );
    return r.rows;
  }

  async participants(key: string): Promise<{ address: string; role: string }[]> {
    const r = await this.pool.query<{ address: string; role: string }>(
      `SELECT address, role FROM ${this.s}.ledger_participants WHERE key = $1 ORDER BY role, address`,
      [key],
    );
    return r.rows;
  }

  async searchText(words: string, limit = 100): Promise<string[]> {
    const terms = searchWords(words).map((w) => this.crypto.term(w));
    if (!terms.length) return [];
    const r = await this.pool.query<{ key: string }>(
      `SELECT key FROM ${this.s}.message_text WHERE terms @@ to_tsquery('simple', $1)
       ORDER BY ts_rank(terms, to_tsquery('simple', $1)) DESC, key LIMIT $2`,
      [terms.join(' & '), limit],
    );
    return r.rows.map((row) => row.key);
  }

  async crmCursor(crm: string): Promise<string | null> {
    return (await this.pool.query<{ cursor: string | null }>(`SELECT cursor FROM ${this.s}.crm_cursors WHERE crm = $1`, [crm])).rows[0]?.cursor ?? null;
  }

  async saveCrmCursor(crm: string, cursor: string | null): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.crm_cursors (crm, cursor, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (crm) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      [crm, cursor],
    );
  }

  async reasonCounts(mailboxId: string): Promise<Record<string, number>> {
    const r = await this.pool.query<{ reason: string; count: string }>(`SELECT reason, count FROM ${this.s}.reason_counts WHERE mailbox_id = $1`, [mailboxId]);
    return Object.fromEntries(r.rows.map((row) => [row.reason, Number(row.count)]));
  }

  // Admin and privacy. Subjects and text are sealed: matched after opening them here, in the process.

  async keysMatching(matcher: LedgerMatcher): Promise<string[]> {
    if (matcher.kind === 'phrase') {
      const rows = await this.pool.query<{ key: string; subject: Buffer }>(`SELECT key, subject FROM ${this.s}.ledger`);
      return rows.rows.filter((r) => titleHas(this.subjectOf(r), matcher.value)).map((r) => r.key).sort();
    }
    const wanted = addressMatcher(matcher);
    const rows = await this.pool.query<{ key: string; address: string }>(`SELECT DISTINCT key, address FROM ${this.s}.ledger_participants`);
    return [...new Set(rows.rows.filter((r) => wanted(r.address)).map((r) => r.key))].sort();
  }

  /** The blind terms narrow to messages holding every word of the address; the opened subject and text decide. */
  async keysMentioning(address: string): Promise<string[]> {
    const terms = searchWords(address).map((w) => this.crypto.term(w));
    if (!terms.length) return [];
    const r = await this.pool.query<{ key: string; subject: Buffer; body: Buffer }>(
      `SELECT t.key, l.subject, t.body FROM ${this.s}.message_text t JOIN ${this.s}.ledger l ON l.key = t.key
       WHERE t.terms @@ to_tsquery('simple', $1) ORDER BY t.key`,
      [terms.join(' & ')],
    );
    const needle = address.toLowerCase();
    return r.rows
      .filter((row) => `${this.subjectOf(row)}\n${this.crypto.open(row.body, `message_text.body:${row.key}`)}`.toLowerCase().includes(needle))
      .map((row) => row.key);
  }

  async summaries(keys: readonly string[]): Promise<LedgerSummary[]> {
    if (!keys.length) return [];
    const r = await this.pool.query<{ key: string; crm_id: string; sent_at: string; subject: Buffer }>(
      `SELECT key, crm_id, sent_at, subject FROM ${this.s}.ledger WHERE key = ANY($1::text[])`,
      [[...keys]],
    );
    return r.rows.map((row) => ({ key: row.key, crmId: row.crm_id, sentAt: row.sent_at, subject: this.subjectOf(row) })).sort(bySentAt);
  }

  async keysSentBefore(cutoff: Date): Promise<string[]> {
    const r = await this.pool.query<{ key: string; sent_at: string }>(`SELECT key, sent_at FROM ${this.s}.ledger WHERE sent_at < $1 ORDER BY sent_at`, [cutoffBound(cutoff)]);
    return r.rows.filter((row) => Date.parse(row.sent_at) < cutoff.getTime()).map((row) => row.key);
  }

  async crmIds(): Promise<string[]> {
    return (await this.pool.query<{ crm_id: string }>(`SELECT DISTINCT crm_id FROM ${this.s}.ledger WHERE crm_id <> ''`)).rows.map((r) => r.crm_id);
  }

  async findImported(id: string): Promise<{ key: string; crmId: string } | undefined> {
    const r = await this.pool.query<{ key: string; crmId: string }>(`SELECT key, crm_id AS "crmId" FROM ${this.s}.ledger WHERE key = $1 OR crm_id = $1 LIMIT 1`, [id]);
    return r.rows[0];
  }

  async accountIdsOf(key: string): Promise<string[]> {
    const r = await this.pool.query<{ id: string }>(
      `SELECT record_id AS id FROM ${this.s}.ledger_records WHERE key = $1 AND kind = 'account'
       UNION SELECT d.account_id FROM ${this.s}.ledger_records r JOIN ${this.s}.index_records d ON d.kind = 'deal' AND d.id = r.record_id
        WHERE r.key = $1 AND r.kind = 'deal' AND d.account_id IS NOT NULL`,
      [key],
    );
    return r.rows.map((row) => row.id).sort();
  }

  async forgetMessages(keys: readonly string[], opts: ForgetKeysOptions): Promise<Forgotten> {
    const unique = [...new Set(keys)];
    const at = this.now().toISOString();
    return inTransaction(this.pool, async (c) => {
      // Participants, records, text and the re-association entry cascade; holders and claims have no foreign key to the ledger.
      const gone = await c.query<{ key: string; crm_id: string }>(`DELETE FROM ${this.s}.ledger WHERE key = ANY($1::text[]) RETURNING key, crm_id`, [unique]);
      await c.query(`DELETE FROM ${this.s}.ledger_holders WHERE key = ANY($1::text[])`, [unique]);
      await c.query(`DELETE FROM ${this.s}.ledger_claims WHERE key = ANY($1::text[])`, [unique]);
      await c.query(
        `INSERT INTO ${this.s}.forgotten (key_hash, forgotten_at) SELECT h, now() FROM unnest($1::text[]) AS h ON CONFLICT DO NOTHING`,
        [gone.rows.map((row) => keyHash(row.key))],
      );
      const crmIds = [...new Set(gone.rows.map((row) => row.crm_id).filter(Boolean))];
      const messages = gone.rows.length;
      if (opts.oweReason !== null) await oweCrmDeletions(c, this.s, crmIds, opts.oweReason, at);
      if (opts.progress) {
        await writePrivacyJobState(c, this.s, this.crypto, opts.progress.jobId, 'running', opts.progress.result({ messages, crmIds: crmIds.length }), null, at);
      }
      return { messages, crmIds };
    });
  }

  private subjectOf(row: { key: string; subject: Buffer }): string {
    return this.crypto.open(row.subject, `ledger.subject:${row.key}`);
  }

  async importedCount(mailboxId?: string): Promise<number> {
    const r = mailboxId === undefined
      ? await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.ledger`)
      : await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.ledger_holders WHERE mailbox_id = $1`, [mailboxId]);
    return Number(r.rows[0]?.n ?? 0);
  }
}
