/**
 * The store behind the ports (docs/scale-out.md "The shared store"): what the use cases need of
 * a tenant's state, implemented by the embedded SQLite file (default, synchronous) and by a
 * schema in a shared PostgreSQL (many workers, asynchronous). Results are `Awaitable`: callers
 * always await, SQLite answers at once. One contract suite (test/contract/store) runs on both.
 */
import type { MeetingStore } from '../core/meeting-ledger.js';
import type { Awaitable, CrmChangeBatch, DomainIndex, IndexResolver, ReassociationStore, SyncStore } from '../core/ports.js';
import type { TokenStore } from '../providers/common/token-store.js';
import type { AuditEntry, BlocklistEntry, CrmDeletionRow, MailboxStatusRow, PrivacyJob, PrivacyJobState, SyncRoundRecord } from './admin-store.js';
import type { Account, Blocklist, Contact, CrmUser, Deal, Lead } from '../core/types.js';
import type { CrmEntityKind } from '../core/ports.js';
import type { IndexCounts } from './domain-index.js';
import type { ImportedMessage } from './imported-messages.js';
import type { LedgerRow } from './sync-store.js';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * A blocklist entry or an erased address to find imported messages by, normalised: an address
 * as `normalizeAddress` gives it, an ASCII host (it covers its subdomains), a trimmed phrase.
 * Stored addresses are normalised the engine's way before comparing (plus-tags folded, IDN in
 * ASCII), and a phrase matches the subject with JavaScript's lower-casing, on both stores.
 */
export interface LedgerMatcher {
  kind: 'address' | 'domain' | 'phrase';
  value: string;
}

/** One imported message as an admin sees it in a dry run or an access report. */
export interface LedgerSummary {
  key: string;
  crmId: string;
  sentAt: string;
  subject: string;
}

/** What one atomic removal took away: messages (or meetings) and their distinct CRM ids. */
export interface Forgotten {
  messages: number;
  crmIds: string[];
}

export interface ForgetKeysOptions {
  /** Written with the CRM ids owed for deletion, in the same transaction; null keeps the CRM activities. */
  oweReason: string | null;
  /**
   * A privacy job whose running result is set, in the same transaction, from what was removed:
   * a resumed erase job reports what the interrupted pass deleted.
   */
  progress?: { jobId: string; result(removed: { messages: number; crmIds: number }): unknown };
}

/** Contacts and leads an erased address was taken from (and those removed whole, left with none). */
export interface IndexErasure {
  contactsUpdated: number;
  contactsRemoved: number;
  leadsUpdated: number;
  leadsRemoved: number;
}

/** The ledger and the sync's cursors, with what admin and the workers read back. */
export interface LedgerStore extends SyncStore, ReassociationStore {
  /** Drops a claim whose mail was not written (rejected after its body was read): nothing stays. */
  releaseClaim(key: string): Awaitable<void>;
  /** One ledger entry with its holders, or undefined. */
  entry(key: string): Awaitable<LedgerRow | undefined>;
  /** CRM record ids (`kind` contact, account, lead, deal, user) an activity went to. */
  records(key: string): Awaitable<{ kind: string; recordId: string }[]>;
  /** Participant addresses of an activity, Bcc included (erase and blocklist purges need them). */
  participants(key: string): Awaitable<{ address: string; role: string }[]>;
  crmCursor(crm: string): Awaitable<string | null>;
  saveCrmCursor(crm: string, cursor: string | null): Awaitable<void>;
  reasonCounts(mailboxId: string): Awaitable<Record<string, number>>;
  /** Remembers a deleted message by a hash of its key (a tombstone): `wasForgotten` turns true. */
  rememberForgotten(key: string): Awaitable<void>;
  /** Keys of imported messages whose subject, text or participants hold every word, best first. */
  searchText(words: string, limit?: number): Awaitable<string[]>;
  /** Emails in the ledger; with `mailboxId`, those that mailbox holds (for `status`). */
  importedCount(mailboxId?: string): Awaitable<number>;

