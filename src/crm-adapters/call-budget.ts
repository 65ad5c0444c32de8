/**
 * The daily call budget of one CRM connection, driven by what the CRM reports (Salesforce
 * `Sforce-Limit-Info`, HubSpot `X-HubSpot-RateLimit-Daily*`). Once the share we may use is spent,
 * or the CRM refuses a call for its limit, calls wait on a single timer until the pause ends,
 * then one probe call goes out and its headers decide whether work resumes. Nothing spins.
 *
 * Example: allocation 100,000, share 0.75 → after 75,000 reported calls every caller waits
 * `pauseMs`, then one call probes; if the CRM now reports 40,000 used, work resumes.
 */
import { SyncError } from '../core/sync-error.js';

export interface CallBudgetOptions {
  /** Fraction of the reported daily allocation this connection may use (default 0.75). */
  share?: number;
  /** Wait after the budget runs out when the CRM gives no reset time. */
  pauseMs: number;
  /** Longest total pause before giving up with a `rate-limited` SyncError (default 24 h). */
  maxPauseMs?: number;
  now?: () => number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class CallBudget {
  private used: number | null = null;
  private limit: number | null = null;
  private pausedUntil = 0;
  private probe = false;
  private pausedTotal = 0;
  /** How many times calls were paused (for tests and status). */
  pauses = 0;
  private readonly share: number;
  private readonly now: () => number;

  constructor(private readonly opts: CallBudgetOptions) {
    this.share = opts.share ?? 0.75;
    this.now = opts.now ?? Date.now;
  }

  /** Records the usage the CRM reported on a response. */
  observe(used: number, limit: number): void {
    this.used = used;
    this.limit = limit;
    this.probe = false;
    if (used < this.cap()) this.pausedTotal = 0;
  }

  /** Usage as last reported. */
  usage(): { used: number | null; limit: number | null } {
    return { used: this.used, limit: this.limit };
  }

  /** The CRM refused a call for its limit: pause everyone for `ms` (or the default pause). */
  exhausted(ms?: number | null): void {
    this.pause(ms ?? this.opts.pauseMs);
  }

  /** Resolves when a call may go out; waits (never spins) while the budget is spent. */
  async acquire(): Promise<void> {
    for (;;) {
      const wait = this.pausedUntil - this.now();
      if (wait > 0) {
        await sleep(wait);
        this.probe = true;
        continue;
      }
      if (!this.probe && this.used !== null && this.used >= this.cap()) {
        this.pause(this.opts.pauseMs);
        continue;
      }
      return;
    }
  }

  private cap(): number {
    return this.limit === null ? Infinity : Math.floor(this.limit * this.share);
  }

  private pause(ms: number): void {
    const until = this.now() + ms;
    if (until <= this.pausedUntil) return;
    this.pausedTotal += until - Math.max(this.pausedUntil, this.now());
    if (this.pausedTotal > (this.opts.maxPauseMs ?? 86_400_000)) {
      throw new SyncError('rate-limited', 'daily API budget exhausted for longer than the allowed pause', { retryAfterMs: ms });
    }
    this.pausedUntil = until;
    this.pauses++;
  }
}

/**
 * Runs `call` under the budget, retrying what `classify` says is retryable: a rate limit pauses
 * the budget (every caller waits) and does not use up an attempt; a transient error is retried
 * with exponential backoff and jitter up to `attempts` times.
 */
export async function withBudget<T>(
  budget: CallBudget,
  call: () => Promise<T>,
  classify: (error: unknown) => SyncError,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await budget.acquire();
    try {
      return await call();
    } catch (error) {
      const mapped = classify(error);
      if (mapped.code === 'rate-limited') {
        budget.exhausted(mapped.retryAfterMs);
        attempt--;
        continue;
      }
      if (!mapped.retryable || attempt >= attempts) throw mapped;
      const base = mapped.retryAfterMs ?? 250 * 2 ** attempt;
      await sleep(Math.min(base * 2 ** (attempt - 1), 30_000) + Math.floor(Math.random() * 100));
    }
  }
}
