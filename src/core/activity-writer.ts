/**
 * Writes activities for every mailbox of a tenant through one serial queue, so the dedupe
 * check against the ledger and the CRM write never race: the same email arriving from two
 * mailboxes at once becomes one activity with two holders (DESIGN §1.5, §1.8).
 */
import type { ActivityDraft, CrmAdapter, SyncStore } from './ports.js';
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

export class ActivityWriter {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly crm: CrmAdapter,
    private readonly store: SyncStore,
    private readonly batchSize: number,
  ) {}

  /** Queues a page's activities; resolves when they are written and recorded. */
  submit(items: readonly PendingActivity[]): Promise<WriteSummary> {
    const run = this.tail.then(() => this.write(items));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async write(items: readonly PendingActivity[]): Promise<WriteSummary> {
    const summary: WriteSummary = { written: 0, duplicates: 0, rejected: 0 };
    const fresh = new Map<string, PendingActivity>();
    for (const item of items) {
      const key = item.activity.key;
      if (this.store.hasImported(key)) {
        this.store.addHolder(key, item.mailboxId);
        summary.duplicates++;
      } else if (fresh.has(key)) {
        summary.duplicates++;
      } else {
        fresh.set(key, item);
      }
    }
    const queue = [...fresh.values()];
    for (let i = 0; i < queue.length; i += this.batchSize) {
      const batch = queue.slice(i, i + this.batchSize);
      const outcomes = await this.crm.writeActivities(batch.map((b) => b.activity));
      const byKey = new Map(outcomes.map((o) => [o.key, o]));
      let retryable: string | null = null;
      for (const item of batch) {
        const outcome = byKey.get(item.activity.key);
        if (outcome?.ok) {
          this.store.recordImport({ key: outcome.key, crmId: outcome.crmId, mailboxId: item.mailboxId, activity: item.activity, bcc: item.bcc });
          summary.written++;
        } else if (!outcome || outcome.retryable) {
          retryable = outcome ? outcome.error : 'no outcome returned for an activity';
        } else {
          summary.rejected++;
        }
      }
      // Written items are recorded above; the rest are retried by the next run, because the
      // cursor does not move past a page whose writes did not all land.
      if (retryable) throw new SyncError('transient', `activity write failed: ${retryable}`);
    }
    for (const item of items) {
      const first = fresh.get(item.activity.key);
      if (first && first !== item) this.store.addHolder(item.activity.key, item.mailboxId);
    }
    return summary;
  }
}
