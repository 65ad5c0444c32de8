/**
 * The ports: what core needs from the outside world. Providers, CRM adapters and the store
 * implement these; core imports no SDK and no SQL.
 */
import type { Account, Contact, CrmUser, Deal, Lead, MessageBody, MessageMeta } from './types.js';

/**
 * Lookups the association cascade makes, synchronous because they sit on the hot path and are
 * served from memory (the SQLite-backed index keeps an LRU in front of the database).
 * Keys are already normalised: addresses lower-cased with plus-tags folded, domains registrable
 * and ASCII.
 */
export interface DomainIndex {
  contactsByEmail(address: string): readonly Contact[];
  /** Accounts whose (normalised) domains include this registrable domain. */
  accountsByDomain(domain: string): readonly Account[];
  /** Account ids of contacts whose address is on this registrable domain. */
  contactAccountIdsByDomain(domain: string): readonly string[];
  leadsByEmail(address: string): readonly Lead[];
  leadsByDomain(domain: string): readonly Lead[];
  dealsByAccount(accountId: string): readonly Deal[];
  account(id: string): Account | undefined;
  userByEmail(address: string): CrmUser | undefined;
}

/** A mailbox as a provider lists it. */
export interface Mailbox {
  /** Provider id of the user (Graph user id, Gmail address). */
  id: string;
  /** Primary SMTP address, lower-cased. */
  address: string;
  displayName?: string;
}

/** The two folders the scan reads (DESIGN §1.2); drafts, deleted and spam never. */
export type ScanFolder = 'inbox' | 'sent';

/** One page of a mailbox scan. `cursor` resumes right after this page. */
export interface ScanPage {
  messages: MessageMeta[];
  /** Ids the provider reports as removed since the last cursor. */
  removedIds: string[];
  /** Opaque resume point to save once every message of this page is handled. */
  cursor: string;
}

export interface ScanOptions {
  /** First-run backfill start (DESIGN §3); ignored when a cursor is given. */
  since: Date;
}

/** One message to look up: by the provider's id, or by its Message-ID header (angle brackets optional). */
export type MessageRef = { id: string } | { messageId: string };

export interface MailProvider {
  readonly kind: 'graph' | 'gmail';
  listMailboxes(): Promise<Mailbox[]>;
  /**
   * The metadata of one message, whatever folder it is in (`folder` tells which), or null when
   * the mailbox does not hold it. With several copies of a Message-ID, an inbox or sent one.
   */
  fetchMessageMeta(mailbox: Mailbox, ref: MessageRef): Promise<MessageMeta | null>;
  /** Pages of metadata since `cursor` (null: first run from `opts.since`). */
  scan(mailbox: Mailbox, folder: ScanFolder, cursor: string | null, opts: ScanOptions): AsyncIterable<ScanPage>;
  /** Bodies of the given messages, batched by the provider; a missing id is simply absent. */
  fetchBodies(mailbox: Mailbox, ids: readonly string[]): Promise<Map<string, MessageBody>>;
  /**
   * Late matching: metadata of the inbox and sent mail received since `query.since` with the
   * address (or an address on the domain) among its participants, asked of the mail service
   * (Graph `$search`, Gmail `q`); nothing is remembered locally to answer it.
   */
  searchMessages(mailbox: Mailbox, query: ParticipantQuery): Promise<MessageMeta[]>;
}

/** A late-match search: one address or registrable domain since a date. */
export interface ParticipantQuery {
  kind: 'address' | 'domain';
  /** Normalised address or registrable domain. */
  key: string;
  since: Date;
}

/**
 * A key the CRM gained, waiting to be searched for in every mailbox (late matching). Keys are
 * CRM data (a contact's address, an account's domain), never anything of rejected mail.
 */
export interface LateMatchKey {
  kind: 'address' | 'domain';
  key: string;
  /** Start of the search window (ISO), fixed when the key was detected. */
  since: string;
  detectedAt: string;
  /** Mailbox ids already searched for this key. */
  searched: string[];
}

export type CrmEntityKind = 'user' | 'account' | 'contact' | 'lead' | 'deal';

