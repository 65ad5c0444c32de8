/**
 * One mailbox's sync (DESIGN §1): scan each folder from its cursor, qualify on metadata,
 * fetch bodies of qualifying mail only, decide, write back through the tenant's serial writer,
 * then checkpoint. The cursor moves only after every message before it is written or rejected,
 * so a crash anywhere loses nothing and (with idempotent writes) duplicates nothing.
 */
import type { PendingActivity, ActivityWriter } from './activity-writer.js';
import { toActivity } from './activity.js';
import { decide, type EngineContext } from './classify.js';
import { dedupeKey } from './dedupe.js';
import { capRecipients, pageKeys } from './participants.js';
import type { Clock, ImportedAssociation, IndexResolver, Mailbox, MailProvider, ScanFolder, SyncStore } from './ports.js';
import { qualify, type Qualified } from './qualify.js';
import { isSyncError } from './sync-error.js';
import { pageThreadKeys, threadKeys, threadParent } from './thread.js';
import type { MessageMeta } from './types.js';

export const SCAN_FOLDERS: readonly ScanFolder[] = ['inbox', 'sent'];

const DEFAULT_FLUSH_AT = 100;

export interface MailboxSyncDeps {
  provider: MailProvider;
  store: SyncStore;
  writer: ActivityWriter;
  ctx: EngineContext;
  /**
   * With a shared store: resolves each page's participant keys in one round trip, and the
   * cascade reads that answer instead of `ctx.index`. Absent (embedded), `ctx.index` answers.
   */
  resolver?: IndexResolver;
  clock: Clock;
  /** First-run backfill start for this mailbox (DESIGN §3). */
  backfillSince(mailbox: Mailbox): Date;
  onPage?(progress: { mailbox: string; folder: ScanFolder; scanned: number; imported: number }): void;
  /** Asked after each page: true stops the mailbox at a checkpoint there (graceful shutdown). */
  shouldStop?(): boolean;
  /**
   * Qualifying messages to gather (across pages) before fetching their bodies and writing them:
   * the CRM's batch size, so writes and body batches go out full.
   */
  flushAt?: number;
}

export interface MailboxSyncResult {
  mailboxId: string;
  scanned: number;
  imported: number;
  /** Already imported from another mailbox or an earlier run: a holder was added. */
  duplicates: number;
  skipped: Record<string, number>;
  /** Refused by the CRM for good; counted, not retried. */
  rejectedByCrm: number;
  /** Stopped early by `shouldStop`; the cursor sits after the last whole page. */
  stopped: boolean;
}

function add(counts: Record<string, number>, reason: string, n = 1): void {
  counts[reason] = (counts[reason] ?? 0) + n;
}

export async function syncMailbox(mailbox: Mailbox, deps: MailboxSyncDeps): Promise<MailboxSyncResult> {
  const result: MailboxSyncResult = { mailboxId: mailbox.id, scanned: 0, imported: 0, duplicates: 0, skipped: {}, rejectedByCrm: 0, stopped: false };
  // Held across pages and folders, so bodies and CRM writes go out in full batches.
  const held = new HeldMail(mailbox, deps, result);
  for (const folder of SCAN_FOLDERS) {
    if (deps.shouldStop?.()) {
      result.stopped = true;
      break;
    }
    try {
      await scanFolder(mailbox, folder, deps, result, held);
    } catch (err) {
      // An expired delta cursor: rescan from the backfill start; the ledger drops what was
      // already written, so the resync creates no duplicates.
      if (!isSyncError(err, 'invalid-cursor')) throw err;
      held.dropFolder(folder);
      await deps.store.checkpoint(mailbox.id, folder, null, {});
      await scanFolder(mailbox, folder, deps, result, held);
    }
    if (result.stopped) break;
  }
  await held.flush();
  return result;
}

/**
 * Qualifying messages read since the last checkpoint, with each folder's cursor and reason
 * counts waiting for them: a cursor is saved only once every message before it is written or
 * rejected (DESIGN §1.9).
 */
class HeldMail {
  private messages: { folder: ScanFolder; meta: MessageMeta; q: Qualified; ctx: EngineContext }[] = [];
  /**
   * Replies that matched nothing and whose thread is not in the ledger yet: asked again once the
   * held mail is written, so a reply scanned with its parent (a first sync) inherits it too.
   * In memory only, until this flush: a reply that still matches nothing is only counted.
   */
  private replies: { folder: ScanFolder; meta: MessageMeta; ctx: EngineContext }[] = [];
  private folders = new Map<ScanFolder, { cursor: string; counts: Record<string, number> }>();

