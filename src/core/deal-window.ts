/**
 * Which deals an email may be logged against, and in what order (DESIGN §2 "Deals").
 *
 * Worked example (tenant in UTC, window 14 days): a deal closed on 2026-03-01.
 * - email sent 2026-02-27 → open at send time (eligible, ranks as open);
 * - email sent 2026-03-15 → closed 14 days before (eligible, ranks as closed);
 * - email sent 2026-03-16 → not eligible: it goes to the account, or to another open deal.
 * The date that counts is the email's, so a backfill associates old mail as it was then.
 */
import type { Deal } from './types.js';

const DAY_MS = 86_400_000;
const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = dayFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError naming the zone when it is not an IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** Calendar day number (days since 1970-01-01) of an instant, in a time zone. */
export function dayInZone(instant: Date, timeZone: string): number {
  if (timeZone === 'UTC') return Math.floor(instant.getTime() / DAY_MS);
  const parts = formatterFor(timeZone).formatToParts(instant);
  let y = 0;
  let m = 0;
  let d = 0;
  for (const p of parts) {
    if (p.type === 'year') y = Number(p.value);
    else if (p.type === 'month') m = Number(p.value);
    else if (p.type === 'day') d = Number(p.value);
  }
  return Math.floor(Date.UTC(y, m - 1, d) / DAY_MS);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Day number of a CRM date: a calendar date (`2026-03-01`, as Salesforce CloseDate) is taken
 * as is; a timestamp is placed on the tenant's calendar. Null when missing or unreadable.
 */
export function crmDay(value: string | null | undefined, timeZone: string): number | null {
  if (!value) return null;
  const m = DATE_ONLY.exec(value);
  if (m) return Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS);
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : dayInZone(new Date(t), timeZone);
}

export interface DealWindowRules {
  timeZone: string;
  /** Days after the close date during which a closed deal still takes mail (inclusive). */
  windowDays: number;
}

export type DealStanding = { eligible: false; why: string } | { eligible: true; openAtSend: boolean; why: string };

/**
 * A deal is open at the sent day when created on or before it and not closed before it; a
 * closed deal stays eligible through close day + window. A deal created after the email is not.
 */
export function dealStanding(deal: Deal, sentDay: number, rules: DealWindowRules): DealStanding {
  const created = crmDay(deal.createdDate, rules.timeZone);
  if (created !== null && created > sentDay) return { eligible: false, why: 'created after the email was sent' };
  if (!deal.isClosed) return { eligible: true, openAtSend: true, why: 'open at send time' };
  // A closed deal without a close date: its last change is the best guess of when it closed.
  const closed = crmDay(deal.closeDate, rules.timeZone) ?? crmDay(deal.lastModified, rules.timeZone);
  if (closed === null) return { eligible: false, why: 'closed, with no readable close date' };
  if (closed >= sentDay) return { eligible: true, openAtSend: true, why: 'open at send time' };
  const after = sentDay - closed;
  if (after <= rules.windowDays) {
    return { eligible: true, openAtSend: false, why: `closed ${after} day${after === 1 ? '' : 's'} before send` };
  }
  return { eligible: false, why: `closed ${after} days before send, beyond the ${rules.windowDays}-day window` };
}

export interface RankedDeal {
  deal: Deal;
  openAtSend: boolean;
  contactRole: boolean;
  ownerParticipant: boolean;
  why: string;
}

/**
 * The ranking criteria, strongest first: a participant holds a contact role; then the deal owner
 * is a participant; then open before closed; then most recently updated (id breaks exact ties).
 * `lost` says why a deal ranked below one that beat it on that criterion.
 */
const RANKING: readonly { key: (r: RankedDeal) => number; lost: string }[] = [
  { key: (r) => Number(r.contactRole), lost: 'no participant holds a contact role on it' },
  { key: (r) => Number(r.ownerParticipant), lost: 'its owner is not on the thread' },
  { key: (r) => Number(r.openAtSend), lost: 'it was closed at send time' },
  { key: (r) => timeOf(r.deal.lastModified), lost: 'it was updated less recently' },
];

function compareRanked(a: RankedDeal, b: RankedDeal): number {
  for (const c of RANKING) {
    const d = c.key(b) - c.key(a);
    if (d) return d;
  }
  return a.deal.id < b.deal.id ? -1 : a.deal.id > b.deal.id ? 1 : 0;
}

/** Why `loser` ranked below `winner`: the first criterion that separated them. */
export function whyRankedBelow(loser: RankedDeal, winner: RankedDeal): string {
  for (const c of RANKING) if (c.key(loser) !== c.key(winner)) return c.lost;
  return 'equal on every criterion: the lower id wins';
}

/**
 * Ranking among eligible deals (see RANKING). `onIneligible` hears each deal left out and why
 * (the explain trace).
 */
export function rankDeals(
  deals: readonly Deal[],
  sentDay: number,
  rules: DealWindowRules,
  participantContactIds: ReadonlySet<string>,
  participantUserIds: ReadonlySet<string>,
  onIneligible?: (deal: Deal, why: string) => void,
): RankedDeal[] {
  const ranked: RankedDeal[] = [];
  for (const deal of deals) {
    const standing = dealStanding(deal, sentDay, rules);
    if (!standing.eligible) {
      onIneligible?.(deal, standing.why);
      continue;
    }
    ranked.push({
      deal,
      openAtSend: standing.openAtSend,
      contactRole: deal.contactRoles.some((c) => participantContactIds.has(c)),
      ownerParticipant: deal.ownerId !== null && participantUserIds.has(deal.ownerId),
      why: standing.why,
    });
  }
  return ranked.sort(compareRanked);
}

function timeOf(value: string): number {
  const t = Date.parse(value);
  return Number.isNaN(t) ? 0 : t;
}

/** Why a ranked deal won, for the explanation: "deal Renewal open at send time; contact role". */
export function describeDeal(r: RankedDeal): string {
  const parts = [`deal ${r.deal.name} ${r.why}`];
  if (r.contactRole) parts.push('contact role');
  else if (r.ownerParticipant) parts.push('owner on the thread');
  return parts.join('; ');
}
