/**
 * Client-side limits per mailbox with bottleneck: a leaky bucket at 75% of the documented rate
 * and a concurrency cap, plus a pause honouring the service's `Retry-After`.
 *
 * The bucket holds 25% of the limit and refills at 75% of it per window, so no sliding window
 * ever sees more than the limit: 0.25·L + 0.75·L = L.
 */
import Bottleneck from 'bottleneck';

export interface RateLimit {
  /** Requests (or quota units) the service allows per window. */
  limit: number;
  windowMs: number;
  /** Concurrent requests per mailbox. */
  concurrency: number;
  /** Share of the documented rate to use (default 0.75). */
  share?: number;
}

/** Shortest refill interval: finer ticks cost timer wake-ups for no gain in accuracy. */
const MIN_TICK_MS = 100;

/** Reservoir settings for a leaky bucket at `share` of `limit` per `windowMs`. */
export function leakyBucket(rate: RateLimit): { capacity: number; interval: number; amount: number } {
  const share = rate.share ?? 0.75;
  const capacity = Math.max(1, Math.floor(rate.limit * (1 - share)));
  const perMs = (share * rate.limit) / rate.windowMs;
  // The smallest whole refill whose interval is at least MIN_TICK_MS, the interval rounded up:
  // the average rate stays at (just under) the share, never above it, and never rounds down to
  // a slower whole step (100 per 10 s at 75% is 7.5/s: one every 134 ms, not one per 250 ms).
  const amount = Math.max(1, Math.ceil(perMs * MIN_TICK_MS));
  const interval = Math.ceil(amount / perMs);
  return { capacity, interval, amount };
}

class MailboxGate {
  readonly rate: Bottleneck;
  readonly slots: Bottleneck;
  pausedUntil = 0;

  constructor(rate: RateLimit) {
    const bucket = leakyBucket(rate);
    this.rate = new Bottleneck({
      reservoir: bucket.capacity,
      reservoirIncreaseInterval: bucket.interval,
      reservoirIncreaseAmount: bucket.amount,
      reservoirIncreaseMaximum: bucket.capacity,
      // bottleneck adds the refill at most once per heartbeat (250 ms by default), which would
      // quietly stretch a shorter interval to 250 ms.
      heartbeatInterval: bucket.interval,
    });
    this.slots = new Bottleneck({ maxConcurrent: rate.concurrency });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One gate per mailbox; each request takes `cost` from the bucket and `slots` concurrent slots. */
export class MailboxLimiter {
  private readonly gates = new Map<string, MailboxGate>();

  constructor(private readonly rate: RateLimit) {}

  private gate(mailbox: string): MailboxGate {
    let gate = this.gates.get(mailbox);
    if (!gate) {
      gate = new MailboxGate(this.rate);
      this.gates.set(mailbox, gate);
    }
    return gate;
  }

  /** Runs `fn` once the mailbox's bucket, concurrency and any pause allow it. */
  async run<T>(mailbox: string, fn: () => Promise<T>, opts: { cost?: number; slots?: number } = {}): Promise<T> {
    const gate = this.gate(mailbox);
    // A job heavier than the bucket (a `$batch` of 20 against a small limit) could never start
    // in one piece: its cost is taken a bucketful at a time, so it is charged in full.
    const bucket = Math.max(1, Math.floor(this.rate.limit * (1 - (this.rate.share ?? 0.75))));
    const slots = Math.min(opts.slots ?? 1, this.rate.concurrency);
    for (let left = opts.cost ?? 1; left > 0; left -= bucket) {
      await gate.rate.schedule({ weight: Math.min(left, bucket) }, async () => undefined);
    }
    return gate.slots.schedule({ weight: slots }, async () => {
      const wait = gate.pausedUntil - Date.now();
      if (wait > 0) await sleep(wait);
      return fn();
    });
  }

  /** Holds every request of the mailbox until `ms` from now (a `Retry-After`). */
  pause(mailbox: string, ms: number): void {
    const gate = this.gate(mailbox);
    gate.pausedUntil = Math.max(gate.pausedUntil, Date.now() + ms);
  }

  /** Stops every limiter (test teardown, shutdown). */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.gates.values()].flatMap((g) => [g.rate.stop({ dropWaitingJobs: true }), g.slots.stop({ dropWaitingJobs: true })]),
    );
    this.gates.clear();
  }
}
