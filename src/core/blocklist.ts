/**
 * Blocklist matching (DESIGN §1.3, §3): an address, a domain (which covers its subdomains), or a
 * subject phrase (case-insensitive substring). Erased addresses are matched like blocked ones.
 */
import { isOnDomains } from './address.js';
import type { Participant } from './participants.js';
import type { EngineRules } from './rules.js';

/** What matched: the list, and the participant (for address and domain entries). */
export interface BlockHit {
  /** Short and generic ("domain blocked"): it may be counted, never names the mail. */
  why: string;
  list: 'address' | 'suppressed' | 'domain' | 'phrase';
  participant: Participant | null;
  /** The phrase that matched (phrase hits only). */
  phrase: string | null;
}

/** The first blocklist entry the message hits, or null. */
export function blockHit(participants: readonly Participant[], subject: string, rules: EngineRules): BlockHit | null {
  for (const p of participants) {
    if (rules.blockedAddresses.has(p.address)) return { why: 'address blocked', list: 'address', participant: p, phrase: null };
    if (rules.suppressed.has(p.address)) return { why: 'address suppressed by an erase request', list: 'suppressed', participant: p, phrase: null };
    if (rules.blockedDomains.size && isOnDomains(p.domain, rules.blockedDomains)) {
      return { why: 'domain blocked', list: 'domain', participant: p, phrase: null };
    }
  }
  if (rules.blockedPhrases.length && subject) {
    const s = subject.toLowerCase();
    for (const phrase of rules.blockedPhrases) {
      if (s.includes(phrase)) return { why: 'subject phrase blocked', list: 'phrase', participant: null, phrase };
    }
  }
  return null;
}

/** Why the message is blocked ("domain blocked"), or null. */
export function blockedBy(participants: readonly Participant[], subject: string, rules: EngineRules): string | null {
  return blockHit(participants, subject, rules)?.why ?? null;
}
