/**
 * The late-match part of a round: the carried keys are searched for in each mailbox, within the
 * round's budget of searches, and every hit goes through the normal pipeline (`importFound`).
 * Keys over the budget, or whose mailbox failed, stay queued for the next round.
 */
import { planLateMatch, searchId, settleQueue } from './late-match.js';
import type { Mailbox } from './ports.js';
import type { MessageMeta } from './types.js';
import { importFound, type MailboxSyncDeps } from './sync-mailbox.js';

export interface LateMatchOptions {
  windowDays: number;
  maxQueriesPerRound: number;
}

export interface LateMatchResult {
  /** Emails imported this round because a CRM change made them match. */
  lateMatched: number;
  /** Searches asked of the mail service. */
  queries: number;
  /** Keys still waiting (over the budget, or a mailbox that failed). */
  pendingKeys: number;
  /** Mailboxes whose searches failed this round (address → error). */
  failed: { address: string; error: string }[];
}

export async function runLateMatch(mailboxes: readonly Mailbox[], deps: Omit<MailboxSyncDeps, 'backfillSince'>, opts: LateMatchOptions): Promise<LateMatchResult> {
  const result: LateMatchResult = { lateMatched: 0, queries: 0, pendingKeys: 0, failed: [] };
  const queue = await deps.store.lateMatchQueue();
  if (!queue.length) return result;
  const now = deps.clock.now();
  const ids = mailboxes.map((m) => m.id);
  const { searches } = planLateMatch(queue, ids, opts.maxQueriesPerRound, now, opts.windowDays);
  const done = new Set<string>();
  const syncDeps: MailboxSyncDeps = { ...deps, backfillSince: () => now };
  for (const mailbox of mailboxes) {
    if (deps.shouldStop?.()) break;
    const mine = searches.filter((s) => s.mailboxId === mailbox.id);
    if (!mine.length) continue;
    try {
      const found: MessageMeta[] = [];
      for (const s of mine) {
        result.queries++;
        found.push(...(await deps.provider.searchMessages(mailbox, { kind: s.entry.kind, key: s.entry.key, since: new Date(s.entry.since) })));
      }
      // One pass per mailbox, so bodies and CRM writes go out in batches.
      const imported = await importFound(mailbox, found, syncDeps);
      result.lateMatched += imported.imported;
      for (const s of mine) done.add(searchId(s.entry, mailbox.id));
    } catch (err) {
      result.failed.push({ address: mailbox.address, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const left = settleQueue(queue, done, ids, now, opts.windowDays);
  await deps.store.saveLateMatchQueue(left);
  result.pendingKeys = left.length;
  return result;
}
