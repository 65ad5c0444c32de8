/**
 * Late matching (docs/rules.md "Late matches"): when the CRM gains a contact, lead or account
 * domain, mail of the last days with that address or domain was rejected as `no-crm-match` and
 * left no trace. It is found again by asking the mail service (one search per key and mailbox),
 * never by remembering rejected mail. This file holds the pure parts: which keys a CRM change
 * batch makes new, and which searches fit in a round's budget.
 */
import { normalizeAddress, domainOf, registrableDomain } from './address.js';
import type { FreeMail } from './free-mail.js';
import type { CrmChangeBatch, DomainIndex, LateMatchKey } from './ports.js';

export const DEFAULT_LATE_MATCH_WINDOW_DAYS = 30;
export const DEFAULT_LATE_MATCH_QUERIES_PER_ROUND = 50;
/** Keys carried at most: a bulk CRM import beyond this is left to the next backfill, not queued. */
export const MAX_QUEUED_KEYS = 10_000;

const DAY_MS = 86_400_000;

/** Whether the index already matches mail on this domain (so no mail on it was rejected for want of a match). */
function domainKnown(index: DomainIndex, domain: string): boolean {
  return index.accountsByDomain(domain).length > 0 || index.contactAccountIdsByDomain(domain).length > 0 || index.leadsByDomain(domain).length > 0;
}

/**
 * The index keys `newLateMatchKeys` reads for a batch (its addresses and registrable domains), so
 * a shared store can resolve them in one round trip before the batch is applied.
 */
export function lateMatchLookupKeys(batch: CrmChangeBatch): string[] {
  const keys = new Set<string>();
  const domain = (raw: string | null | undefined) => {
    const d = registrableDomain(raw);
    if (d) keys.add(d);
  };
  const address = (raw: string) => {
    const a = normalizeAddress(raw);
    if (!a) return;
    keys.add(a);
    domain(domainOf(a));
  };
  for (const a of batch.accounts ?? []) for (const d of a.domains) domain(d);
  for (const c of batch.contacts ?? []) for (const e of c.emails) address(e);
  for (const l of batch.leads ?? []) {
    domain(l.domain);
    for (const e of l.emails) address(e);
  }
  return [...keys];
}

/**
 * The addresses and domains a batch makes matchable that the index (as it is BEFORE the batch is
 * applied) does not match yet. A domain key covers its addresses; a free-mail domain is never a
 * domain key (the association never matches by it).
 */
export function newLateMatchKeys(batch: CrmChangeBatch, index: DomainIndex, freeMail: FreeMail): { kind: LateMatchKey['kind']; key: string }[] {
  const domains = new Set<string>();
  const addresses = new Set<string>();
  const addDomain = (raw: string | null | undefined) => {
    const d = registrableDomain(raw);
    if (d && !freeMail.has(d) && !domainKnown(index, d)) domains.add(d);
  };
  const addAddress = (raw: string, domainToo: boolean) => {
    const a = normalizeAddress(raw);
    if (!a) return;
    if (domainToo) addDomain(domainOf(a));
    const d = registrableDomain(domainOf(a));
    // Mail with this address already matched by its domain, or by the address itself.
    if (d && !freeMail.has(d) && domainKnown(index, d)) return;
    if (index.contactsByEmail(a).length || index.leadsByEmail(a).length) return;
    addresses.add(a);
  };
  for (const a of batch.accounts ?? []) for (const d of a.domains) addDomain(d);
  // A contact with an account makes its whole domain match (the association's "via a contact on").
  for (const c of batch.contacts ?? []) for (const e of c.emails) addAddress(e, Boolean(c.accountId));
  for (const l of batch.leads ?? []) {
    addDomain(l.domain);
    for (const e of l.emails) addAddress(e, false);
  }
  const keys: { kind: LateMatchKey['kind']; key: string }[] = [...domains].map((key) => ({ kind: 'domain' as const, key }));
  for (const a of addresses) {
    const d = registrableDomain(domainOf(a));
    if (!d || !domains.has(d)) keys.push({ kind: 'address', key: a });
  }
  return keys;
}

/** Adds newly detected keys to the carried queue (no duplicates, oldest first, capped). */
export function enqueueKeys(queue: readonly LateMatchKey[], found: readonly { kind: LateMatchKey['kind']; key: string }[], now: Date, windowDays: number): { queue: LateMatchKey[]; dropped: number } {
  const out = [...queue];
  const held = new Set(queue.map((k) => `${k.kind}:${k.key}`));
  const since = new Date(now.getTime() - windowDays * DAY_MS).toISOString();
  let dropped = 0;
  for (const f of found) {
    if (held.has(`${f.kind}:${f.key}`)) continue;
    if (out.length >= MAX_QUEUED_KEYS) {
      dropped++;
      continue;
    }
    held.add(`${f.kind}:${f.key}`);
    out.push({ kind: f.kind, key: f.key, since, detectedAt: now.toISOString(), searched: [] });
  }
  return { queue: out, dropped };
}

/** One search to run: a key over one mailbox. */
export interface PlannedSearch {
  entry: LateMatchKey;
  mailboxId: string;
}

/**
 * The searches of this round: queue order, each key over every mailbox it was not searched in
 * yet, at most `budget`. Keys detected more than `windowDays` ago are dropped: their window is
 * over (the mail would be older than the window anyway after that long).
 */
export function planLateMatch(queue: readonly LateMatchKey[], mailboxIds: readonly string[], budget: number, now: Date, windowDays: number): { searches: PlannedSearch[]; expired: number } {
  const searches: PlannedSearch[] = [];
  let expired = 0;
  for (const entry of queue) {
    if (now.getTime() - Date.parse(entry.detectedAt) > windowDays * DAY_MS) {
      expired++;
      continue;
    }
    for (const mailboxId of mailboxIds) {
      if (searches.length >= budget) return { searches, expired };
      if (!entry.searched.includes(mailboxId)) searches.push({ entry, mailboxId });
    }
  }
  return { searches, expired };
}

/**
 * The queue after a round: searched mailboxes recorded, keys done in every mailbox and expired
 * keys removed. `done` holds `kind:key|mailboxId` of the searches that succeeded.
 */
export function settleQueue(queue: readonly LateMatchKey[], done: ReadonlySet<string>, mailboxIds: readonly string[], now: Date, windowDays: number): LateMatchKey[] {
  const out: LateMatchKey[] = [];
  for (const entry of queue) {
    if (now.getTime() - Date.parse(entry.detectedAt) > windowDays * DAY_MS) continue;
    const searched = [...entry.searched];
    for (const id of mailboxIds) if (done.has(searchId(entry, id)) && !searched.includes(id)) searched.push(id);
    if (mailboxIds.every((id) => searched.includes(id))) continue;
    out.push({ ...entry, searched });
  }
  return out;
}

export function searchId(entry: Pick<LateMatchKey, 'kind' | 'key'>, mailboxId: string): string {
  return `${entry.kind}:${entry.key}|${mailboxId}`;
}
