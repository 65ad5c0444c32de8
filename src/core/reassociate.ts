/**
 * Re-association (docs/rules.md "Re-association when the CRM changes"): when a CRM change
 * touches an imported email of the last `reassociation.windowDays`, its association is decided
 * again with the same cascade and deal rules, on the mail's own sent date, and the activity moves
 * when the answer differs. Pure: which emails a change touches (as keys the store looks up), and
 * the new association of one email from what the ledger holds of it.
 */
import { domainOf, normalizeAddress, registrableDomain } from './address.js';
import { decide, type EngineContext } from './classify.js';
import { dayInZone, dealStanding } from './deal-window.js';
import type { FreeMail } from './free-mail.js';
import type { ActivityLinks, ActivityMove, CrmChangeBatch, DomainIndex, ImportedAssociation, LedgerFacts, ReassociationTouch } from './ports.js';
import { qualify } from './qualify.js';
import type { MailAddress, MessageMeta } from './types.js';

export const DEFAULT_REASSOCIATION_WINDOW_DAYS = 30;
/** Emails decided again per round (each move is one CRM call at most). */
export const DEFAULT_REASSOCIATIONS_PER_ROUND = 200;

const DAY_MS = 86_400_000;

/**
 * What a batch may change the association of: every record it names (created, changed or
 * deleted), a deal's account (a new, closed, reopened or re-owned deal competes for that
 * account's mail), the contacts of a contact-role change, and the addresses and domains of
 * changed contacts, leads and accounts (an added domain makes mail on it match). Over-reaching
 * is harmless: an email whose answer is unchanged does not move.
 */
export function touchedBy(batch: CrmChangeBatch, freeMail: FreeMail): ReassociationTouch {
  const ids = new Set<string>();
  const addresses = new Set<string>();
  const domains = new Set<string>();
  const addDomain = (raw: string | null | undefined) => {
    const d = registrableDomain(raw);
    if (d && !freeMail.has(d)) domains.add(d);
  };
  const addAddress = (raw: string) => {
    const a = normalizeAddress(raw);
    if (!a) return;
    addresses.add(a);
    // A contact's colleagues on its domain match its account (cascade step 4).
    addDomain(domainOf(a));
  };
  for (const a of batch.accounts ?? []) {
    ids.add(a.id);
    for (const d of a.domains) addDomain(d);
  }
  for (const c of batch.contacts ?? []) {
    ids.add(c.id);
    if (c.accountId) ids.add(c.accountId);
    for (const e of c.emails) addAddress(e);
  }
  for (const l of batch.leads ?? []) {
    ids.add(l.id);
    addDomain(l.domain);
    for (const e of l.emails) addAddress(e);
  }
  for (const d of batch.deals ?? []) {
    ids.add(d.id);
    if (d.accountId) ids.add(d.accountId);
  }
  for (const r of batch.contactRoles ?? []) {
    ids.add(r.dealId);
    for (const c of r.contactIds) ids.add(c);
  }
  for (const d of batch.deleted ?? []) if (d.kind !== 'user') ids.add(d.id);
  return { recordIds: [...ids], addresses: [...addresses], domains: [...domains] };
}

/** Whether anything in the touch can matter. */
export function isEmptyTouch(t: ReassociationTouch): boolean {
  return !t.recordIds.length && !t.addresses.length && !t.domains.length;
}

/** The start of the window (ISO): emails sent before it are not looked at again. */
export function windowStart(now: Date, windowDays: number): string {
  return new Date(now.getTime() - windowDays * DAY_MS).toISOString();
}

