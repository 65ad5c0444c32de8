/**
 * The sync's durable state in the encrypted database (implements core's `SyncStore`): cursors,
 * the ledger of written activities, holders, and reason counters. A checkpoint saves the cursor
 * and the page's counts in one transaction; an import is recorded in one transaction too.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3-multiple-ciphers';
import { MAX_PARTICIPANTS } from '../core/participants.js';
import type { ActivityLinks, ImportedAssociation, ImportRecord, LateMatchKey, LedgerFacts, ReassociationStore, ReassociationTouch, ScanFolder, SyncStore } from '../core/ports.js';
import { SqliteAdminStore } from './admin-store.js';
import { SqliteLedgerAdmin } from './ledger-admin.js';
import type { Forgotten, ForgetKeysOptions, LedgerMatcher, LedgerSummary } from './store-ports.js';

export interface LedgerRow {
  key: string;
  crmId: string;
  mailboxId: string;
  direction: string;
  sentAt: string;
  subject: string;
  relatedToId: string | null;
  explanation: string;
  holders: string[];
}

/** Deletes a message's searchable text by its ledger key; run before the ledger row goes. */
const DROP_TEXT_SQL = 'DELETE FROM message_text WHERE rowid = (SELECT rowid FROM ledger WHERE key = ?)';

/**
 * Ledger rows joined with their records (one row per record, or one with nulls) folded into one
 * association per key; both stores read them the same way.
 */
export function foldAssociations(
  rows: readonly { key: string; crm_id: string; kind: string | null; record_id: string | null }[],
): Map<string, ImportedAssociation> {
  const out = new Map<string, ImportedAssociation>();
  const fields = { contact: 'contactIds', account: 'accountIds', lead: 'leadIds', deal: 'dealIds' } as const;
  for (const row of rows) {
    let a = out.get(row.key);
    if (!a) {
      a = { key: row.key, activityId: row.crm_id, contactIds: [], accountIds: [], leadIds: [], dealIds: [] };
      out.set(row.key, a);
    }
    const field = fields[row.kind as keyof typeof fields];
    if (field && row.record_id) a[field].push(row.record_id);
  }
  return out;
}

/**
 * What one import puts beside its ledger row, the same on every store: the participants (Bcc
 * lower-cased, blanks dropped, at most MAX_PARTICIPANTS: the core caps them, and the cap holds
 * here too, whoever calls) and the CRM records by kind.
 */
export function ledgerRows(r: ImportRecord): { people: [string, string][]; records: [string, readonly string[]][] } {
  const a = r.activity;
  const people = ([
    [a.from.address, 'from'],
    ...a.to.map((p): [string, string] => [p.address, 'to']),
    ...a.cc.map((p): [string, string] => [p.address, 'cc']),
    ...r.bcc.map((p): [string, string] => [p.address.trim().toLowerCase(), 'bcc']),
  ] as [string, string][]).filter(([address]) => address).slice(0, MAX_PARTICIPANTS);
  const records: [string, readonly string[]][] = [
    ['contact', a.contactIds],
    ['account', a.accountIds],
    ['lead', a.leadIds],
    ['deal', a.dealIds],
    ['user', a.userIds],
  ];
  return { people, records };
}

/** The ledger rows of one email folded into the facts re-association decides from; both stores read them the same way. */
export function foldFacts(
  row: { key: string; crm_id: string; sent_at: string; direction: string; in_reply_to: string | null; related_to_id: string | null; owner_id: string | null },
  explanation: string,
  participants: readonly { address: string; role: string }[],
  records: readonly { kind: string; recordId: string }[],
): LedgerFacts {
  const ids = (kind: string) => records.filter((r) => r.kind === kind).map((r) => r.recordId);
  const links: ActivityLinks = {
    contactIds: ids('contact'),
    accountIds: ids('account'),
    leadIds: ids('lead'),
    dealIds: ids('deal'),
    userIds: ids('user'),
    relatedToId: row.related_to_id,
    ownerId: row.owner_id,
  };
  // The role order participants were recorded in (From, To, Cc, Bcc), whatever the query's order.
  const order = ['from', 'to', 'cc', 'bcc'];
  const people = [...participants].sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role));
  return {
    key: row.key,
    crmId: row.crm_id,
    sentAt: row.sent_at,
    direction: row.direction === 'outbound' ? 'outbound' : 'inbound',
    participants: people,
    inReplyTo: row.in_reply_to,
    links,
    explanation,
  };
}

