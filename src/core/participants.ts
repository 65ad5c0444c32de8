/**
 * The participants of a message: From, To, Cc and Bcc (DESIGN §2 precise readings). Sender,
 * Reply-To and Return-Path are read for automated detection only, never as participants.
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

/** Unique participants in role order; values that are not addresses are dropped. */
export function participantsOf(meta: MessageMeta, companyDomains: ReadonlySet<string>): Participant[] {
  const out: Participant[] = [];
  const seen = new Set<string>();
  const add = (raw: string | undefined, role: ParticipantRole) => {
    const address = normalizeAddress(raw);
    if (!address || seen.has(address)) return;
    seen.add(address);
    const domain = domainOf(address);
    out.push({
      address,
      domain,
      registrable: cachedRegistrable(domain),
      role,
      internal: isOnDomains(domain, companyDomains),
    });
  };
  add(meta.from?.address, 'from');
  for (const a of meta.to) add(a.address, 'to');
  for (const a of meta.cc) add(a.address, 'cc');
  for (const a of meta.bcc) add(a.address, 'bcc');
  return out;
}
