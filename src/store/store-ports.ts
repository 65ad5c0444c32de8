/**
 * The store behind the ports (docs/scale-out.md "The shared store"): what the use cases need of
 * a tenant's state, implemented by the embedded SQLite file (default, synchronous) and by a
 * schema in a shared PostgreSQL (many workers, asynchronous). Results are `Awaitable`: callers
 * always await, SQLite answers at once. One contract suite (test/contract/store) runs on both.
 */
import type { MeetingStore } from '../core/meeting-ledger.js';
import type { Awaitable, CrmChangeBatch, DomainIndex, IndexResolver, ReassociationStore, SyncStore } from '../core/ports.js';
import type { TokenStore } from '../providers/common/token-store.js';
import type { AuditEntry, BlocklistEntry, CrmDeletionRow, MailboxStatusRow, PrivacyJob, PrivacyJobState } from './admin-store.js';
import type { Blocklist, Deal } from '../core/types.js';
import type { IndexCounts } from './domain-index.js';
import type { LedgerRow } from './sync-store.js';

export type StoreKind = 'sqlite' | 'postgres';

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
}

export interface MailboxStatusStore {
  setConnection(address: string, connection: string, mailboxId?: string | null): Awaitable<void>;
  recordRun(address: string, mailboxId: string, error: string | null, result: unknown): Awaitable<void>;
  mailboxStatuses(): Awaitable<MailboxStatusRow[]>;
}

export interface SettingsStore {
  setting(key: string): Awaitable<string | null>;
  setSetting(key: string, value: string): Awaitable<void>;
}

export interface AuditStore {
  audit(actor: string, action: string, target: string | null, detail?: unknown): Awaitable<void>;
  auditLog(limit?: number): Awaitable<AuditEntry[]>;
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
}

/** The domain index: CRM changes in, a page's keys resolved for the cascade out. */
export interface IndexStore extends IndexResolver {
  applyChanges(batch: CrmChangeBatch): Awaitable<void>;
  /** Open deals a CRM user owns (the first-run backfill window starts at the oldest). */
  openDealsOwnedBy(ownerId: string): Awaitable<readonly Deal[]>;
  /** Records per kind, for `status`. */
  counts(): Awaitable<IndexCounts>;
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
  /** Provider tokens; encrypted at rest (SQLCipher file, or AES-256-GCM in PostgreSQL). */
  readonly secrets: TokenStore;
  close(): Promise<void>;
}

export type { DomainIndex };