/** A slice of CRM changes; apply in order, then save `cursor`. */
export interface CrmChangeBatch {
  users?: CrmUser[];
  accounts?: Account[];
  contacts?: Contact[];
  leads?: Lead[];
  deals?: Deal[];
  /** Replaces the contact-role set of each named deal. */
  contactRoles?: { dealId: string; contactIds: string[] }[];
  deleted?: { kind: CrmEntityKind; id: string }[];
  /**
   * Every live id of a kind, sent when deletions may have been purged before the pull saw them
   * (Salesforce keeps deleted rows 15 days): held records of that kind not listed are deleted.
   * Applied before the rest of the batch.
   */
  present?: { kind: CrmEntityKind; ids: string[] }[];
  cursor: string;
}

/** One email as it is written to the CRM (DESIGN §1.8). */
export interface ActivityDraft {
  /** Dedupe key: the idempotency key carried by the activity. */
  key: string;
  direction: 'inbound' | 'outbound';
  sentAt: string;
  from: { name: string; address: string };
  to: { name: string; address: string }[];
  cc: { name: string; address: string }[];
  subject: string;
  text: string;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  contactIds: string[];
  accountIds: string[];
  leadIds: string[];
  dealIds: string[];
  /** CRM users among the participants. */
  userIds: string[];
  ownerId: string | null;
  /** The record the activity hangs on: the chosen deal, else the first account, else null. */
  relatedToId: string | null;
  explanation: string;
}

export type WriteOutcome =
  | { key: string; ok: true; crmId: string }
  | { key: string; ok: false; error: string; retryable: boolean };

export interface CrmLimits {
  /** Calls used and allowed in the current daily window, when the CRM reports them. */
  dailyUsed: number | null;
  dailyMax: number | null;
}

export interface CrmAdapter {
  readonly kind: 'salesforce' | 'hubspot';
  /** Changes since `cursor` (null: full load), streamed in batches. */
  pullChanges(cursor: string | null): AsyncIterable<CrmChangeBatch>;
  /** Idempotent on `key`: writing the same key twice never makes a second activity. */
  writeActivities(batch: readonly ActivityDraft[]): Promise<WriteOutcome[]>;
  deleteActivities(crmIds: readonly string[]): Promise<void>;
  /**
   * Re-association (docs/rules.md): moves logged activities to their new records, keeping one
   * activity per email. Idempotent: a move the CRM already shows is reported `unchanged`.
   */
  moveActivities(moves: readonly ActivityMove[]): Promise<MoveOutcome[]>;
  limits(): CrmLimits;
}

/** The records an activity hangs on. */
export interface ActivityLinks {
  contactIds: string[];
  accountIds: string[];
  leadIds: string[];
  dealIds: string[];
  /** CRM users among the participants (kept as they are by a move). */
  userIds: string[];
  /** The chosen deal, else the first account, else null. */
  relatedToId: string | null;
  ownerId: string | null;
}

/** One activity to move: from what the ledger holds to what the rules say now. */
export interface ActivityMove {
  key: string;
  /** The activity's CRM id as the ledger holds it (Salesforce's changes with each move). */
  crmId: string;
  from: ActivityLinks;
  to: ActivityLinks;
  /** The whole new explanation: the old one plus `re-associated <date>: <why>`. */
  explanation: string;
}

export type MoveOutcome =
  | { key: string; ok: true; crmId: string; unchanged: boolean }
  | { key: string; ok: false; error: string; retryable: boolean };

/** An imported email as the ledger holds it: enough to decide its association again. */
export interface LedgerFacts {
  key: string;
  crmId: string;
  sentAt: string;
  direction: 'inbound' | 'outbound';
  /** Participant addresses by role, in stored order. */
  participants: { address: string; role: string }[];
  inReplyTo: string | null;
  links: ActivityLinks;
  explanation: string;
}

/** What a CRM change may have changed the association of (docs/rules.md "Re-association"). */
export interface ReassociationTouch {
  /** Ids of CRM records changed, created or deleted (contacts, accounts, leads, deals). */
  recordIds: string[];
  /** Normalised participant addresses a changed contact or lead holds. */
  addresses: string[];
  /** Registrable domains a changed account, lead or contact is on (never free mail). */
  domains: string[];
}

/**
 * The re-association work list (docs/rules.md): keys of imported emails to decide again. A key
 * leaves the list only with its ledger update (`recordMove`), or when nothing has to move.
 */