/** The record kinds a move replaces (users stay: they are who took part, not where it is filed). */
export const MOVED_KINDS = ['contact', 'account', 'lead', 'deal'] as const;

export function movedRecords(links: ActivityLinks): [string, string][] {
  return [
    ...links.contactIds.map((id): [string, string] => ['contact', id]),
    ...links.accountIds.map((id): [string, string] => ['account', id]),
    ...links.leadIds.map((id): [string, string] => ['lead', id]),
    ...links.dealIds.map((id): [string, string] => ['deal', id]),
  ];
}

/** Settings row holding the late-match keys carried between rounds. */
export const LATE_MATCH_SETTING = 'lateMatch.queue';

/** The words of a search, lower-cased: letters and digits only (the same split on every store). */
export function searchWords(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
}

export const keyHash = (key: string): string => createHash('sha256').update(key).digest('hex');

/** Remembers deleted messages by a hash of their key, so a rescan never imports them again. */
export function prepareRememberForgotten(db: Database.Database, now: () => Date = () => new Date()): (key: string) => void {
  const insert = db.prepare<[string, string]>('INSERT OR IGNORE INTO forgotten (key_hash, forgotten_at) VALUES (?, ?)');
  return (key) => void insert.run(keyHash(key), now().toISOString());
}

/** The one statement that removes a message's text (imports replace it, purges drop it). */
export function prepareDropMessageText(db: Database.Database): Database.Statement<[string]> {
  return db.prepare<[string]>(DROP_TEXT_SQL);
}

