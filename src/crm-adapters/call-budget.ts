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

/**
 * Pacing shared with the other processes calling the same CRM tenant (the worker pool's bucket
 * in PostgreSQL). Without one, each process paces itself alone.
 */
export interface SharedCallGate {
  /** Takes one call: `ok`, or how long to wait and whether the tenant's day (not its window) is spent. */
  take(): Promise<{ ok: true } | { ok: false; waitMs: number; daily: boolean }>;
  /** The CRM's reported daily allocation (shared caps hold `share` of it once known). */
  dailyLimit(limit: number): void;
  /** The CRM's reported rolling window (HubSpot's `X-HubSpot-RateLimit-Max` per interval). */
  window(max: number, intervalMs: number): void;
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
  private shared: SharedCallGate | null = null;

  constructor(private readonly opts: CallBudgetOptions) {
    this.share = opts.share ?? 0.75;
    this.now = opts.now ?? Date.now;
  }

  /** Paces every call also by `gate`, shared with the tenant's other processes. */
  shareWith(gate: SharedCallGate): void {
    this.shared = gate;
    if (this.limit !== null) gate.dailyLimit(this.limit);
  }

  /** The CRM's rolling window as reported, passed on to the shared gate. */
  observeWindow(max: number, intervalMs: number): void {
    this.shared?.window(max, intervalMs);
  }

  /** Records the usage the CRM reported on a response. */
  observe(used: number, limit: number): void {
    if (limit !== this.limit) this.shared?.dailyLimit(limit);
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
      if (this.shared) {
        const turn = await this.shared.take();
        if (!turn.ok) {
          // A spent day pauses like the CRM's own counter (and counts toward maxPauseMs); a spent
          // window is a short wait for the next one.
          if (turn.daily) this.pause(turn.waitMs);
          else await sleep(turn.waitMs);
          continue;
        }
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
