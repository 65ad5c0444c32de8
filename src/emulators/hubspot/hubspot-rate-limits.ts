/**
 * HubSpot's limits as the emulator enforces them: a rolling ten-second window per app, a daily
 * allowance per account (reset at the next window boundary, midnight UTC by default), and the
 * search API's own per-second limit. Each refusal carries the real 429 body.
 */
import { randomUUID } from 'node:crypto';

export interface HubspotLimitOptions {
  /** Requests per rolling interval (100 Free/Starter, 190 Pro/Enterprise). */
  tenSecondlyMax: number;
  intervalMs: number;
  daily: number;
  /** Daily window length; default: reset at midnight UTC. */
  dailyWindowMs?: number;
  searchPerSecond: number;
  /** Whether search requests also count toward the ten-secondly window (spec marks them exempt). */
  searchCountsTenSecondly: boolean;
}

export type LimitVerdict = { ok: true; headers: Record<string, string> } | { ok: false; status: 429; body: Record<string, unknown>; headers: Record<string, string> };

const DAY = 86_400_000;

export class HubspotRateLimits {
  private readonly window: number[] = [];
  private readonly searches: number[] = [];
  private dailyUsed = 0;
  private dailyResetAt: number;
  /** Refusals by policy (`TEN_SECONDLY_ROLLING`, `DAILY`, `SECONDLY`): the proof a client kept to its limits. */
  readonly refused: Record<string, number> = {};
  /** Most requests the rolling ten-second window ever held (admitted ones). */
  peakWindow = 0;

  constructor(
    public options: HubspotLimitOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.dailyResetAt = this.nextReset(this.now());
  }

  private nextReset(from: number): number {
    return this.options.dailyWindowMs ? from + this.options.dailyWindowMs : Math.floor(from / DAY) * DAY + DAY;
  }

  private prune(list: number[], span: number, at: number): void {
    while (list.length && list[0]! <= at - span) list.shift();
  }

  /** Daily usage in the current window. */
  usage(): { used: number; limit: number; resetAt: number } {
    const at = this.now();
    if (at >= this.dailyResetAt) {
      this.dailyUsed = 0;
      this.dailyResetAt = this.nextReset(at);
    }
    return { used: this.dailyUsed, limit: this.options.daily, resetAt: this.dailyResetAt };
  }

  private headers(): Record<string, string> {
    const u = this.usage();
    const at = this.now();
    const secondly = Math.max(1, Math.ceil(this.options.tenSecondlyMax / 10));
    return {
      'X-HubSpot-RateLimit-Daily': String(u.limit),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, u.limit - u.used)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(this.options.intervalMs),
      'X-HubSpot-RateLimit-Max': String(this.options.tenSecondlyMax),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, this.options.tenSecondlyMax - this.window.length)),
      // Legacy per-second pair, still sent (API_NOTES §4.7): a tenth of the window, not enforced.
      'X-HubSpot-RateLimit-Secondly': String(secondly),
      'X-HubSpot-RateLimit-Secondly-Remaining': String(Math.max(0, secondly - this.lastSecond(at))),
    };
  }

  /** Requests of the window in the last second (the window is in time order). */
  private lastSecond(at: number): number {
    let n = 0;
    for (let i = this.window.length - 1; i >= 0 && this.window[i]! > at - 1000; i--) n++;
    return n;
  }

  /** Admits or refuses one request; admitted ones are counted. */
  admit(isSearch: boolean): LimitVerdict {
    const at = this.now();
    const u = this.usage();
    this.prune(this.window, this.options.intervalMs, at);
    this.prune(this.searches, 1000, at);
    const refuse = (body: Record<string, unknown>): LimitVerdict => {
      const policy = String(body.policyName);
      this.refused[policy] = (this.refused[policy] ?? 0) + 1;
      return refusal(body);
    };
    const refusal = (body: Record<string, unknown>): LimitVerdict => ({
      ok: false,
      status: 429,
      body: { status: 'error', errorType: 'RATE_LIMIT', category: 'RATE_LIMITS', correlationId: randomUUID(), requestId: randomUUID(), ...body },
      headers: this.headers(),
    });
    if (u.used >= u.limit) return refuse({ message: 'You have reached your daily limit.', policyName: 'DAILY' });
    const countsWindow = !isSearch || this.options.searchCountsTenSecondly;
    if (countsWindow && this.window.length >= this.options.tenSecondlyMax) {
      return refuse({
        message: 'You have reached your ten_secondly_rolling limit.',
        policyName: 'TEN_SECONDLY_ROLLING',
        groupName: 'publicapi:private_app-api-calls-ten-secondly:emulator',
      });
    }
    if (isSearch && this.searches.length >= this.options.searchPerSecond) {
      // Recorded body: HGData/mk-node-hubspot#84 (policyName SECONDLY, a secondly groupName).
      return refuse({ message: 'You have reached your secondly limit.', policyName: 'SECONDLY', groupName: 'publicapi:private_app-api-calls-secondly:emulator' });
    }
    this.dailyUsed++;
    if (countsWindow) {
      this.window.push(at);
      this.peakWindow = Math.max(this.peakWindow, this.window.length);
    }
    if (isSearch) this.searches.push(at);
    return { ok: true, headers: this.headers() };
  }
}
