/**
 * Blocklist matching (DESIGN §1.3, §3): an address, a domain (which covers its subdomains), or a
 * subject phrase (case-insensitive substring). Erased addresses are matched like blocked ones.
 */
import { isOnDomains } from './address.js';
import type { Participant } from './participants.js';
import type { EngineRules } from './rules.js';

/** Why the message is blocked ("domain blocked: acme.com"), or null. */
export function blockedBy(participants: readonly Participant[], subject: string, rules: EngineRules): string | null {
  for (const p of participants) {
    if (rules.blockedAddresses.has(p.address)) return 'address blocked';
    if (rules.suppressed.has(p.address)) return 'address suppressed by an erase request';
    if (rules.blockedDomains.size && isOnDomains(p.domain, rules.blockedDomains)) return 'domain blocked';
  }
  if (rules.blockedPhrases.length && subject) {
    const s = subject.toLowerCase();
    for (const phrase of rules.blockedPhrases) if (s.includes(phrase)) return 'subject phrase blocked';
  }
  return null;
}
