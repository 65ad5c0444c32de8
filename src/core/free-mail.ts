/**
 * Free mail (DESIGN §2): a consumer mailbox domain never matches by domain, only by exact
 * address. The built-in list is `free-mail-domains.ts`; a tenant adjusts it with
 * `freeMail.add` / `freeMail.remove`, and a removal wins over the built-in list.
 *
 * Worked examples with the defaults: `gmail.com`, `yahoo.co.uk`, `gmx.ch` → free mail;
 * `rice.edu`, `skishop24.de`, `gmail-tools.com` → not free mail.
 */
import { registrableDomain } from './address.js';
import { FREE_MAIL_BRANDS, FREE_MAIL_DOMAINS } from './free-mail-domains.js';

export interface FreeMailChanges {
  /** Domains to treat as free mail as well (e.g. a regional provider). */
  add?: readonly string[];
  /** Built-in domains this tenant treats as company domains after all. */
  remove?: readonly string[];
}

export interface FreeMail {
  /** True when `domain` (a registrable, ASCII, lower-case domain) is a consumer mailbox domain. */
  has(domain: string): boolean;
}

const BASE = new Set(FREE_MAIL_DOMAINS);
const BRANDS = new Set(FREE_MAIL_BRANDS);

function registrableSet(values: readonly string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const v of values ?? []) {
    const d = registrableDomain(v);
    if (d) out.add(d);
  }
  return out;
}

export function buildFreeMail(changes: FreeMailChanges = {}): FreeMail {
  const added = registrableSet(changes.add);
  const removed = registrableSet(changes.remove);
  return {
    has(domain: string): boolean {
      if (removed.has(domain)) return false;
      if (BASE.has(domain) || added.has(domain)) return true;
      // A registrable domain is one label plus a public suffix: that label is the brand.
      const dot = domain.indexOf('.');
      return dot > 0 && BRANDS.has(domain.slice(0, dot));
    },
  };
}

/** The built-in list without a tenant's changes. */
export const DEFAULT_FREE_MAIL: FreeMail = buildFreeMail();

/** Whether a registrable domain is free mail by the built-in list. */
export function isFreeMailDomain(domain: string): boolean {
  return DEFAULT_FREE_MAIL.has(domain);
}