  // Admin and privacy (src/app/admin, docs/privacy.md).
  /** Keys of imported messages the matcher touches, any role (from, to, cc, bcc) or the subject; sorted. */
  keysMatching(matcher: LedgerMatcher): Awaitable<string[]>;
  /** Keys of other imported messages whose subject or text mention the address (access reports). */
  keysMentioning(address: string): Awaitable<string[]>;
  /** Key, CRM id, date and subject of each key still on the ledger, oldest first. */
  summaries(keys: readonly string[]): Awaitable<LedgerSummary[]>;
  /** Keys of imported messages sent before `cutoff` (retention). */
  keysSentBefore(cutoff: Date): Awaitable<string[]>;
  /** Every CRM activity id written (distinct), for `purge --all`. */
  crmIds(): Awaitable<string[]>;
  /** The imported message whose ledger key or CRM activity id this is. */
  findImported(id: string): Awaitable<{ key: string; crmId: string } | undefined>;
  /** Accounts an activity went to, directly or as a deal's account (the index's deals). */
  accountIdsOf(key: string): Awaitable<string[]>;
  /**
   * The one removal of imported messages, in one transaction: ledger rows with their text,
   * holders, participants and records go, a hashed tombstone stops any rescan bringing them
   * back, and (unless `oweReason` is null) their CRM ids are written down as owed deletions.
   */
  forgetMessages(keys: readonly string[], opts: ForgetKeysOptions): Awaitable<Forgotten>;
}

export interface MailboxStatusStore {
  setConnection(address: string, connection: string, mailboxId?: string | null): Awaitable<void>;
  recordRun(address: string, mailboxId: string, error: string | null, result: unknown): Awaitable<void>;
  mailboxStatuses(): Awaitable<MailboxStatusRow[]>;
}

/**
 * Leases: one holder per name (the tenant's round, a mailbox) until it expires, so a `run` or
 * `sync --once` and the workers never sync the same mailbox at once (src/app/leases.ts).
 */
export interface LeaseStore {
  /** Takes (or renews) `name` for `holder` until `ttlMs` from now; false if another holds it. */
  acquireLease(name: string, holder: string, ttlMs: number): Awaitable<boolean>;
  leaseHolder(name: string): Awaitable<{ holder: string; expiresAt: string } | null>;
  /** Takes `name` from `from` (a holder known to be dead); false if it changed hands meanwhile. */
  takeOverLease(name: string, from: string, holder: string, ttlMs: number): Awaitable<boolean>;
  releaseLease(name: string, holder: string): Awaitable<void>;
}

/** Every sync round's outcome, failed ones included, for `status`. */
export interface RoundStore {
  recordRound(r: SyncRoundRecord): Awaitable<void>;
  /** The latest rounds, newest first. */
  syncRounds(limit?: number): Awaitable<SyncRoundRecord[]>;
  /** A tenant-wide failure (a refused credential): every one of `addresses` is marked failing. */
  markMailboxesFailing(addresses: readonly string[], error: string): Awaitable<void>;
}

export interface SettingsStore {
  setting(key: string): Awaitable<string | null>;
  setSetting(key: string, value: string): Awaitable<void>;
}

export interface AuditStore {
  audit(actor: string, action: string, target: string | null, detail?: unknown): Awaitable<void>;
  auditLog(limit?: number): Awaitable<AuditEntry[]>;
  /** Entries whose actor or target is the address, or whose detail mentions it, oldest first. */
  auditMentioning(address: string): Awaitable<AuditEntry[]>;
}

