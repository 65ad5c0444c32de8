/**
 * A record of how the engine reached one decision, for `mailbridge explain`. The rules fill it
 * as they run (qualify, associate, the deal ranking, decide): there is no second implementation
 * of the rules here, only the notes they leave. The sync passes no trace, and every note is
 * written as `trace?.…(…)`, so its details are never even computed on the hot path.
 *
 * Details name participants, lists and headers: a trace is shown to the admin who asked and
 * never stored or logged.
 */
import type { SkipReason } from './types.js';

/** The checks in the order the engine runs them, and the skip reason each one gives. */
export const TRACED_RULES = [
  { rule: 'draft-or-deleted', reason: 'draft-or-deleted' },
  { rule: 'internal-only', reason: 'internal-only' },
  { rule: 'blocklisted', reason: 'blocklisted' },
  { rule: 'automated-headers', reason: 'automated' },
  { rule: 'bulk-recipients', reason: 'automated' },
  { rule: 'crm-match', reason: 'no-crm-match' },
  { rule: 'automated-body', reason: 'automated' },
] as const satisfies readonly { rule: string; reason: SkipReason }[];

export type TracedRule = (typeof TRACED_RULES)[number]['rule'];

/** `fail` rejects the message; `not-reached` when an earlier rule decided (or no body came). */
export type RuleVerdict = 'pass' | 'fail' | 'not-reached';

export interface RuleStep {
  rule: TracedRule;
  verdict: RuleVerdict;
  detail: string;
}

/** One external participant's way through the association cascade. */
export interface ParticipantMatch {
  address: string;
  role: string;
  /** What it matched (one entry per step that matched), or why nothing did. */
  matched: string[];
}

export interface AssociationTrace {
  /** Participants that are CRM users or on a company domain: never matched as customers. */
  ours: { address: string; role: string; why: string }[];
  external: ParticipantMatch[];
  /** The imported email this one replies to, and what it passed on (null: not a reply to one). */
  thread: { key: string; activityId: string | null; contactIds: string[]; accountIds: string[]; leadIds: string[]; dealIds: string[]; why: string } | null;
  contactIds: string[];
  accountIds: string[];
  leadIds: string[];
}

export interface DealCandidateTrace {
  id: string;
  name: string;
  accountId: string | null;
  /**
   * won: written to it (ranked first, or the thread's deal kept); lost: eligible but ranked below
   * the winners or behind the thread's deal; ineligible: not on the send date.
   */
  verdict: 'won' | 'lost' | 'ineligible';
  why: string;
}

export interface DealTrace {
  /** Ids the email goes to (the winners and any attached to the conversation). */
  chosen: string[];
  candidates: DealCandidateTrace[];
  owner: { id: string | null; why: string };
}

export class DecisionTrace {
  private readonly steps = new Map<TracedRule, RuleStep>();
  associationTrace: AssociationTrace | null = null;
  dealTrace: DealTrace | null = null;

  rule(rule: TracedRule, verdict: RuleVerdict, detail: string): void {
    this.steps.set(rule, { rule, verdict, detail });
  }

  association(value: AssociationTrace): void {
    this.associationTrace = value;
  }

  deals(value: DealTrace): void {
    this.dealTrace = value;
  }

  /** Every rule in order; one the engine never got to is `not-reached`. */
  rules(): RuleStep[] {
    return TRACED_RULES.map(
      ({ rule }) => this.steps.get(rule) ?? { rule, verdict: 'not-reached' as const, detail: 'not checked: an earlier rule decided' },
    );
  }
}
