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
import type { Clock, Mailbox, MailProvider, ScanFolder, SyncStore } from './ports.js';
import { qualify, type Qualified } from './qualify.js';
import { isSyncError } from './sync-error.js';
import type { MessageMeta } from './types.js';

export const SCAN_FOLDERS: readonly ScanFolder[] = ['inbox', 'sent'];

export interface MailboxSyncDeps {
  provider: MailProvider;
  store: SyncStore;
  writer: ActivityWriter;
  ctx: EngineContext;
  clock: Clock;
  /** First-run backfill start for this mailbox (DESIGN §3). */
  backfillSince(mailbox: Mailbox): Date;
  onPage?(progress: { mailbox: string; folder: ScanFolder; scanned: number; imported: number }): void;
  /** Asked after each checkpoint: true stops the mailbox there (graceful shutdown). */
  shouldStop?(): boolean;
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
  for (const folder of SCAN_FOLDERS) {
    if (deps.shouldStop?.()) {
      result.stopped = true;
      break;
    }
    try {
      await syncFolder(mailbox, folder, deps, result);
    } catch (err) {
      // An expired delta cursor: rescan from the backfill start; the ledger drops what was
      // already written, so the resync creates no duplicates.
      if (!isSyncError(err, 'invalid-cursor')) throw err;
      deps.store.checkpoint(mailbox.id, folder, null, {});
      await syncFolder(mailbox, folder, deps, result);
    }
  }
  return result;
}

async function syncFolder(mailbox: Mailbox, folder: ScanFolder, deps: MailboxSyncDeps, result: MailboxSyncResult): Promise<void> {
  const { provider, store, ctx } = deps;
  const cursor = store.cursor(mailbox.id, folder);
  for await (const page of provider.scan(mailbox, folder, cursor, { since: deps.backfillSince(mailbox) })) {
    const counts: Record<string, number> = {};
    const qualified: { meta: MessageMeta; q: Qualified; key: string }[] = [];
    for (const meta of page.messages) {
      result.scanned++;
      const key = dedupeKey(meta);
      if (store.hasImported(key)) {
        // Seen in another mailbox already: no body fetch, one more holder.
        store.addHolder(key, mailbox.id);
        result.duplicates++;
        continue;
      }
      const q = qualify(meta, ctx);
      if (q.ok) qualified.push({ meta, q, key });
      else add(counts, q.reason);
    }

    const bodies = qualified.length ? await provider.fetchBodies(mailbox, qualified.map((m) => m.meta.id)) : new Map();
    const now = deps.clock.now();
    const pending: PendingActivity[] = [];
    for (const { meta, q } of qualified) {
      const body = bodies.get(meta.id) ?? null;
      if (!body) {
        // Deleted between the scan and the body fetch: nothing left to import.
        add(counts, 'removed-before-fetch');
        continue;
      }
      const decision = decide(meta, q, body, ctx, { mailboxOwner: mailbox.address, now });
      if (decision.decision === 'skip') {
        add(counts, decision.reason);
        continue;
      }
      pending.push({ mailboxId: mailbox.id, activity: toActivity(meta, decision, body, now), bcc: meta.bcc });
    }

    const written = await deps.writer.submit(pending);
    result.imported += written.written;
    result.duplicates += written.duplicates;
    result.rejectedByCrm += written.rejected;
    if (written.rejected) add(counts, 'crm-rejected', written.rejected);
    for (const [reason, n] of Object.entries(counts)) add(result.skipped, reason, n);
    store.checkpoint(mailbox.id, folder, page.cursor, counts);
    deps.onPage?.({ mailbox: mailbox.address, folder, scanned: result.scanned, imported: result.imported });
    if (deps.shouldStop?.()) {
      result.stopped = true;
      return;
    }
  }
}
