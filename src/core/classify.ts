/**
 * The engine's decision for one message: qualify on metadata, then (with the body) the
 * body-level automated check, deals, owner and the explanation. `mailbridge classify` and the
 * sync call these same functions; there is no second implementation.
 */
import { normalizeAddress } from './address.js';
import type { AttachedEntities } from './associate.js';
import { automatedByBody } from './automated.js';
import type { DealCandidateTrace, DecisionTrace } from './decision-trace.js';
import { dayInZone, dealStanding, describeDeal, rankDeals, whyRankedBelow, type RankedDeal } from './deal-window.js';
import { dedupeKey } from './dedupe.js';
import { qualify, type EngineContext, type Qualified } from './qualify.js';
import type { Deal, MessageBody, MessageMeta, Reason } from './types.js';

export type { EngineContext } from './qualify.js';

export interface DecideOptions {
  /** Address of the mailbox owner (the fallback owner, DESIGN §1.7). */
  mailboxOwner: string | null;
  /** Used as the send date when the message has none. */
  now: Date;
}

export interface EmailDecision {
  decision: 'import' | 'skip';
  reason: Reason;
  contacts: string[];
  accounts: string[];
  leads: string[];
  deals: string[];
  /** CRM user id that owns the activity. */
  owner: string | null;
  explanation: string;
  /** Dedupe key (import only). */
  key: string | null;
  direction: 'inbound' | 'outbound' | null;
  /** CRM users among the participants (import only). */
  userIds: string[];
  /** The record the activity hangs on: the chosen deal, else the first account. */
  relatedToId: string | null;
}

export function skipDecision(reason: Reason, explanation: string): EmailDecision {
  return {
    decision: 'skip',
    reason,
    contacts: [],
    accounts: [],
    leads: [],
    deals: [],
    owner: null,
    explanation,
    key: null,
    direction: null,
    userIds: [],
    relatedToId: null,
  };
}

interface DealChoice {
  chosen: RankedDeal[];
  /** Explanation lines, one per chosen deal, plus what became of the thread's deal. */
  lines: string[];
}

/**
 * The deals an email goes to: a reply keeps its thread's deal when that deal is still eligible
 * at the reply's send date (same window as any deal); otherwise, and for every other email, the
 * eligible deals of its accounts are ranked (deal-window.ts).
 */
function chooseDeals(meta: MessageMeta, q: Qualified, ctx: EngineContext, now: Date, candidatesTrace?: DealCandidateTrace[]): DealChoice {
  const candidates = new Map<string, Deal>();
  for (const accountId of q.association.accountIds) {
    for (const deal of ctx.index.dealsByAccount(accountId)) candidates.set(deal.id, deal);
  }
  const threadDeals = q.association.thread?.dealIds ?? [];
  if (!candidates.size && !threadDeals.length) return { chosen: [], lines: [] };
  const sent = meta.sentAt ? new Date(meta.sentAt) : now;
  const sentDay = dayInZone(sent, ctx.rules.timeZone);
  const window = { timeZone: ctx.rules.timeZone, windowDays: ctx.rules.dealWindowDays };
  const contactIds = new Set(q.association.contactIds);
  const ranked = rankDeals(
    [...candidates.values()],
    sentDay,
    window,
    contactIds,
    q.userIds,
    candidatesTrace && ((deal, why) => candidatesTrace.push({ id: deal.id, name: deal.name, accountId: deal.accountId, verdict: 'ineligible', why })),
  );

  const lines: string[] = [];
  const kept: RankedDeal[] = [];
  for (const id of threadDeals) {
    const deal = candidates.get(id);
    const standing = deal ? dealStanding(deal, sentDay, window) : null;
    if (deal && standing?.eligible) kept.push(ranked.find((r) => r.deal.id === id)!);
    else lines.push(`thread's deal ${deal?.name ?? id} ${standing ? standing.why : "is no longer on the thread's accounts"}: deals ranked as usual`);
  }
  if (kept.length) {
    const chosen = kept.slice(0, ctx.rules.maxDeals);
    for (const r of chosen) lines.push(`${describeDeal(r)}; kept from the thread`);
    if (candidatesTrace) {
      for (const r of ranked) {
        const won = chosen.includes(r);
        const why = won ? `${describeDeal(r)}; kept from the thread` : `${r.why}; the thread's deal ${chosen[0]!.deal.name} is kept`;
        candidatesTrace.push({ id: r.deal.id, name: r.deal.name, accountId: r.deal.accountId, verdict: won ? 'won' : 'lost', why });
      }
    }
    return { chosen, lines };
  }

  const chosen = ranked.slice(0, ctx.rules.maxDeals);
  for (const r of chosen) lines.push(describeDeal(r));
  if (candidatesTrace) {
    const last = chosen.at(-1);
    ranked.forEach((r, i) => {
      const won = i < chosen.length;
      const why = won ? describeDeal(r) : `${r.why}; ranked below ${last!.deal.name}: ${whyRankedBelow(r, last!)}`;
      candidatesTrace.push({ id: r.deal.id, name: r.deal.name, accountId: r.deal.accountId, verdict: won ? 'won' : 'lost', why });
    });
  }
  return { chosen, lines };
}

