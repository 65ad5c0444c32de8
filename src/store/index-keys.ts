/**
 * How CRM values become index keys (DESIGN §2 "precise readings"): addresses through
 * `normalizeAddress`, domains registrable and ASCII. Free-mail domains are keys like any other:
 * whether a domain is free mail is the tenant's rule, decided when matching (`associate`), so a
 * change to `freeMail` needs no reload.
 * Values that do not normalise are dropped, not errors: a CRM holds plenty of junk.
 */
import { domainOf, normalizeAddress, registrableDomain } from '../core/address.js';

export interface EmailKey {
  email: string;
  /** Registrable domain of the address; null when the host has none. */
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

/** Distinct registrable domains of account websites / lead domains. */
export function domainKeys(raw: readonly (string | null | undefined)[] | null | undefined): string[] {
  const out: string[] = [];
  if (!raw) return out;
  for (const value of raw) {
    const domain = value ? matchDomain(value) : null;
    if (domain && !out.includes(domain)) out.push(domain);
  }
  return out;
}

/** The domain key of a host or URL: `https://www.acme.co.uk/x` → `acme.co.uk`, `mail.acme.com` → `acme.com`. */
export function matchDomain(hostOrUrl: string): string | null {
  return registrableDomain(hostOrUrl);
}
