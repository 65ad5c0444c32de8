/**
 * Read-only views of imported mail for admins on the embedded store (`ImportedMessageStore`; the
 * PostgreSQL one is postgres/pg-imported-messages.ts): one message by its ledger key (explain), the
 * newest messages (`messages list`), and full-text search over the FTS5 index
 * (`messages search`). Holders are shown as mailbox addresses, from the mailbox status table.
 */
import type { SqliteDatabase } from './database.js';
import type { ImportedMessageStore } from './store-ports.js';
import { searchWords } from './sync-store.js';

/** Where an imported email was written: its CRM activity and the records it hangs on. */
export interface CrmIds {
  activity: string;
  contacts: string[];
  accounts: string[];
  leads: string[];
  deals: string[];
  users: string[];
}

export interface ImportedMessage {
  key: string;
  messageId: string | null;
  subject: string;
  sentAt: string;
  direction: string;
  from: string;
  /** Addresses of the mailboxes holding it (a mailbox id when its address is unknown). */
  holders: string[];
  crmIds: CrmIds;
  /** The engine's explanation when it was written. */
  explanation: string;
  recordedAt: string;
}

interface LedgerRow {
  rowid: number;
  key: string;
  crm_id: string;
  message_id: string | null;
  subject: string;
  sent_at: string;
  direction: string;
  from_address: string;
  explanation: string;
  recorded_at: string;
}

const COLUMNS = 'l.rowid, l.key, l.crm_id, l.message_id, l.subject, l.sent_at, l.direction, l.from_address, l.explanation, l.recorded_at';
const KIND_FIELD = { contact: 'contacts', account: 'accounts', lead: 'leads', deal: 'deals', user: 'users' } as const;

/**
 * A search text as an FTS5 query: its words split as on every store (`searchWords`), each quoted
 * (so `AND`, `*`, `:` or quotes typed by the admin are never query syntax), all of them required.
 */
export function ftsQuery(text: string): string | null {
  const words = searchWords(text);
  return words.length ? words.map((w) => `"${w}"`).join(' ') : null;
}

/** The embedded store's `ImportedMessageStore`. */
export class ImportedMessages implements ImportedMessageStore {
  private readonly stmt;

  constructor(db: SqliteDatabase) {
    this.stmt = {
      byKey: db.prepare<[string], LedgerRow>(`SELECT ${COLUMNS} FROM ledger l WHERE l.key = ?`),
      newest: db.prepare<[number], LedgerRow>(`SELECT ${COLUMNS} FROM ledger l ORDER BY l.sent_at DESC, l.key LIMIT ?`),
      search: db.prepare<[string, number], LedgerRow>(
        `SELECT ${COLUMNS} FROM message_text t JOIN ledger l ON l.rowid = t.rowid
         WHERE message_text MATCH ? ORDER BY bm25(message_text), l.sent_at DESC LIMIT ?`,
      ),
      holders: db.prepare<[string], string>(
        `SELECT coalesce((SELECT s.address FROM mailbox_status s WHERE s.mailbox_id = h.mailbox_id LIMIT 1), h.mailbox_id)
         FROM ledger_holders h WHERE h.key = ? ORDER BY 1`,
      ).pluck(),
      records: db.prepare<[string], { kind: string; record_id: string }>('SELECT kind, record_id FROM ledger_records WHERE key = ? ORDER BY kind, record_id'),
    };
  }

  byKey(key: string): ImportedMessage | null {
    const row = this.stmt.byKey.get(key);
    return row ? this.toMessage(row) : null;
  }

  /** The newest imported messages, by send date. */
  list(limit: number): ImportedMessage[] {
    return this.stmt.newest.all(limit).map((r) => this.toMessage(r));
  }

  /** Messages whose subject, text or participants hold every word of `text`, best first. */
  search(text: string, limit: number): ImportedMessage[] {
    const query = ftsQuery(text);
    return query ? this.stmt.search.all(query, limit).map((r) => this.toMessage(r)) : [];
  }

  private toMessage(r: LedgerRow): ImportedMessage {
    const crmIds: CrmIds = { activity: r.crm_id, contacts: [], accounts: [], leads: [], deals: [], users: [] };
    for (const { kind, record_id } of this.stmt.records.all(r.key)) {
      const field = KIND_FIELD[kind as keyof typeof KIND_FIELD];
      if (field) crmIds[field].push(record_id);
    }
    return {
      key: r.key,
      messageId: r.message_id,
      subject: r.subject,
      sentAt: r.sent_at,
      direction: r.direction,
      from: r.from_address,
      holders: this.stmt.holders.all(r.key) as unknown as string[],
      crmIds,
      explanation: r.explanation,
      recordedAt: r.recorded_at,
    };
  }
}