/**
 * Completes a qualified message with its body: the body-level automated check (nothing is kept
 * of a message it rejects), deal choice, owner and explanation.
 */
export function decide(meta: MessageMeta, q: Qualified, body: MessageBody | null, ctx: EngineContext, opts: DecideOptions, trace?: DecisionTrace): EmailDecision {
  if (body) {
    const bulk = automatedByBody(body);
    if (bulk) {
      trace?.rule('automated-body', 'fail', bulk);
      return skipDecision('automated', bulk);
    }
    trace?.rule('automated-body', 'pass', 'the body reads as written by a person');
  } else {
    trace?.rule('automated-body', 'not-reached', 'no body to check');
  }
  const candidates: DealCandidateTrace[] | undefined = trace ? [] : undefined;
  const { chosen, lines } = chooseDeals(meta, q, ctx, opts.now, candidates);
  const dealIds = [...new Set([...q.association.attachedDealIds, ...chosen.map((r) => r.deal.id)])];

  const explanation = [...q.association.reasons, ...lines];
  if (!chosen.length && q.association.accountIds.length) explanation.push('no eligible deal: logged on the account');

  let owner: string | null;
  let ownerWhy: string;
  const top = chosen[0];
  if (top?.deal.ownerId && q.userIds.has(top.deal.ownerId)) {
    owner = top.deal.ownerId;
    ownerWhy = 'owner: deal owner on the thread';
    explanation.push(ownerWhy);
  } else {
    const mailboxOwner = normalizeAddress(opts.mailboxOwner);
    owner = mailboxOwner ? (ctx.index.userByEmail(mailboxOwner)?.id ?? null) : null;
    ownerWhy = owner ? 'owner: mailbox owner' : 'no owner: the mailbox owner is not a CRM user (the CRM default applies)';
    if (owner) explanation.push(ownerWhy);
  }
  if (trace && candidates) trace.deals({ chosen: dealIds, candidates, owner: { id: owner, why: ownerWhy } });

  const from = q.participants.find((p) => p.role === 'from');
  // Outbound when one of ours wrote it: a company address, a CRM user, or the mailbox owner.
  const outbound =
    !!from && (from.internal || !!ctx.index.userByEmail(from.address) || from.address === normalizeAddress(opts.mailboxOwner));

  return {
    decision: 'import',
    reason: 'matched',
    contacts: q.association.contactIds,
    accounts: q.association.accountIds,
    leads: q.association.leadIds,
    deals: dealIds,
    owner,
    explanation: explanation.join('; '),
    key: dedupeKey(meta),
    direction: outbound ? 'outbound' : 'inbound',
    userIds: [...q.userIds],
    relatedToId: dealIds[0] ?? q.association.accountIds[0] ?? null,
  };
}

/** Metadata and body in, decision out: the whole engine for one message. */
export function classifyMessage(
  meta: MessageMeta,
  body: MessageBody | null,
  ctx: EngineContext,
  opts: DecideOptions,
  attached?: AttachedEntities,
  trace?: DecisionTrace,
): EmailDecision {
  const q = qualify(meta, ctx, attached, trace);
  if (!q.ok) return skipDecision(q.reason, q.why);
  return decide(meta, q, body, ctx, opts, trace);
}