export class SqliteSyncStore implements SyncStore, ReassociationStore {
  private readonly stmt;
  readonly checkpoint: (mailboxId: string, folder: ScanFolder, cursor: string | null, counts: Readonly<Record<string, number>>) => void;
  readonly recordImport: (record: ImportRecord) => void;
  readonly claim: (key: string, mailboxId: string) => boolean;
  readonly releaseClaim: (key: string) => void;
  readonly recordMove: (key: string, crmId: string, links: ActivityLinks, explanation: string) => void;
  private readonly rememberForgottenKey: (key: string) => void;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    const p = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql);
    this.stmt = {
      cursor: p<[string, string], { cursor: string | null }>('SELECT cursor FROM cursors WHERE mailbox_id = ? AND folder = ?'),
      saveCursor: p<[string, string, string | null, string]>(
        `INSERT INTO cursors (mailbox_id, folder, cursor, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (mailbox_id, folder) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      ),
      count: p<[string, string, number]>(
        `INSERT INTO reason_counts (mailbox_id, reason, count) VALUES (?, ?, ?)
         ON CONFLICT (mailbox_id, reason) DO UPDATE SET count = count + excluded.count`,
      ),
      has: p<[string], { one: number }>('SELECT 1 AS one FROM ledger WHERE key = ?'),
      forgotten: p<[string], { one: number }>('SELECT 1 AS one FROM forgotten WHERE key_hash = ?'),
      holder: p<[string, string]>('INSERT OR IGNORE INTO ledger_holders (key, mailbox_id) VALUES (?, ?)'),
      ledger: p<(string | null)[]>(
        `INSERT INTO ledger (key, crm_id, mailbox_id, direction, sent_at, from_address, subject, message_id, in_reply_to,
                             related_to_id, owner_id, explanation, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET crm_id = excluded.crm_id`,
      ),
      participant: p<[string, string, string]>('INSERT OR IGNORE INTO ledger_participants (key, address, role) VALUES (?, ?, ?)'),
      record: p<[string, string, string]>('INSERT OR IGNORE INTO ledger_records (key, kind, record_id) VALUES (?, ?, ?)'),
      // The text row shares the ledger row's rowid: FTS5 cannot index `key`, so a lookup by key
      // would scan the whole table on every import (measured: 1.7 ms at 8,000 rows, linear).
      text: p<[string, string, string, string, string]>(
        'INSERT INTO message_text (rowid, key, subject, body, participants) SELECT rowid, ?, ?, ?, ? FROM ledger WHERE key = ?',
      ),
      clearText: p<[string]>(DROP_TEXT_SQL),
      entry: p<[string], Omit<LedgerRow, 'holders'>>(
        `SELECT key, crm_id AS crmId, mailbox_id AS mailboxId, direction, sent_at AS sentAt, subject,
                related_to_id AS relatedToId, explanation FROM ledger WHERE key = ?`,
      ),
      // One statement for a page's worth of keys (a JSON array), whatever their number.
      associations: p<[string], { key: string; crm_id: string; kind: string | null; record_id: string | null }>(
        `SELECT l.key, l.crm_id, r.kind, r.record_id FROM ledger l LEFT JOIN ledger_records r ON r.key = l.key
         WHERE l.key IN (SELECT value FROM json_each(?)) ORDER BY l.key, r.kind, r.record_id`,
      ),
      holders: p<[string], { mailbox_id: string }>('SELECT mailbox_id FROM ledger_holders WHERE key = ? ORDER BY mailbox_id'),
      counts: p<[string], { reason: string; count: number }>('SELECT reason, count FROM reason_counts WHERE mailbox_id = ?'),
      claim: p<[string, string, string]>('INSERT OR IGNORE INTO ledger_claims (key, mailbox_id, claimed_at) VALUES (?, ?, ?)'),
      claimant: p<[string], { mailbox_id: string }>('SELECT mailbox_id FROM ledger_claims WHERE key = ?'),
      claimHolder: p<[string, string]>('INSERT OR IGNORE INTO claim_holders (key, mailbox_id) VALUES (?, ?)'),
      carryHolders: p<[string]>('INSERT OR IGNORE INTO ledger_holders (key, mailbox_id) SELECT key, mailbox_id FROM claim_holders WHERE key = ?'),
      release: p<[string]>('DELETE FROM ledger_claims WHERE key = ?'),
      records: p<[string], { kind: string; recordId: string }>('SELECT kind, record_id AS recordId FROM ledger_records WHERE key = ? ORDER BY kind, record_id'),
      participants: p<[string], { address: string; role: string }>('SELECT address, role FROM ledger_participants WHERE key = ? ORDER BY role, address'),
      search: p<[string, number], { key: string }>('SELECT key FROM message_text WHERE message_text MATCH ? ORDER BY bm25(message_text) LIMIT ?'),
      crmCursor: p<[string], { cursor: string | null }>('SELECT cursor FROM crm_cursors WHERE crm = ?'),
      saveCrmCursor: p<[string, string | null, string]>(
        `INSERT INTO crm_cursors (crm, cursor, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (crm) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      ),
      // Late-match keys live in the settings table (one row, JSON): CRM keys only, no new table.
      lateQueue: p<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      saveLateQueue: p<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      // Re-association: imported emails in the window that hold a changed record, a changed
      // address, or an address on a changed domain (or a subdomain of it). JSON arrays in.
      queueTouched: p<[{ now: string; since: string; ids: string; addresses: string; domains: string }]>(
        `INSERT OR IGNORE INTO reassociation_queue (key, sent_at, queued_at)
         SELECT l.key, l.sent_at, @now FROM ledger l WHERE l.sent_at >= @since AND (
           l.key IN (SELECT r.key FROM ledger_records r WHERE r.kind IN ('contact', 'account', 'lead', 'deal')
                     AND r.record_id IN (SELECT value FROM json_each(@ids)))
           OR l.key IN (SELECT pa.key FROM ledger_participants pa WHERE pa.address IN (SELECT value FROM json_each(@addresses)))
           OR l.key IN (SELECT pa.key FROM ledger_participants pa, json_each(@domains) d
                        WHERE substr(pa.address, -length(d.value) - 1) IN ('@' || d.value, '.' || d.value)))`,
      ),
      reQueue: p<[number], { key: string }>('SELECT key FROM reassociation_queue ORDER BY sent_at, key LIMIT ?'),
      reQueueSize: p<[], { n: number }>('SELECT count(*) AS n FROM reassociation_queue'),
      reDrop: p<[string]>('DELETE FROM reassociation_queue WHERE key = ?'),
      facts: p<[string], { key: string; crm_id: string; sent_at: string; direction: string; in_reply_to: string | null; related_to_id: string | null; owner_id: string | null; explanation: string }>(
        'SELECT key, crm_id, sent_at, direction, in_reply_to, related_to_id, owner_id, explanation FROM ledger WHERE key = ?',
      ),
      moveLedger: p<[string, string | null, string | null, string, string]>('UPDATE ledger SET crm_id = ?, related_to_id = ?, owner_id = ?, explanation = ? WHERE key = ?'),
      dropMovedRecords: p<[string]>(`DELETE FROM ledger_records WHERE key = ? AND kind IN (${MOVED_KINDS.map((k) => `'${k}'`).join(', ')})`),
    };

    const checkpoint = db.transaction((mailboxId: string, folder: ScanFolder, cursor: string | null, counts: Readonly<Record<string, number>>) => {
      for (const [reason, n] of Object.entries(counts)) if (n) this.stmt.count.run(mailboxId, reason, n);
      this.stmt.saveCursor.run(mailboxId, folder, cursor, this.now().toISOString());
    });

    const recordImport = db.transaction((r: ImportRecord) => {
      const a = r.activity;
      this.stmt.ledger.run(
        r.key, r.crmId, r.mailboxId, a.direction, a.sentAt, a.from.address, a.subject, a.messageId, a.inReplyTo,
        a.relatedToId, a.ownerId, a.explanation, this.now().toISOString(),
      );
      this.stmt.holder.run(r.key, r.mailboxId);
      this.stmt.carryHolders.run(r.key);
      const { people, records } = ledgerRows(r);
      for (const [address, role] of people) this.stmt.participant.run(r.key, address, role);
      for (const [kind, ids] of records) for (const id of ids) this.stmt.record.run(r.key, kind, id);
      this.stmt.clearText.run(r.key);
      this.stmt.text.run(r.key, a.subject, a.text, people.map(([address]) => address).join(' '), r.key);
    });
    const claim = db.transaction((key: string, mailboxId: string): boolean => {
      if (this.stmt.has.get(key)) {
        this.stmt.holder.run(key, mailboxId);
        return false;
      }
      this.stmt.claim.run(key, mailboxId, this.now().toISOString());
      if (this.stmt.claimant.get(key)?.mailbox_id === mailboxId) return true;
      this.stmt.claimHolder.run(key, mailboxId);
      return false;
    });
    // Every write transaction takes the write lock when it begins (BEGIN IMMEDIATE), waiting out
    // the busy timeout behind another process. A deferred one that read first fails at once with
    // "database is locked" when another process committed since its read (WAL snapshot).
    this.checkpoint = (...args) => checkpoint.immediate(...args);
    this.recordImport = (r) => recordImport.immediate(r);
    this.claim = (key, mailboxId) => claim.immediate(key, mailboxId);

    this.releaseClaim = (key) => void this.stmt.release.run(key);
    this.recordMove = db.transaction((key: string, crmId: string, links: ActivityLinks, explanation: string) => {
      this.stmt.moveLedger.run(crmId, links.relatedToId, links.ownerId, explanation, key);
      this.stmt.dropMovedRecords.run(key);
      for (const [kind, id] of movedRecords(links)) this.stmt.record.run(key, kind, id);
      this.stmt.reDrop.run(key);
    });
    this.rememberForgottenKey = prepareRememberForgotten(db, now);
  }

  cursor(mailboxId: string, folder: ScanFolder): string | null {
    return this.stmt.cursor.get(mailboxId, folder)?.cursor ?? null;
  }

  hasImported(key: string): boolean {
    return this.stmt.has.get(key) !== undefined;
  }

  wasForgotten(key: string): boolean {
    return this.stmt.forgotten.get(keyHash(key)) !== undefined;
  }

  importedAssociations(keys: readonly string[]): Map<string, ImportedAssociation> {
    return keys.length ? foldAssociations(this.stmt.associations.all(JSON.stringify(keys))) : new Map();
  }

  addHolder(key: string, mailboxId: string): void {
    this.stmt.holder.run(key, mailboxId);
  }

  /** One ledger entry with its holders, or undefined. */
  entry(key: string): LedgerRow | undefined {
    const row = this.stmt.entry.get(key);
    if (!row) return undefined;
    return { ...row, holders: this.stmt.holders.all(key).map((h) => h.mailbox_id) };
  }

  records(key: string): { kind: string; recordId: string }[] {
    return this.stmt.records.all(key);
  }

  participants(key: string): { address: string; role: string }[] {
    return this.stmt.participants.all(key);
  }

  /** Every word quoted, so the FTS5 query syntax never applies to what a user typed. */
  searchText(words: string, limit = 100): string[] {
    const terms = searchWords(words);
    if (!terms.length) return [];
    return this.stmt.search.all(terms.map((t) => `"${t}"`).join(' '), limit).map((r) => r.key);
  }

  rememberForgotten(key: string): void {
    this.rememberForgottenKey(key);
  }

  crmCursor(crm: string): string | null {
    return this.stmt.crmCursor.get(crm)?.cursor ?? null;
  }

  saveCrmCursor(crm: string, cursor: string | null): void {
    this.stmt.saveCrmCursor.run(crm, cursor, this.now().toISOString());
  }

  lateMatchQueue(): LateMatchKey[] {
    const row = this.stmt.lateQueue.get(LATE_MATCH_SETTING);
    return row ? (JSON.parse(row.value) as LateMatchKey[]) : [];
  }

  saveLateMatchQueue(keys: readonly LateMatchKey[]): void {
    this.stmt.saveLateQueue.run(LATE_MATCH_SETTING, JSON.stringify(keys));
  }

  queueTouched(touch: ReassociationTouch, since: string): number {
    const j = JSON.stringify;
    return this.stmt.queueTouched.run({ now: this.now().toISOString(), since, ids: j(touch.recordIds), addresses: j(touch.addresses), domains: j(touch.domains) }).changes;
  }

  reassociationQueue(limit: number): string[] {
    return this.stmt.reQueue.all(limit).map((r) => r.key);
  }

  reassociationQueueSize(): number {
    return this.stmt.reQueueSize.get()?.n ?? 0;
  }

  ledgerFacts(keys: readonly string[]): LedgerFacts[] {
    const out: LedgerFacts[] = [];
    for (const key of keys) {
      const row = this.stmt.facts.get(key);
      if (row) out.push(foldFacts(row, row.explanation, this.participants(key), this.records(key)));
    }
    return out;
  }

  dropFromReassociation(keys: readonly string[]): void {
    for (const key of keys) this.stmt.reDrop.run(key);
  }

  reasonCounts(mailboxId: string): Record<string, number> {
    return Object.fromEntries(this.stmt.counts.all(mailboxId).map((r) => [r.reason, r.count]));
  }

  importedCount(mailboxId?: string): number {
    if (mailboxId === undefined) return this.db.prepare<[], number>('SELECT count(*) FROM ledger').pluck().get() ?? 0;
    return this.db.prepare<[string], number>('SELECT count(*) FROM ledger_holders WHERE mailbox_id = ?').pluck().get(mailboxId) ?? 0;
  }

  // Admin and privacy (ledger-admin.ts), prepared on first use.
  private adminPart?: SqliteLedgerAdmin;

  private get adminOps(): SqliteLedgerAdmin {
    this.adminPart ??= new SqliteLedgerAdmin(this.db, () => new SqliteAdminStore(this.db, this.now), this.now);
    return this.adminPart;
  }

  keysMatching(matcher: LedgerMatcher): string[] {
    return this.adminOps.keysMatching(matcher);
  }

  keysMentioning(address: string): string[] {
    return this.adminOps.keysMentioning(address);
  }

  summaries(keys: readonly string[]): LedgerSummary[] {
    return this.adminOps.summaries(keys);
  }

  keysSentBefore(cutoff: Date): string[] {
    return this.adminOps.keysSentBefore(cutoff);
  }

  crmIds(): string[] {
    return this.adminOps.crmIds();
  }

  findImported(id: string): { key: string; crmId: string } | undefined {
    return this.adminOps.findImported(id);
  }

  accountIdsOf(key: string): string[] {
    return this.adminOps.accountIdsOf(key);
  }

  forgetMessages(keys: readonly string[], opts: ForgetKeysOptions): Forgotten {
    return this.adminOps.forgetMessages(keys, opts);
  }
}
