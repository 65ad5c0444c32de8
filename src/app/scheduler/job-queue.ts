/**
 * The seam between "when" and "what": the scheduler enqueues jobs, a worker runs them. The
 * in-process queue below serves one machine; an install that outgrows it plugs a distributed
 * queue (pg-boss on PostgreSQL: `pg-boss-queue.ts`) in behind the same interface, with the job
 * name as the de-duplication key so a round never overlaps itself.
 */

/** `sync` is a tenant's round; `mailbox` one mailbox of it (the worker pool splits rounds so). */
export type JobKind = 'sync' | 'mailbox' | 'retention' | 'privacy';

export interface Job {
  kind: JobKind;
  tenant: string;
  /** The provider's mailbox id, for `mailbox` jobs: ids only, never an address. */
  mailbox?: string;
}

export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void>;

export interface JobQueue {
  /** Adds the job unless the same job is already queued (or running); false when it was. */
  enqueue(job: Job): boolean | Promise<boolean>;
  /** Starts running jobs with `handler` (one at a time per tenant). */
  process(handler: JobHandler): void;
  /** Stops taking jobs, signals running ones to stop after their batch in flight, waits for them. */
  close(): Promise<void>;
}

export const jobName = (job: Job): string => `${job.kind}:${job.tenant}${job.mailbox === undefined ? '' : `:${job.mailbox}`}`;

/** One process, jobs of a tenant one after the other, tenants in parallel. */
export class InProcessJobQueue implements JobQueue {
  private readonly queued = new Map<string, Job>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly busyTenants = new Set<string>();
  private handler: JobHandler | null = null;
  private readonly stop = new AbortController();
  private closed = false;

  constructor(private readonly onError: (job: Job, error: unknown) => void = () => undefined) {}

  enqueue(job: Job): boolean {
    const name = jobName(job);
    if (this.closed || this.queued.has(name) || this.running.has(name)) return false;
    this.queued.set(name, job);
    this.pump();
    return true;
  }

  process(handler: JobHandler): void {
    this.handler = handler;
    this.pump();
  }

  /** Jobs queued or running, by name (for status and tests). */
  pending(): string[] {
    return [...this.running.keys(), ...this.queued.keys()];
  }

  /** How many jobs wait and run (the `mailbridge_queue_jobs` metric). */
  depth(): { queued: number; running: number } {
    return { queued: this.queued.size, running: this.running.size };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queued.clear();
    this.stop.abort();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  private pump(): void {
    if (!this.handler || this.closed) return;
    for (const [name, job] of this.queued) {
      if (this.busyTenants.has(job.tenant)) continue;
      this.queued.delete(name);
      this.busyTenants.add(job.tenant);
      const run = this.handler(job, this.stop.signal)
        .catch((err: unknown) => this.onError(job, err))
        .finally(() => {
          this.running.delete(name);
          this.busyTenants.delete(job.tenant);
          this.pump();
        });
      this.running.set(name, run);
    }
  }
}