  constructor(
    private readonly mailbox: Mailbox,
    private readonly deps: MailboxSyncDeps,
    private readonly result: MailboxSyncResult,
  ) {}

  /** Messages waiting for the flush: qualified ones and replies waiting for their thread. */
  get size(): number {
    return this.messages.length + this.replies.length;
  }

  /** `ctx` is the page's: its index answers for the page's keys. */
  hold(folder: ScanFolder, meta: MessageMeta, q: Qualified, ctx: EngineContext): void {
    this.pendingOf(folder);
    this.messages.push({ folder, meta, q, ctx });
  }

  holdReply(folder: ScanFolder, meta: MessageMeta, ctx: EngineContext): void {
    this.replies.push({ folder, meta, ctx });
  }

  skip(folder: ScanFolder, reason: string): void {
    add(this.pendingOf(folder).counts, reason);
  }

  /** The scan reached `cursor`: it is saved with the next flush. */
  reached(folder: ScanFolder, cursor: string): void {
    this.pendingOf(folder).cursor = cursor;
  }

  /** Forgets a folder's held state (its cursor expired and it is scanned again). */
  dropFolder(folder: ScanFolder): void {
    this.messages = this.messages.filter((m) => m.folder !== folder);
    this.replies = this.replies.filter((m) => m.folder !== folder);
    this.folders.delete(folder);
  }

  private pendingOf(folder: ScanFolder): { cursor: string; counts: Record<string, number> } {
    let p = this.folders.get(folder);
    if (!p) {
      p = { cursor: '', counts: {} };
      this.folders.set(folder, p);
    }
    return p;
  }

  /** Fetches bodies, decides, writes, then checkpoints every folder's cursor and counts. */
  async flush(): Promise<void> {
    const { deps, mailbox, result } = this;
    if (!this.folders.size) return;
    await this.write(this.messages);
    await this.write(await this.repliesNowInThread());
    for (const [folder, p] of this.folders) {
      for (const [reason, n] of Object.entries(p.counts)) add(result.skipped, reason, n);
      if (p.cursor) await deps.store.checkpoint(mailbox.id, folder, p.cursor, p.counts);
    }
    this.messages = [];
    this.replies = [];
    this.folders.clear();
  }

  /** The held replies whose parent is now imported, qualified with it; the others are counted. */
  private async repliesNowInThread(): Promise<{ folder: ScanFolder; meta: MessageMeta; q: Qualified; ctx: EngineContext }[]> {
    if (!this.replies.length) return [];
    const parents = await this.deps.store.importedAssociations(pageThreadKeys(this.replies.map((r) => r.meta)));
    const out: { folder: ScanFolder; meta: MessageMeta; q: Qualified; ctx: EngineContext }[] = [];
    for (const { folder, meta, ctx } of this.replies) {
      const parent = threadParent(meta, parents);
      const q = parent ? qualify(meta, ctx, { thread: parent }) : null;
      if (q?.ok) out.push({ folder, meta, q, ctx });
      else this.skip(folder, q?.reason ?? 'no-crm-match');
    }
    return out;
  }

  private async write(held: readonly { folder: ScanFolder; meta: MessageMeta; q: Qualified; ctx: EngineContext }[]): Promise<void> {
    const { deps, mailbox, result } = this;
    if (!held.length) return;
    const bodies = await deps.provider.fetchBodies(mailbox, held.map((m) => m.meta.id));
    const now = deps.clock.now();
    const pending: PendingActivity[] = [];
    for (const { folder, meta, q, ctx } of held) {
      const body = bodies.get(meta.id) ?? null;
      if (!body) {
        // Deleted between the scan and the body fetch: nothing left to import.
        this.skip(folder, 'removed-before-fetch');
        continue;
      }
      const decision = decide(meta, q, body, ctx, { mailboxOwner: mailbox.address, now });
      if (decision.decision === 'skip') {
        this.skip(folder, decision.reason);
        continue;
      }
      const activity = toActivity(meta, decision, body, now);
      pending.push({ mailboxId: mailbox.id, activity, bcc: capRecipients([meta.bcc], 1 + activity.to.length + activity.cc.length)[0]! });
    }
    const written = pending.length ? await deps.writer.submit(pending) : { written: 0, duplicates: 0, rejected: 0 };
    result.imported += written.written;
    result.duplicates += written.duplicates;
    result.rejectedByCrm += written.rejected;
    if (written.rejected) {
      const first = this.folders.keys().next().value!;
      add(this.pendingOf(first).counts, 'crm-rejected', written.rejected);
    }
  }
}