export interface ReassociationStore {
  /** Queues the imported emails sent since `since` (ISO) that the change touches; returns how many were added. */
  queueTouched(touch: ReassociationTouch, since: string): Awaitable<number>;
  /** Up to `limit` queued keys, oldest mail first. */
  reassociationQueue(limit: number): Awaitable<string[]>;
  reassociationQueueSize(): Awaitable<number>;
  /** Ledger facts of the given keys (keys not in the ledger are absent). */
  ledgerFacts(keys: readonly string[]): Awaitable<LedgerFacts[]>;
  /** The move is done in the CRM: the ledger takes the new id, records and explanation, and the key leaves the list, in one transaction. */
  recordMove(key: string, crmId: string, links: ActivityLinks, explanation: string): Awaitable<void>;
  /** Keys that need no move (or can never be moved) leave the list. */
  dropFromReassociation(keys: readonly string[]): Awaitable<void>;
}

/** What the sync keeps of an imported email (DESIGN §3 "Captured fields"). */
export interface ImportRecord {
  key: string;
  crmId: string;
  /** Mailbox the email was first seen in. */
  mailboxId: string;
  activity: ActivityDraft;
  /** Bcc recipients are kept for erase and blocklist purges, never shown to others. */
  bcc: { name: string; address: string }[];
}

/** A value a store returns at once (SQLite, in process) or after a round trip (PostgreSQL). */
export type Awaitable<T> = T | Promise<T>;

/**
 * What an imported email went to, as the ledger holds it: the parent a reply inherits from
 * (DESIGN §2 "Threads"). Only imported mail is in the ledger, so only imported mail is inherited.
 */
export interface ImportedAssociation {
  /** Ledger key (`mid:<message-id>`). */
  key: string;
  /** The CRM activity id: the subject-free reference the explanation names; null offline (classify). */
  activityId: string | null;
  contactIds: string[];
  accountIds: string[];
  leadIds: string[];
  dealIds: string[];
}

/**
 * The sync's durable state (DESIGN §1.9): the ledger of written activities, cursors and reason
 * counters. Counters are counts only: a rejected message leaves nothing else. Results are
 * `Awaitable` so the embedded SQLite store stays synchronous and a shared PostgreSQL store can
 * answer after a round trip; core always awaits.
 */
export interface SyncStore {
  cursor(mailboxId: string, folder: ScanFolder): Awaitable<string | null>;
  /**
   * Saves the cursor and adds the page's reason counts in one transaction, once every message
   * before the cursor is written back or rejected.
   */
  checkpoint(mailboxId: string, folder: ScanFolder, cursor: string | null, counts: Readonly<Record<string, number>>): Awaitable<void>;
  /** Whether an activity was already written for this dedupe key. */
  hasImported(key: string): Awaitable<boolean>;
  /** Whether an email with this key was imported once and then deleted on purpose. */
  wasForgotten(key: string): Awaitable<boolean>;
  /** Records that another mailbox holds an already imported email. */
  addHolder(key: string, mailboxId: string): Awaitable<void>;
  recordImport(record: ImportRecord): Awaitable<void>;
  /**
   * The records imported emails went to, for those of `keys` the ledger holds (others are
   * absent). Asked once per scanned page with every key its messages refer to.
   */
  importedAssociations(keys: readonly string[]): Awaitable<Map<string, ImportedAssociation>>;
  /**
   * Claims the right to write the activity of `key` for `mailboxId`, atomically in the database
   * (a unique key, so two workers never both win). True: this mailbox holds the claim (first
   * claim, or its own claim again after a crash and retry) and must write; the write is
   * idempotent on `key`. False: another mailbox claimed it or it is imported; `mailboxId` was
   * added as a holder (idempotently) and carried onto the ledger row when it is recorded.
   */
  claim(key: string, mailboxId: string): Awaitable<boolean>;
  /** Late-match keys carried to the next round (over the budget, or a mailbox that failed). */
  lateMatchQueue(): Awaitable<LateMatchKey[]>;
  saveLateMatchQueue(keys: readonly LateMatchKey[]): Awaitable<void>;
}

/**
 * Resolves one page's participant keys (normalised addresses and registrable domains) in one
 * round trip and answers the cascade's lookups for them synchronously, so the association
 * cascade stays pure. The embedded index answers from its own caches and returns itself.
 * Lookups of keys not asked for answer empty; account and deal lookups reached from the
 * resolved records (a contact's account, an account's deals) are included.
 */
export interface IndexResolver {
  resolveKeys(keys: readonly string[]): Awaitable<DomainIndex>;
}

/** Injected time, so date rules are tested with a fixed clock. */
export interface Clock {
  now(): Date;
}

/** Structured logging; implementations must never receive secrets or rejected-mail data. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
