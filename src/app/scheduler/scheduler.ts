/**
 * When work happens: a croner timer per tenant enqueues a sync round on the configured pattern
 * (every 15 minutes by default), a daily retention run, and a minutely look at queued privacy jobs. Overlap is impossible twice over: the
 * queue refuses a job already queued or running, and croner's `protect` skips a tick while the
 * previous tick's callback is still running.
 */
import { Cron } from 'croner';
import type { JobQueue } from './job-queue.js';

const PRIVACY_CRON = '* * * * *';

export interface ScheduleSpec {
  tenants: readonly string[];
  /** Cron pattern of sync rounds. */
  cron: string;
  /** Cron pattern of retention runs. */
  retentionCron: string;
  timezone?: string;
}

export class Scheduler {
  private readonly timers: Cron[] = [];

  constructor(
    private readonly spec: ScheduleSpec,
    private readonly queue: JobQueue,
  ) {}

  /** Starts the timers; with `runNow`, enqueues a first sync round at once. */
  start(runNow = true): void {
    for (const tenant of this.spec.tenants) {
      const opts = { protect: true, timezone: this.spec.timezone };
      this.timers.push(new Cron(this.spec.cron, opts, () => void this.queue.enqueue({ kind: 'sync', tenant })));
      this.timers.push(new Cron(this.spec.retentionCron, opts, () => void this.queue.enqueue({ kind: 'retention', tenant })));
      // Privacy requests queued with `privacy erase --queue-only` wait at most a minute.
      this.timers.push(new Cron(PRIVACY_CRON, opts, () => void this.queue.enqueue({ kind: 'privacy', tenant })));
      if (runNow) this.queue.enqueue({ kind: 'sync', tenant });
    }
  }

  /** The next sync round, for `status` and the log. */
  nextRun(): Date | null {
    return nextRunOf(this.spec.cron);
  }

  stop(): void {
    for (const t of this.timers) t.stop();
    this.timers.length = 0;
  }
}

/** When a pattern fires next (null when it never does); throws on an invalid pattern. */
export function nextRunOf(pattern: string, from?: Date): Date | null {
  return new Cron(pattern, { paused: true }).nextRun(from) ?? null;
}
