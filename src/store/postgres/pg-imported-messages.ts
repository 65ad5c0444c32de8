/**
 * Imported mail read back for admins from a tenant's PostgreSQL schema (`messages list|search`,
 * `explain`), as the embedded store gives it (imported-messages.ts): subject and explanation
 * opened, the sender from the participants, holders as mailbox addresses, CRM records by kind.
 * Search goes through the ledger's blind terms (`searchText`).
 */
import type pg from 'pg';
import type { CrmIds, ImportedMessage } from '../imported-messages.js';
import type { ImportedMessageStore, LedgerStore } from '../store-ports.js';
import type { FieldCrypto } from './field-crypto.js';

interface Row {
  key: string;
  crm_id: string;
  message_id: string | null;
  subject: Buffer;
  sent_at: string;
  direction: string;
  from_address: string | null;
  explanation: Buffer;
  recorded_at: Date;
  holders: string[];
  records: [string, string][];
}

const KIND_FIELD = { contact: 'contacts', account: 'accounts', lead: 'leads', deal: 'deals', user: 'users' } as const;

export class PgImportedMessages implements ImportedMessageStore {
  constructor(
    private readonly pool: pg.Pool,
    /** The quoted schema name. */
    private readonly s: string,
    private readonly crypto: FieldCrypto,
    private readonly ledger: Pick<LedgerStore, 'searchText'>,
  ) {}

  async byKey(key: string): Promise<ImportedMessage | null> {
    return (await this.messages([key]))[0] ?? null;
  }

  async list(limit: number): Promise<ImportedMessage[]> {
    const r = await this.pool.query<{ key: string }>(`SELECT key FROM ${this.s}.ledger ORDER BY sent_at COLLATE "C" DESC, key COLLATE "C" LIMIT $1`, [limit]);
    return this.messages(r.rows.map((row) => row.key));
  }

  async search(text: string, limit: number): Promise<ImportedMessage[]> {
    return this.messages(await this.ledger.searchText(text, limit));
  }

  /** The messages of `keys` in one query, in the order of `keys` (unknown keys left out). */
  private async messages(keys: readonly string[]): Promise<ImportedMessage[]> {
    if (!keys.length) return [];
    const s = this.s;
    // Byte order (COLLATE "C") as SQLite sorts, so both stores list holders and records alike.
    const r = await this.pool.query<Row>(
      `SELECT l.key, l.crm_id, l.message_id, l.subject, l.sent_at, l.direction, l.explanation, l.recorded_at,
              (SELECT p.address FROM ${s}.ledger_participants p WHERE p.key = l.key AND p.role = 'from' LIMIT 1) AS from_address,
              ARRAY(SELECT a FROM (SELECT coalesce((SELECT st.address FROM ${s}.mailbox_status st WHERE st.mailbox_id = h.mailbox_id LIMIT 1), h.mailbox_id) AS a
                                   FROM ${s}.ledger_holders h WHERE h.key = l.key) held ORDER BY a COLLATE "C") AS holders,
              coalesce((SELECT json_agg(json_build_array(r.kind, r.record_id) ORDER BY r.kind COLLATE "C", r.record_id COLLATE "C")
                        FROM ${s}.ledger_records r WHERE r.key = l.key), '[]'::json) AS records
       FROM ${s}.ledger l WHERE l.key = ANY($1::text[])`,
      [keys],
    );
    const byKey = new Map(r.rows.map((row) => [row.key, row]));
    return keys.flatMap((k) => {
      const row = byKey.get(k);
      return row ? [this.toMessage(row)] : [];
    });
  }

  private toMessage(r: Row): ImportedMessage {
    const crmIds: CrmIds = { activity: r.crm_id, contacts: [], accounts: [], leads: [], deals: [], users: [] };
    for (const [kind, id] of r.records) {
      const field = KIND_FIELD[kind as keyof typeof KIND_FIELD];
      if (field) crmIds[field].push(id);
    }
    return {
      key: r.key,
      messageId: r.message_id,
      subject: this.crypto.open(r.subject, `ledger.subject:${r.key}`),
      sentAt: r.sent_at,
      direction: r.direction,
      from: r.from_address ?? '',
      holders: r.holders,
      crmIds,
      explanation: this.crypto.open(r.explanation, `ledger.explanation:${r.key}`),
      recordedAt: r.recorded_at.toISOString(),
    };
  }
}
