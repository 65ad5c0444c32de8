/**
 * One mailbox's sync (DESIGN §1): scan each folder from its cursor, qualify on metadata,
 * fetch bodies of qualifying mail only, decide, write back through the tenant's serial writer,
 * then checkpoint. The cursor moves only after every message before it is written or rejected,
 * so a crash anywhere loses nothing and (with idempotent writes) duplicates nothing.
 */
import type { PendingActivity, ActivityWriter } from './activity-writer.js';
import { toActivity } from './activity.js';
import { capRecipients } from './participants.js';
import { decide, type EngineContext } from './classify.js';
import { dedupeKey } from './dedupe.js';
import type { Clock, Mailbox, MailProvider, ScanFolder, SyncStore } from './ports.js';
import { qualify, type Qualified } from './qualify.js';
import { isSyncError } from './sync-error.js';
import type { MessageBody, MessageMeta } from './types.js';

export const SCAN_FOLDERS: readonly ScanFolder[] = ['inbox', 'sent'];

const DEFAULT_FLUSH_AT = 100;

export interface MailboxSyncDeps {
  provider: MailProvider;
  store: SyncStore;
  writer: ActivityWriter;
  ctx: EngineContext;
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
      deps.store.checkpoint(mailbox.id, folder, null, {});
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
  private messages: { folder: ScanFolder; meta: MessageMeta; q: Qualified }[] = [];
  private folders = new Map<ScanFolder, { cursor: string; counts: Record<string, number> }>();

  constructor(
    private readonly mailbox: Mailbox,
    private readonly deps: MailboxSyncDeps,
    private readonly result: MailboxSyncResult,
  ) {}

  get size(): number {
    return this.messages.length;
  }

  hold(folder: ScanFolder, meta: MessageMeta, q: Qualified): void {
    this.pendingOf(folder);
    this.messages.push({ folder, meta, q });
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
    const held = this.messages;
    const bodies = held.length ? await deps.provider.fetchBodies(mailbox, held.map((m) => m.meta.id)) : new Map<string, MessageBody>();
    const now = deps.clock.now();
    const pending: PendingActivity[] = [];
    const folderOf = new Map<string, ScanFolder>();
    for (const { folder, meta, q } of held) {
      const body = bodies.get(meta.id) ?? null;
      if (!body) {
        // Deleted between the scan and the body fetch: nothing left to import.
        this.skip(folder, 'removed-before-fetch');
        continue;
      }
      const decision = decide(meta, q, body, deps.ctx, { mailboxOwner: mailbox.address, now });
      if (decision.decision === 'skip') {
        this.skip(folder, decision.reason);
        continue;
      }
      const activity = toActivity(meta, decision, body, now);
      folderOf.set(activity.key, folder);
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
    for (const [folder, p] of this.folders) {
      for (const [reason, n] of Object.entries(p.counts)) add(result.skipped, reason, n);
      if (p.cursor) deps.store.checkpoint(mailbox.id, folder, p.cursor, p.counts);
    }
    this.messages = [];
    this.folders.clear();
  }
}

/** One message met by a scan or a search: dedupe against the ledger, then qualify on metadata. */
function consider(mailbox: Mailbox, folder: ScanFolder, meta: MessageMeta, store: SyncStore, ctx: EngineContext, result: MailboxSyncResult, held: HeldMail): void {
  result.scanned++;
  const key = dedupeKey(meta);
  if (store.hasImported(key)) {
    // Seen in another mailbox already: no body fetch, one more holder.
    store.addHolder(key, mailbox.id);
    result.duplicates++;
    return;
  }
  if (store.wasForgotten(key)) {
    // Deleted on purpose after its import: a rescan must not bring it back.
    held.skip(folder, 'previously-deleted');
    return;
  }
  const q = qualify(meta, ctx);
  if (q.ok) held.hold(folder, meta, q);
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
  for (const meta of metas) {
    if (seen.has(meta.id) || (meta.folder !== 'inbox' && meta.folder !== 'sent')) continue;
    seen.add(meta.id);
    consider(mailbox, meta.folder, meta, deps.store, deps.ctx, result, held);
  }
  await held.flush();
  return result;
}

async function scanFolder(mailbox: Mailbox, folder: ScanFolder, deps: MailboxSyncDeps, result: MailboxSyncResult, held: HeldMail): Promise<void> {
  const { provider, store, ctx } = deps;
  const flushAt = deps.flushAt ?? DEFAULT_FLUSH_AT;
  for await (const page of provider.scan(mailbox, folder, store.cursor(mailbox.id, folder), { since: deps.backfillSince(mailbox) })) {
    for (const meta of page.messages) consider(mailbox, folder, meta, store, ctx, result, held);
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
