/**
 * What admin and privacy operations ask of the ledger, on the embedded file (`LedgerStore`'s
 * admin half; the PostgreSQL twin is in postgres/pg-ledger.ts). Ledger addresses are stored
 * lower-cased as they appeared, so they are normalised the engine's way before comparing
 * (plus-tags folded, IDN domains in ASCII): `Jane+news@Acme.com` matches `jane@acme.com`.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { SqliteAdminStore } from './admin-store.js';
import { addressMatcher, titleHas } from './meeting-store.js';
import type { Forgotten, ForgetKeysOptions, LedgerMatcher, LedgerSummary } from './store-ports.js';
import { prepareDropMessageText, prepareRememberForgotten } from './sync-store.js';

const DAY_MS = 86_400_000;

/** ISO bound with a day of slack (dates may carry an offset): narrows on the index, the exact test is on the instant. */
export const cutoffBound = (cutoff: Date): string => new Date(cutoff.getTime() + DAY_MS).toISOString();

/** Summaries oldest first, then by key: the same order on both stores. */
export const bySentAt = (a: LedgerSummary, b: LedgerSummary): number => a.sentAt.localeCompare(b.sentAt) || a.key.localeCompare(b.key);

export class SqliteLedgerAdmin {
  constructor(
    private readonly db: Database.Database,
    private readonly admin: () => SqliteAdminStore,
    private readonly now: () => Date,
  ) {}

  keysMatching(matcher: LedgerMatcher): string[] {
    const { db } = this;
    if (matcher.kind === 'phrase') {
      const keys: string[] = [];
      for (const row of db.prepare<[], { key: string; subject: string }>('SELECT key, subject FROM ledger ORDER BY key').iterate()) {
        if (titleHas(row.subject, matcher.value)) keys.push(row.key);
      }
      return keys;
    }
    const wanted = addressMatcher(matcher);
    const byAddress = db.prepare<[string], string>('SELECT DISTINCT key FROM ledger_participants WHERE address = ?').pluck();
    const keys = new Set<string>();
    for (const raw of db.prepare<[], string>('SELECT DISTINCT address FROM ledger_participants').pluck().all()) {
      if (wanted(raw)) for (const key of byAddress.all(raw)) keys.add(key);
    }
    return [...keys].sort();
  }

  /** An FTS5 phrase on subject and body: the tokenizer splits the address into words that must appear in order. */
  keysMentioning(address: string): string[] {
    const phrase = `"${address.replaceAll('"', '""')}"`;
    return this.db.prepare<[string], string>('SELECT DISTINCT key FROM message_text WHERE message_text MATCH ?').pluck().all(`{subject body} : ${phrase}`);
  }

  summaries(keys: readonly string[]): LedgerSummary[] {
    const get = this.db.prepare<[string], LedgerSummary>('SELECT key, crm_id AS crmId, sent_at AS sentAt, subject FROM ledger WHERE key = ?');
    return keys.map((key) => get.get(key)).filter((r): r is LedgerSummary => r !== undefined).sort(bySentAt);
  }

  keysSentBefore(cutoff: Date): string[] {
    const rows = this.db.prepare<[string], { key: string; sent_at: string }>('SELECT key, sent_at FROM ledger WHERE sent_at < ? ORDER BY sent_at').all(cutoffBound(cutoff));
    return rows.filter((r) => Date.parse(r.sent_at) < cutoff.getTime()).map((r) => r.key);
  }

  crmIds(): string[] {
    return this.db.prepare<[], string>("SELECT DISTINCT crm_id FROM ledger WHERE crm_id <> ''").pluck().all();
  }

  findImported(id: string): { key: string; crmId: string } | undefined {
    return this.db.prepare<[string, string], { key: string; crmId: string }>('SELECT key, crm_id AS crmId FROM ledger WHERE key = ? OR crm_id = ? LIMIT 1').get(id, id);
  }

  accountIdsOf(key: string): string[] {
    return this.db
      .prepare<[string, string], string>(
        `SELECT record_id FROM ledger_records WHERE key = ? AND kind = 'account'
         UNION SELECT d.account_id FROM ledger_records r JOIN deals d ON d.id = r.record_id
          WHERE r.key = ? AND r.kind = 'deal' AND d.account_id IS NOT NULL`,
      )
      .pluck()
      .all(key, key)
      .sort();
  }

  forgetMessages(keys: readonly string[], opts: ForgetKeysOptions): Forgotten {
    const { db } = this;
    const crmIdOf = db.prepare<[string], string>('SELECT crm_id FROM ledger WHERE key = ?').pluck();
    const dropText = prepareDropMessageText(db);
    const remember = prepareRememberForgotten(db, this.now);
    // Holders, participants, records and the re-association entry cascade; the FTS text does not.
    const dropLedger = db.prepare<[string]>('DELETE FROM ledger WHERE key = ?');
    const dropClaim = db.prepare<[string]>('DELETE FROM ledger_claims WHERE key = ?');
    const admin = this.admin();
    return db.transaction(() => {
      const crmIds = new Set<string>();
      let messages = 0;
      for (const key of new Set(keys)) {
        const crmId = crmIdOf.get(key);
        dropText.run(key);
        dropClaim.run(key);
        if (crmId === undefined) continue;
        dropLedger.run(key);
        remember(key);
        messages++;
        if (crmId) crmIds.add(crmId);
      }
      if (opts.oweReason !== null) admin.oweCrmDeletions([...crmIds], opts.oweReason);
      if (opts.progress) admin.setPrivacyJobState(opts.progress.jobId, 'running', opts.progress.result({ messages, crmIds: crmIds.size }));
      return { messages, crmIds: [...crmIds] };
    }).immediate();
  }
}
