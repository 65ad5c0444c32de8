/**
 * Fault injection for the emulators: a queue of rules, each matching requests by kind and/or
 * path and applied a given number of times before it is used up.
 */

/** What goes wrong with one matched request. */
export type Fault =
  | { type: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { type: 'delay'; ms: number }
  | { type: 'hang' }
  | { type: 'truncate' };

/** A fault and which requests it hits; `times` defaults to 1. */
export interface FaultRule {
  fault: Fault;
  kind?: string;
  pathIncludes?: string;
  times?: number;
}

interface ActiveRule {
  rule: FaultRule;
  left: number;
}

/** The faults waiting to be served, first matching rule wins. */
export class FaultPlan {
  private rules: ActiveRule[] = [];
  private served = 0;

  /** Queues a rule; it applies to the next `times` matching requests. */
  add(rule: FaultRule): void {
    this.rules.push({ rule, left: rule.times ?? 1 });
  }

  /** Drops every pending rule. */
  clear(): void {
    this.rules = [];
  }

  /** Rules not yet used up. */
  pending(): number {
    return this.rules.length;
  }

  /** Faults actually served since creation. */
  servedCount(): number {
    return this.served;
  }

  /**
   * The fault to apply to this request, if any; consumes one use of the matching rule.
   * Called by the HTTP emulator (and by batch handlers for their inner requests).
   */
  take(req: { path: string }, kind: string): Fault | undefined {
    const index = this.rules.findIndex(
      ({ rule }) =>
        (rule.kind === undefined || rule.kind === kind) &&
        (rule.pathIncludes === undefined || req.path.includes(rule.pathIncludes)),
    );
    if (index < 0) return undefined;
    const active = this.rules[index]!;
    active.left -= 1;
    if (active.left <= 0) this.rules.splice(index, 1);
    this.served += 1;
    return active.rule.fault;
  }
}
