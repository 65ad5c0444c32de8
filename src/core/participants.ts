/**
 * The participants of a message: From, To, Cc and Bcc (DESIGN §2 precise readings). Sender,
 * Reply-To and Return-Path are read for automated detection only, never as participants.
 *
 * At most `MAX_PARTICIPANTS` distinct participants count, in role order (From, To, Cc, Bcc):
 * a message to 80,000 recipients is classified, written and stored with its first 1,000. The
 * activity and the ledger keep the same capped list, so what is stored is what the CRM shows.
 */
import { domainOf, isOnDomains, normalizeAddress, registrableDomain } from './address.js';
import type { MessageMeta } from './types.js';

export type ParticipantRole = 'from' | 'to' | 'cc' | 'bcc';

export interface Participant {
  /** Normalised: lower-case, ASCII domain, plus-tag folded. */
  address: string;
  /** ASCII host part of the address. */
  domain: string;
  /** Registrable domain (public-suffix aware), null for hosts the PSL does not know. */
  registrable: string | null;
  /** First role it appeared in (From before To before Cc before Bcc). */
  role: ParticipantRole;
  /** True when on a company domain or a subdomain of one. */
  internal: boolean;
}

// tldts is the slow part of address handling; the same few domains repeat across a mailbox.
const registrableCache = new Map<string, string | null>();
const REGISTRABLE_CACHE_MAX = 50_000;

export function cachedRegistrable(domain: string): string | null {
  let r = registrableCache.get(domain);
  if (r === undefined) {
    r = registrableDomain(domain);
    if (registrableCache.size >= REGISTRABLE_CACHE_MAX) registrableCache.clear();
    registrableCache.set(domain, r);
  }
  return r;
}

/** Distinct participants one message keeps (classification, the CRM activity, the ledger). */
export const MAX_PARTICIPANTS = 1000;

/** Unique participants in role order, at most `MAX_PARTICIPANTS`; values that are not addresses are dropped. */
export function participantsOf(meta: MessageMeta, companyDomains: ReadonlySet<string>): Participant[] {
  const out: Participant[] = [];
  const seen = new Set<string>();
  const add = (raw: string | undefined, role: ParticipantRole): boolean => {
    const address = normalizeAddress(raw);
    if (!address || seen.has(address)) return out.length < MAX_PARTICIPANTS;
    seen.add(address);
    const domain = domainOf(address);
    out.push({ address, domain, registrable: cachedRegistrable(domain), role, internal: isOnDomains(domain, companyDomains) });
    return out.length < MAX_PARTICIPANTS;
  };
  if (!add(meta.from?.address, 'from')) return out;
  const roles: [readonly { address: string }[], ParticipantRole][] = [[meta.to, 'to'], [meta.cc, 'cc'], [meta.bcc, 'bcc']];
  for (const [list, role] of roles) for (const a of list) if (!add(a.address, role)) return out;
  return out;
}

/**
 * The recipients a written copy keeps: distinct by normalised address across the lists given,
 * in order, at most `MAX_PARTICIPANTS - taken` in all. Values that are not addresses are kept as
 * they are (the CRM shows them), but count toward the cap.
 */
export function capRecipients<T extends { address: string }>(lists: readonly (readonly T[])[], taken: number): T[][] {
  let room = Math.max(0, MAX_PARTICIPANTS - taken);
  const seen = new Set<string>();
  return lists.map((list) => {
    const kept: T[] = [];
    for (const a of list) {
      if (room <= 0) break;
      const key = normalizeAddress(a.address) ?? a.address.trim().toLowerCase();
      if (!key || seen.has(key)) continue;
      seen.add(key);
      kept.push(a);
      room--;
    }
    return kept;
  });
}

/**
 * The index keys one page needs (for `IndexResolver.resolveKeys`): every participant's address
 * and registrable domain, and the mailbox owner's address (the owner lookup).
 */
export function pageKeys(messages: readonly MessageMeta[], companyDomains: ReadonlySet<string>, mailboxAddress: string): string[] {
  const keys = new Set<string>();
  const owner = normalizeAddress(mailboxAddress);
  if (owner) keys.add(owner);
  for (const meta of messages) {
    for (const p of participantsOf(meta, companyDomains)) {
      keys.add(p.address);
      if (p.registrable) keys.add(p.registrable);
    }
  }
  return [...keys];
}
