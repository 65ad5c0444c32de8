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

function addParticipant(out: Participant[], raw: string | undefined, role: ParticipantRole, companyDomains: ReadonlySet<string>): void {
  const address = normalizeAddress(raw);
  if (!address) return;
  // Messages have a handful of participants: a linear scan beats building a Set per message.
  for (const p of out) if (p.address === address) return;
  const domain = domainOf(address);
  out.push({ address, domain, registrable: cachedRegistrable(domain), role, internal: isOnDomains(domain, companyDomains) });
}

/** Unique participants in role order; values that are not addresses are dropped. */
export function participantsOf(meta: MessageMeta, companyDomains: ReadonlySet<string>): Participant[] {
  const out: Participant[] = [];
  addParticipant(out, meta.from?.address, 'from', companyDomains);
  for (const a of meta.to) addParticipant(out, a.address, 'to', companyDomains);
  for (const a of meta.cc) addParticipant(out, a.address, 'cc', companyDomains);
  for (const a of meta.bcc) addParticipant(out, a.address, 'bcc', companyDomains);
  return out;
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
