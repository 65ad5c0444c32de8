/**
 * How CRM values become index keys (DESIGN §2 "precise readings"): addresses through
 * `normalizeAddress`, domains registrable and ASCII, free-mail domains never a domain key.
 * Values that do not normalise are dropped, not errors: a CRM holds plenty of junk.
 */
import { domainOf, isFreeMailDomain, normalizeAddress, registrableDomain } from '../core/address.js';

export interface EmailKey {
  email: string;
  /** Registrable domain of the address; null on free-mail (never matched by domain). */
  domain: string | null;
}

/** Distinct normalised addresses of a record, in the CRM's order, with their domain keys. */
export function emailKeys(raw: readonly string[] | null | undefined): EmailKey[] {
  const out: EmailKey[] = [];
  if (!raw) return out;
  for (const value of raw) {
    const email = normalizeAddress(value);
    if (!email || out.some((k) => k.email === email)) continue;
    out.push({ email, domain: matchDomain(domainOf(email)) });
  }
  return out;
}

/** Distinct registrable domains of account websites / lead domains, free-mail dropped. */
export function domainKeys(raw: readonly (string | null | undefined)[] | null | undefined): string[] {
  const out: string[] = [];
  if (!raw) return out;
  for (const value of raw) {
    const domain = value ? matchDomain(value) : null;
    if (domain && !out.includes(domain)) out.push(domain);
  }
  return out;
}

/**
 * The domain key of a host or URL: `https://www.acme.co.uk/x` → `acme.co.uk`,
 * `mail.acme.com` → `acme.com`, `gmail.com` → null (free-mail never matches by domain).
 * No memo: measured, a bounded one cost ~90 MB of heap churn on a 1M-contact load for no gain,
 * since a CRM lists contacts in id order, not grouped by domain.
 */
export function matchDomain(hostOrUrl: string): string | null {
  const registrable = registrableDomain(hostOrUrl);
  if (registrable === null) return null;
  // The free-mail list holds some hosts below their registrable domain, so test both.
  const free = isFreeMailDomain(registrable) || (hostOrUrl !== registrable && isFreeMailDomain(hostOrUrl));
  return free ? null : registrable;
}
