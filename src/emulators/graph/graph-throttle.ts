/**
 * Outlook's per app+mailbox limits: a sliding window of requests (10,000 per 10 minutes by
 * default) and a gate of concurrent requests (4). Each mailbox is throttled on its own.
 */

export interface GraphLimits {
  requestsPerWindow: number;
  windowMs: number;
  concurrency: number;
}

export const DEFAULT_GRAPH_LIMITS: GraphLimits = { requestsPerWindow: 10_000, windowMs: 600_000, concurrency: 4 };

/** `retryAfterSec` is whole seconds for the rate limit; the concurrency gate states none. */
export type Admission = { ok: true } | { ok: false; reason: 'rate'; retryAfterSec: number } | { ok: false; reason: 'concurrency' };

/** Sliding-window and concurrency accounting per mailbox. */
export class MailboxThrottle {
  private readonly stamps = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();

  constructor(public limits: GraphLimits = { ...DEFAULT_GRAPH_LIMITS }) {}

  /**
   * Admits `requests` requests taking `slots` concurrent slots, or says why not. Throttled
   * requests still count against the window, as Graph keeps counting while you are throttled.
   */
  admit(mailbox: string, requests = 1, slots = 1, now = Date.now()): Admission {
    const list = (this.stamps.get(mailbox) ?? []).filter((t) => now - t < this.limits.windowMs);
    this.stamps.set(mailbox, list);
    const running = this.inFlight.get(mailbox) ?? 0;
    if (list.length + requests > this.limits.requestsPerWindow) {
      for (let i = 0; i < requests; i++) list.push(now);
      const oldest = list[0] ?? now;
      // Graph states whole seconds (learn.microsoft.com/graph/throttling: "Retry-After: 10").
      return { ok: false, reason: 'rate', retryAfterSec: Math.max(1, Math.ceil((oldest + this.limits.windowMs - now) / 1000)) };
    }
    for (let i = 0; i < requests; i++) list.push(now);
    if (running + slots > this.limits.concurrency) return { ok: false, reason: 'concurrency' };
    this.inFlight.set(mailbox, running + slots);
    return { ok: true };
  }

  /** Frees slots taken by an admitted request. */
  release(mailbox: string, slots = 1): void {
    this.inFlight.set(mailbox, Math.max(0, (this.inFlight.get(mailbox) ?? 0) - slots));
  }
}