/** The ledger's participants as the metadata the rules read (no headers, no subject: both were checked when it was imported). */
export function ledgerMeta(facts: LedgerFacts): MessageMeta {
  const by = (role: string): MailAddress[] => facts.participants.filter((p) => p.role === role).map((p) => ({ name: '', address: p.address }));
  return {
    id: facts.key,
    folder: facts.direction === 'outbound' ? 'sent' : 'inbox',
    isDraft: false,
    messageId: null,
    from: by('from')[0] ?? null,
    sender: null,
    replyTo: [],
    to: by('to'),
    cc: by('cc'),
    bcc: by('bcc'),
    subject: '',
    sentAt: facts.sentAt,
    inReplyTo: facts.inReplyTo,
    references: [],
    headers: {},
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;

/** Whether two associations put the activity on the same records. */
export function sameLinks(a: ActivityLinks, b: ActivityLinks): boolean {
  return a.relatedToId === b.relatedToId && sameSet(a.contactIds, b.contactIds) && sameSet(a.accountIds, b.accountIds) &&
    sameSet(a.leadIds, b.leadIds) && sameSet(a.dealIds, b.dealIds);
}

/** "deal Renewal 2027", "account Acme", "1 lead", "no CRM record": what the activity hangs on. */
function describeLinks(l: ActivityLinks, index: DomainIndex): string {
  const dealName = (id: string) => {
    for (const accountId of l.accountIds) {
      const deal = index.dealsByAccount(accountId).find((d) => d.id === id);
      if (deal) return deal.name;
    }
    return id;
  };
  if (l.dealIds.length) return `deal ${dealName(l.dealIds[0]!)}`;
  if (l.accountIds.length) return `account ${index.account(l.accountIds[0]!)?.name ?? l.accountIds[0]}`;
  if (l.leadIds.length) return `${l.leadIds.length} lead${l.leadIds.length === 1 ? '' : 's'}`;
  if (l.contactIds.length) return `${l.contactIds.length} contact${l.contactIds.length === 1 ? '' : 's'}`;
  return 'no CRM record';
}

/** `YYYY-MM-DD` of an instant on the tenant's calendar. */
function calendarDate(now: Date, timeZone: string): string {
  return new Date(dayInZone(now, timeZone) * DAY_MS).toISOString().slice(0, 10);
}

/** Why each deal the email leaves no longer takes it ("deal Renewal closed 30 days before send, beyond the 14-day window"). */
function lostDeals(facts: LedgerFacts, to: ActivityLinks, ctx: EngineContext): string[] {
  const out: string[] = [];
  const sentDay = dayInZone(new Date(facts.sentAt), ctx.rules.timeZone);
  for (const id of facts.links.dealIds) {
    if (to.dealIds.includes(id)) continue;
    const deal = facts.links.accountIds.flatMap((a) => ctx.index.dealsByAccount(a)).find((d) => d.id === id);
    if (!deal) {
      out.push(`deal ${id} is no longer on the email's accounts`);
      continue;
    }
    if (deal.accountId && !to.accountIds.includes(deal.accountId)) {
      out.push(`deal ${deal.name}: its account ${ctx.index.account(deal.accountId)?.name ?? deal.accountId} no longer matches`);
      continue;
    }
    const standing = dealStanding(deal, sentDay, { timeZone: ctx.rules.timeZone, windowDays: ctx.rules.dealWindowDays });
    out.push(standing.eligible ? `deal ${deal.name} ranks below another deal now` : `deal ${deal.name} ${standing.why}`);
  }
  return out;
}

export type Reassociation =
  | { kind: 'move'; move: ActivityMove; why: string }
  /** `same`: the rules give the same records; `kept`: an earlier rule now rejects it (the blocklist purge handles that), or it left the window. */
  | { kind: 'same' | 'kept'; why: string };

/**
 * Decides one imported email again against the index as it is now, on its own sent date. The
 * deal rules are the usual ones: a deal created after the email is still not eligible (the
 * 14-day grace counts one way only), so an email never moves to a deal it predates.
 */
export function reassociate(
  facts: LedgerFacts,
  ctx: EngineContext,
  parent: ImportedAssociation | undefined,
  now: Date,
  windowDays: number,
): Reassociation {
  if (Date.parse(facts.sentAt) < now.getTime() - windowDays * DAY_MS) return { kind: 'kept', why: `sent more than ${windowDays} days ago` };
  const meta = ledgerMeta(facts);
  const q = qualify(meta, ctx, parent ? { thread: parent } : undefined);
  let to: ActivityLinks;
  let because: string;
  if (q.ok) {
    const d = decide(meta, q, null, ctx, { mailboxOwner: null, now });
    // The owner follows the deal owner when on the thread; otherwise it stays as first decided.
    to = { contactIds: d.contacts, accountIds: d.accounts, leadIds: d.leads, dealIds: d.deals, userIds: facts.links.userIds, relatedToId: d.relatedToId, ownerId: d.owner ?? facts.links.ownerId };
    because = d.explanation;
  } else if (q.reason === 'no-crm-match') {
    // Its records were deleted or moved away: the activity stays, on no record.
    to = { contactIds: [], accountIds: [], leadIds: [], dealIds: [], userIds: facts.links.userIds, relatedToId: null, ownerId: facts.links.ownerId };
    because = 'no contact, account or lead matches any more';
  } else {
    return { kind: 'kept', why: q.why };
  }
  if (sameLinks(facts.links, to)) return { kind: 'same', why: because };
  const lost = lostDeals(facts, to, ctx);
  const why = `${describeLinks(facts.links, ctx.index)} → ${describeLinks(to, ctx.index)} (${[...lost, because].join('; ')})`;
  const line = `re-associated ${calendarDate(now, ctx.rules.timeZone)}: ${why}`;
  return { kind: 'move', why, move: { key: facts.key, crmId: facts.crmId, from: facts.links, to, explanation: facts.explanation ? `${facts.explanation}\n${line}` : line } };
}
