/**
 * Request accounting for the emulators: how many requests of each kind were served, and the peak
 * number in flight per key (a mailbox), so tests and benchmarks can prove the exact API cost and
 * that a client never exceeded its concurrency budget.
 */
export class RequestCounters {
  private readonly kinds = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private readonly peaks = new Map<string, number>();
  private readonly stamps = new Map<string, number[]>();

  /** Counts one served request of `kind`. */
  count(kind: string): void {
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
  }

  /** Requests of one kind served so far. */
  get(kind: string): number {
    return this.kinds.get(kind) ?? 0;
  }

  /** Every request served so far. */
  total(): number {
    let sum = 0;
    for (const n of this.kinds.values()) sum += n;
    return sum;
  }

  /** A snapshot of the per-kind counts. */
  byKind(): Record<string, number> {
    return Object.fromEntries([...this.kinds.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Marks a request for `key` as started; returns the in-flight count including it. */
  enter(key: string, at: number = Date.now()): number {
    const now = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, now);
    if (now > (this.peaks.get(key) ?? 0)) this.peaks.set(key, now);
    const list = this.stamps.get(key) ?? [];
    list.push(at);
    this.stamps.set(key, list);
    return now;
  }

  /** Marks a request for `key` as finished. */
  leave(key: string): void {
    const now = (this.inFlight.get(key) ?? 1) - 1;
    this.inFlight.set(key, Math.max(0, now));
  }

  /** Requests currently in flight for `key`. */
  current(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }

  /** Highest number of requests ever in flight at once for `key`. */
  peakConcurrent(key: string): number {
    return this.peaks.get(key) ?? 0;
  }

  /** Peak concurrency of every key seen. */
  allPeaks(): Record<string, number> {
    return Object.fromEntries(this.peaks.entries());
  }

  /** Most requests for `key` that started inside any window of `windowMs` (sliding). */
  maxInWindow(key: string, windowMs: number): number {
    const list = [...(this.stamps.get(key) ?? [])].sort((a, b) => a - b);
    let best = 0;
    let start = 0;
    for (let end = 0; end < list.length; end++) {
      while ((list[end] ?? 0) - (list[start] ?? 0) >= windowMs) start++;
      best = Math.max(best, end - start + 1);
    }
    return best;
  }

  /** Start times recorded for `key` (epoch ms), in arrival order. */
  startTimes(key: string): readonly number[] {
    return this.stamps.get(key) ?? [];
  }

  /** Forgets every count, peak and timestamp. */
  reset(): void {
    this.kinds.clear();
    this.peaks.clear();
    this.stamps.clear();
    // In-flight counts are left alone: requests still being served will call leave().
  }
}