/** Blocklist, suppressions, CRM deletions still owed and privacy jobs (docs/privacy.md). */
export interface GovernanceStore {
  blocklist(): Awaitable<Blocklist>;
  addBlocklistEntry(kind: BlocklistEntry['kind'], value: string, addedBy: string): Awaitable<boolean>;
  removeBlocklistEntry(kind: BlocklistEntry['kind'], value: string): Awaitable<boolean>;
  blocklistEntries(): Awaitable<BlocklistEntry[]>;
  suppressed(): Awaitable<string[]>;
  suppress(address: string, jobId: string | null): Awaitable<void>;
  suppression(address: string): Awaitable<{ address: string; addedAt: string; jobId: string | null } | null>;
  oweCrmDeletions(crmIds: readonly string[], reason: string): Awaitable<void>;
  crmDeletionsOwed(limit?: number): Awaitable<CrmDeletionRow[]>;
  crmDeletionsOwedCount(): Awaitable<number>;
  crmDeletionsPaid(crmIds: readonly string[]): Awaitable<void>;
  crmDeletionsFailed(crmIds: readonly string[], error: string): Awaitable<void>;
  createPrivacyJob(id: string, kind: string, subject: string, requestedBy: string): Awaitable<void>;
  privacyJob(id: string): Awaitable<PrivacyJob | null>;
  privacyJobsFor(subject: string): Awaitable<PrivacyJob[]>;
  openPrivacyJobs(): Awaitable<PrivacyJob[]>;
  setPrivacyJobState(id: string, state: PrivacyJobState, result?: unknown, error?: string | null): Awaitable<void>;

  /** `purge --all`: rows per table of the tenant's state (what a purge would empty, and the owed deletions). */
  tableRows(): Awaitable<Record<string, number>>;
  /**
   * `purge --all`, in one transaction: every CRM id written (emails and meetings, with their
   * reasons) is owed, then every table of the tenant's state is emptied; owed deletions stay.
   */
  purgeTenant(reasons: { emails: string; meetings: string }): Awaitable<{ emails: number; meetings: number }>;
}

/** The domain index: CRM changes in, a page's keys resolved for the cascade out. */
export interface IndexStore extends IndexResolver {
  applyChanges(batch: CrmChangeBatch): Awaitable<void>;
  /** Open deals a CRM user owns (the first-run backfill window starts at the oldest). */
  openDealsOwnedBy(ownerId: string): Awaitable<readonly Deal[]>;
  /** Records per kind, for `status`. */
  counts(): Awaitable<IndexCounts>;
  /**
   * The records of one kind as the index holds them (normalised addresses and domains), ordered
   * by id in byte order, a page at a time (`crm snapshot`): a large index is never held at once.
   */
  exportRecords<K extends CrmEntityKind>(kind: K): AsyncIterable<IndexRecordOf[K][]>;
  account(id: string): Awaitable<Account | undefined>;
  userByEmail(address: string): Awaitable<CrmUser | undefined>;
  /**
   * Privacy erase: the (normalised) address leaves every contact and lead holding it; one left
   * with no address is removed whole (name and phones too, and its deal roles). Users stay.
   */
  eraseAddress(address: string): Awaitable<IndexErasure>;
}

/** The record type of each kind the index holds. */
export interface IndexRecordOf {
  user: CrmUser;
  account: Account;
  contact: Contact;
  lead: Lead;
  deal: Deal;
}

/**
 * Imported mail as admins read it (`messages list|search`, `explain`): subjects and explanations
 * opened, holders as mailbox addresses, the CRM records each email went to.
 */
export interface ImportedMessageStore {
  /** One imported message by its ledger key, or null. */
  byKey(key: string): Awaitable<ImportedMessage | null>;
  /** The newest imported messages by send date (ties by key). */
  list(limit: number): Awaitable<ImportedMessage[]>;
  /** Messages whose subject, text or participants hold every word of `text`, best first. */
  search(text: string, limit: number): Awaitable<ImportedMessage[]>;
}

/** One tenant's state, whichever store holds it. */
export interface TenantStore {
  readonly kind: StoreKind;
  readonly tenantId: string;
  readonly ledger: LedgerStore;
  /** Imported meetings and calendar cursors (DESIGN §6). */
  readonly meetings: MeetingStore;
  /** Resolves a page's participant keys in one round trip for the synchronous cascade. */
  readonly index: IndexStore;
  readonly status: MailboxStatusStore;
  readonly settings: SettingsStore;
  readonly audit: AuditStore;
  readonly governance: GovernanceStore;
  readonly leases: LeaseStore;
  readonly rounds: RoundStore;
  /** Provider tokens; encrypted at rest (SQLCipher file, or AES-256-GCM in PostgreSQL). */
  readonly secrets: TokenStore;
  /** Imported mail read back for admins (`messages list|search`, `explain`). */
  readonly messages: ImportedMessageStore;
  close(): Promise<void>;
}

export type { DomainIndex };