/**
 * What a page of messages is decided with: the index resolved for its keys (one round trip on a
 * shared store) and the imported parents its replies refer to (one lookup).
 */
async function pageContext(mailbox: Mailbox, messages: readonly MessageMeta[], deps: MailboxSyncDeps): Promise<{ ctx: EngineContext; parents: Map<string, ImportedAssociation> }> {
  const ctx = deps.resolver
    ? { ...deps.ctx, index: await deps.resolver.resolveKeys(pageKeys(messages, deps.ctx.rules.companyDomains, mailbox.address)) }
    : deps.ctx;
  return { ctx, parents: await deps.store.importedAssociations(pageThreadKeys(messages)) };
}

/** One message met by a scan or a search: dedupe against the ledger, then qualify on metadata. */
async function consider(
  mailbox: Mailbox,
  folder: ScanFolder,
  meta: MessageMeta,
  store: SyncStore,
  ctx: EngineContext,
  parents: ReadonlyMap<string, ImportedAssociation>,
  result: MailboxSyncResult,
  held: HeldMail,
): Promise<void> {
  result.scanned++;
  const key = dedupeKey(meta);
  if (await store.hasImported(key)) {
    // Seen in another mailbox already: no body fetch, one more holder.
    await store.addHolder(key, mailbox.id);
    result.duplicates++;
    return;
  }
  if (await store.wasForgotten(key)) {
    // Deleted on purpose after its import: a rescan must not bring it back.
    held.skip(folder, 'previously-deleted');
    return;
  }
  // Replies inherit their thread (DESIGN §7); one that matches nothing yet waits for its parent.
  const parent = threadParent(meta, parents);
  const q = qualify(meta, ctx, parent && { thread: parent });
  if (q.ok) held.hold(folder, meta, q, ctx);
  else if (q.reason === 'no-crm-match' && !parent && threadKeys(meta).length) held.holdReply(folder, meta, ctx);
  else held.skip(folder, q.reason);
}

/**
 * Mail found by a search rather than a scan (late matching) through the same pipeline: dedupe,
 * qualify, bodies, decide, write. No cursor moves and no reason is counted in the store (the
 * scan counted these messages once already); the result tells what happened this time.
 */
export async function importFound(mailbox: Mailbox, metas: readonly MessageMeta[], deps: MailboxSyncDeps): Promise<MailboxSyncResult> {
  const result: MailboxSyncResult = { mailboxId: mailbox.id, scanned: 0, imported: 0, duplicates: 0, skipped: {}, rejectedByCrm: 0, stopped: false };
  const held = new HeldMail(mailbox, deps, result);
  const seen = new Set<string>();
  const { ctx, parents } = await pageContext(mailbox, metas, deps);
  for (const meta of metas) {
    if (seen.has(meta.id) || (meta.folder !== 'inbox' && meta.folder !== 'sent')) continue;
    seen.add(meta.id);
    await consider(mailbox, meta.folder, meta, deps.store, ctx, parents, result, held);
  }
  await held.flush();
  return result;
}

async function scanFolder(mailbox: Mailbox, folder: ScanFolder, deps: MailboxSyncDeps, result: MailboxSyncResult, held: HeldMail): Promise<void> {
  const { provider, store } = deps;
  const flushAt = deps.flushAt ?? DEFAULT_FLUSH_AT;
  for await (const page of provider.scan(mailbox, folder, await store.cursor(mailbox.id, folder), { since: deps.backfillSince(mailbox) })) {
    const { ctx, parents } = await pageContext(mailbox, page.messages, deps);
    for (const meta of page.messages) await consider(mailbox, folder, meta, store, ctx, parents, result, held);
    held.reached(folder, page.cursor);
    const stopping = deps.shouldStop?.() ?? false;
    // Nothing waiting: checkpoint at once (cheap). Otherwise gather a full batch first.
    if (held.size === 0 || held.size >= flushAt || stopping) await held.flush();
    deps.onPage?.({ mailbox: mailbox.address, folder, scanned: result.scanned, imported: result.imported });
    if (stopping) {
      result.stopped = true;
      return;
    }
  }
}
