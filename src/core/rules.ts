/**
 * A tenant's matching rules, normalised once so the hot path only does set lookups.
 */
import { normalizeAddress, normalizeDomainList } from './address.js';
import { assertTimeZone } from './deal-window.js';
import { buildFreeMail, type FreeMail, type FreeMailChanges } from './free-mail.js';
import type { Blocklist } from './types.js';

export interface RulesInput {
  companyDomains: readonly string[];
  blocklist?: Partial<Blocklist>;
  /** Erased addresses (privacy requests): never imported again. */
  suppressed?: readonly string[];
  /** IANA time zone of the tenant's calendar for the deal window; UTC by default. */
  timeZone?: string;
  /** Days a closed deal keeps taking mail (DESIGN §2: 14). */
  dealWindowDays?: number;
  /** How many deals one email is written to (DESIGN §2: best one). */
  maxDeals?: number;
  /** Inbound mail to more recipients than this, from outside the CRM, is bulk (DESIGN §1.3: 15). */
  bulkRecipientThreshold?: number;
  /** The tenant's changes to the built-in free-mail list (`freeMail.add` / `freeMail.remove`). */
  freeMail?: FreeMailChanges;
}

export interface EngineRules {
  companyDomains: ReadonlySet<string>;
  blockedAddresses: ReadonlySet<string>;
  blockedDomains: ReadonlySet<string>;
  /** Lower-cased subject phrases. */
  blockedPhrases: readonly string[];
  suppressed: ReadonlySet<string>;
  timeZone: string;
  dealWindowDays: number;
  maxDeals: number;
  bulkRecipientThreshold: number;
  /** Consumer mailbox domains: never matched by domain. */
  freeMail: FreeMail;
}

function addressSet(values: readonly string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const v of values ?? []) {
    const a = normalizeAddress(v);
    if (a) out.add(a);
  }
  return out;
}

export function buildRules(input: RulesInput): EngineRules {
  const timeZone = input.timeZone ?? 'UTC';
  assertTimeZone(timeZone);
  return {
    companyDomains: normalizeDomainList(input.companyDomains),
    blockedAddresses: addressSet(input.blocklist?.addresses),
    blockedDomains: normalizeDomainList(input.blocklist?.domains ?? []),
    blockedPhrases: (input.blocklist?.phrases ?? []).map((p) => p.trim().toLowerCase()).filter(Boolean),
    suppressed: addressSet(input.suppressed),
    timeZone,
    dealWindowDays: input.dealWindowDays ?? 14,
    maxDeals: input.maxDeals ?? 1,
    bulkRecipientThreshold: input.bulkRecipientThreshold ?? 15,
    freeMail: buildFreeMail(input.freeMail),
  };
}
