/**
 * Writes activities for every mailbox of a tenant through one serial queue, so the dedupe
 * check against the ledger and the CRM write never race: the same email arriving from two
 * mailboxes at once becomes one activity with two holders (DESIGN §1.5, §1.8).
 *
 * Pages submitted while a write is in flight are merged into the next write, so several
 * mailboxes share full CRM batches instead of each sending its own partial one.
 */
import type { ActivityDraft, CrmAdapter, SyncStore, WriteOutcome } from './ports.js';
import { SyncError } from './sync-error.js';

export interface PendingActivity {
  mailboxId: string;
  activity: ActivityDraft;
  bcc: { name: string; address: string }[];
}

export interface WriteSummary {
  written: number;
  /** Already in the ledger (another mailbox, or an earlier run): a holder was added. */
  duplicates: number;
  /** Rejected by the CRM for good (bad input): counted, never retried, never blocking a cursor. */
  rejected: number;
}

interface Submission {
  items: readonly PendingActivity[];
  resolve(summary: WriteSummary): void;
  reject(error: unknown): void;
}

export class ActivityWriter {
  private queue: Submission[] = [];
  private draining = false;

  constructor(
    private readonly crm: CrmAdapter,
    private readonly store: SyncStore,
    private readonly batchSize: number,
  ) {}

  /**
   * Queues a page's activities; resolves when they are written and recorded. Rejects with a
   * transient SyncError when any of them (or the email it shares a key with) could not be
   * written: the caller must not move its cursor past them.
   */
  submit(items: readonly PendingActivity[]): Promise<WriteSummary> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length) {
        const round = this.queue;
        this.queue = [];
        try {
          await this.write(round);
        } catch (err) {
          // A store failure: nothing of this round may be taken as written.
          for (const s of round) s.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async write(round: readonly Submission[]): Promise<void> {
    // First item per new key writes it; the others (same email, other mailboxes) follow it.
    // The claim is atomic in the store, so with many workers only one mailbox anywhere writes a
    // key; a mailbox that loses it was made a holder by the claim itself.
    const writers = new Map<string, PendingActivity>();
    for (const { items } of round) {
      for (const item of items) {
        const key = item.activity.key;
        if (!writers.has(key) && (await this.store.claim(key, item.mailboxId))) writers.set(key, item);
      }
    }

    const outcomes = new Map<string, WriteOutcome | Error>();
    const queue = [...writers.values()];
    for (let i = 0; i < queue.length; i += this.batchSize) {
      const batch = queue.slice(i, i + this.batchSize);
      let results: WriteOutcome[];
      try {
        results = await this.crm.writeActivities(batch.map((b) => b.activity));
      } catch (err) {
        // The whole call failed (budget exhausted, auth): none of this batch is written.
        for (const b of batch) outcomes.set(b.activity.key, err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      const byKey = new Map(results.map((o) => [o.key, o]));
      for (const item of batch) {
        const outcome = byKey.get(item.activity.key);
        outcomes.set(item.activity.key, outcome ?? new Error('no outcome returned for an activity'));
        if (outcome?.ok) {
          await this.store.recordImport({ key: outcome.key, crmId: outcome.crmId, mailboxId: item.mailboxId, activity: item.activity, bcc: item.bcc });
        }
      }
    }

    for (const submission of round) await this.settle(submission, writers, outcomes);
  }

  private async settle(submission: Submission, writers: ReadonlyMap<string, PendingActivity>, outcomes: ReadonlyMap<string, WriteOutcome | Error>): Promise<void> {
    const summary: WriteSummary = { written: 0, duplicates: 0, rejected: 0 };
    let failure: Error | null = null;
    for (const item of submission.items) {
      const key = item.activity.key;
      const writer = writers.get(key);
      if (!writer) {
        // Imported before, or claimed by another mailbox (maybe on another worker): the claim
        // recorded this mailbox as a holder.
        summary.duplicates++;
        continue;
      }
      const outcome = outcomes.get(key);
      if (outcome instanceof Error || !outcome) {
        failure = outcome ?? new Error('activity not written');
      } else if (outcome.ok) {
        if (writer === item) summary.written++;
        else {
          await this.store.addHolder(key, item.mailboxId);
          summary.duplicates++;
        }
      } else if (outcome.retryable) {
        failure = new Error(outcome.error);
      } else if (writer === item) {
        summary.rejected++;
      } else {
        summary.duplicates++;
      }
    }
    // Written items are recorded; the rest are retried by the next run, because the cursor
    // does not move past a page whose writes did not all land.
    if (failure) {
      submission.reject(failure instanceof SyncError ? failure : new SyncError('transient', `activity write failed: ${failure.message}`, { cause: failure }));
    } else {
      submission.resolve(summary);
    }
  }
}
