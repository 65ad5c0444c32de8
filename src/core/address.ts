/**
 * Addresses and domains: the one place that decides what an address "is" for matching.
 *
 * Worked examples:
 * - `"Doe, Jane" <Jane+Quotes@Mail.ACME.co.uk>` → address `jane@mail.acme.co.uk`,
 *   domain `mail.acme.co.uk`, registrable domain `acme.co.uk`.
 * - `jörg@bücher.de` → `jörg@xn--bcher-kva.de` (domains compared in ASCII form).
 * - `/O=ENRON/OU=NA/CN=RECIPIENTS/CN=JDOE` (an X.500 path) and `jdoe@localhost` → not addresses.
 */
import { domainToASCII } from 'node:url';
import { addressParser } from 'postal-mime';
import { getDomain } from 'tldts';
import type { MailAddress } from './types.js';

const WHITESPACE = /\s/;
const PLAIN_HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/** Parses a header value (display names, quoting, groups, encoded words) into mailboxes. */
export function parseAddressList(value: string | null | undefined): MailAddress[] {
  if (!value) return [];
  let parsed: { name: string; address: string }[];
  try {
    parsed = addressParser(value, { flatten: true }) as { name: string; address: string }[];
  } catch {
    return [];
  }
  return parsed
    .filter((a) => typeof a.address === 'string')
    .map((a) => ({ name: (a.name ?? '').trim(), address: a.address.trim() }));
}

/** The first mailbox of a header value (From, Sender), or null. */
export function parseAddress(value: string | null | undefined): MailAddress | null {
  return parseAddressList(value)[0] ?? null;
}

/** ASCII (punycode) form of a domain, lower-cased; null when it is not a usable host name. */
export function asciiDomain(domain: string): string | null {
  const trimmed = domain.trim().replace(/\.$/, '').toLowerCase();
  if (!trimmed || /[\s@/\\]/.test(trimmed)) return null;
  const ascii = domainToASCII(trimmed);
  return ascii ? ascii : null;
}

/**
 * Lower-cases, converts the domain to ASCII and folds a plus-tag (`jane+x@a.com` → `jane@a.com`).
 * Returns null for anything that is not a routable address: no `@`, an empty part, an X.500 path,
 * or a dotless host.
 */
export function normalizeAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let value = raw.trim();
  if (value.charCodeAt(0) === 60 /* < */ && value.endsWith('>')) value = value.slice(1, -1);
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return null;
  let local = value.slice(0, at).toLowerCase();
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) local = local.slice(1, -1);
  if (!local || local.includes('@') || WHITESPACE.test(local)) return null;
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  const host = value.slice(at + 1).toLowerCase();
  // Plain ASCII host names (nearly all of them) need no IDN conversion.
  const domain = PLAIN_HOST.test(host) ? host : asciiDomain(host);
  if (!domain || !domain.includes('.')) return null;
  return `${local}@${domain}`;
}

/** The domain part of a normalised address. */
export function domainOf(normalizedAddress: string): string {
  return normalizedAddress.slice(normalizedAddress.lastIndexOf('@') + 1);
}

/**
 * Registrable domain through the Public Suffix List (`mail.acme.co.uk` → `acme.co.uk`).
 * Accepts URLs and bare hosts as CRMs store them (`https://www.acme.com/about` → `acme.com`).
 */
export function registrableDomain(domainOrUrl: string | null | undefined): string | null {
  if (!domainOrUrl) return null;
  let host = domainOrUrl.trim().toLowerCase();
  if (!host) return null;
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  host = host.split(/[/?#]/, 1)[0] ?? '';
  host = host.replace(/^[^@]*@/, '').replace(/:\d+$/, '');
  const ascii = asciiDomain(host);
  if (!ascii) return null;
  return getDomain(ascii) ?? null;
}

/**
 * Company domains and their subdomains are internal. `companyDomains` holds ASCII lower-case
 * domains; `mail.corp.example.com` is internal when `example.com` is a company domain.
 */
export function isOnDomains(domain: string, domains: ReadonlySet<string>): boolean {
  if (domains.has(domain)) return true;
  for (let dot = domain.indexOf('.'); dot !== -1; dot = domain.indexOf('.', dot + 1)) {
    if (domains.has(domain.slice(dot + 1))) return true;
  }
  return false;
}

/** Normalises a list of configured domains (URLs, `www.`, IDN, case) to ASCII host names. */
export function normalizeDomainList(domains: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const d of domains) {
    const host = d
      .trim()
      .toLowerCase()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
      .split(/[/?#]/, 1)[0]
      ?.replace(/^www\./, '')
      .replace(/^@/, '');
    const ascii = host ? asciiDomain(host) : null;
    if (ascii) out.add(ascii);
  }
  return out;
}
