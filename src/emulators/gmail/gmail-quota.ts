/**
 * Gmail's per-user quota: units per method in a sliding minute (15,000 by default; 6,000 for the
 * post-May-2026 regime) and an unpublished concurrency cap (about 10).
 */

export interface GmailLimits {
  unitsPerWindow: number;
  windowMs: number;
  concurrency: number;
  /** Unit cost of `messages.get` (5 in the 2024 table, 20 in the post-May-2026 one). */
  getCost: number;
}

export const DEFAULT_GMAIL_LIMITS: GmailLimits = { unitsPerWindow: 15_000, windowMs: 60_000, concurrency: 10, getCost: 5 };

/** Units each method costs. */
export function methodCost(kind: string, limits: GmailLimits): number {
  if (kind === 'messages.get') return limits.getCost;
  if (kind === 'messages.list') return 5;
  if (kind === 'history.list') return 2;
  return 1;
}

/** `retryAt` (quota): when enough of the window has slid by for this charge to fit. */
export type QuotaDecision = { ok: true } | { ok: false; reason: 'quota'; retryAt: Date } | { ok: false; reason: 'concurrency' };

export class UserQuota {
  private readonly spent = new Map<string, { at: number; units: number }[]>();
  private readonly inFlight = new Map<string, number>();

  constructor(public limits: GmailLimits = { ...DEFAULT_GMAIL_LIMITS }) {}

  /** Charges `units` to the user, or refuses. */
  charge(user: string, units: number, now = Date.now()): QuotaDecision {
    const list = (this.spent.get(user) ?? []).filter((s) => now - s.at < this.limits.windowMs);
    this.spent.set(user, list);
    const used = list.reduce((sum, s) => sum + s.units, 0);
    if (used + units > this.limits.unitsPerWindow) {
      let freed = used + units - this.limits.unitsPerWindow;
      let at = now;
      for (const s of list) {
        at = s.at + this.limits.windowMs;
        freed -= s.units;
        if (freed <= 0) break;
      }
      return { ok: false, reason: 'quota', retryAt: new Date(at) };
    }
    list.push({ at: now, units });
    return { ok: true };
  }

  /** Units charged to the user in the current window. */
  used(user: string, now = Date.now()): number {
    return (this.spent.get(user) ?? []).filter((s) => now - s.at < this.limits.windowMs).reduce((sum, s) => sum + s.units, 0);
  }

  enter(user: string): QuotaDecision {
    const running = this.inFlight.get(user) ?? 0;
    if (running + 1 > this.limits.concurrency) return { ok: false, reason: 'concurrency' };
    this.inFlight.set(user, running + 1);
    return { ok: true };
  }

  leave(user: string): void {
    this.inFlight.set(user, Math.max(0, (this.inFlight.get(user) ?? 0) - 1));
  }
}
