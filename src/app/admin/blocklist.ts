/**
 * `mailbridge blocklist`: entries kept in the database beside the configuration file's. Adding
 * one purges every imported message it matches, any role (from, to, cc, bcc) or subject,
 * locally and in the CRM (DESIGN §3), with an audit entry holding counts, never the messages.
 *
 * Normalisation follows the engine's matching: an address lower-cased with its plus-tag folded
 * and its domain in ASCII; a domain as an ASCII host without scheme or `www.` — it covers itself
 * and its subdomains, so `sales.acme.com` blocks `eu.sales.acme.com` but not `acme.com` (it is
 * not widened to the registrable domain: a purge deletes data, it must delete no more than
 * asked); a bare public suffix (`co.uk`) is refused. A phrase is trimmed and lower-cased, matched
 * case-insensitively.
 */
import { parse as parseHost } from 'tldts';
import { normalizeAddress, normalizeDomainList, registrableDomain } from '../../core/address.js';
import type { BlocklistKind } from '../../store/admin-store.js';
import { AdminError, type AdminParts } from './admin-parts.js';
import type { LedgerSummary } from '../../store/store-ports.js';
import { forgetMeetings } from './forget-meetings.js';
import { forgetMessages, type ForgetResult } from './forget-messages.js';

export const BLOCKLIST_KINDS: readonly BlocklistKind[] = ['address', 'domain', 'phrase'];

const DOMAIN_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^\s/@]+\.[^\s/@.]+\/?$/i;

/** True for a public suffix itself (`co.uk`, `com`): no organisation owns it. */
function isPublicSuffix(host: string): boolean {
  const p = parseHost(host);
  return p.publicSuffix === host && p.isIcann === true;
}

/**
 * `a@b.com` → address, `acme.com` → domain, words → phrase. A value that looks like a domain but
 * is none (`co.uk`, `v1.2`) is refused rather than taken as a phrase: the purge that follows
 * deletes data, so the admin says `--kind phrase` when a phrase is meant.
 */
export function inferBlocklistKind(value: string): BlocklistKind {
  const v = value.trim();
  if (v.includes('@') && !/\s/.test(v)) return 'address';
  if (!DOMAIN_LIKE.test(v)) return 'phrase';
  if (registrableDomain(v) !== null) return 'domain';
  const [host] = [...normalizeDomainList([v])];
  if (host && isPublicSuffix(host)) {
    throw new AdminError(`"${v}" is a public suffix, not a domain: it would block every organisation under it. To block a subject phrase, add --kind phrase`);
  }
  throw new AdminError(`"${v}" looks like a domain but is not one; to block it as a subject phrase, add --kind phrase`);
}

/** The stored form of an entry; AdminError when it is not one. */
export function normalizeBlocklistValue(kind: BlocklistKind, raw: string): string {
  if (kind === 'address') {
    const address = normalizeAddress(raw);
    if (!address) throw new AdminError(`"${raw}" is not an email address`);
    return address;
  }
  if (kind === 'domain') {
    const [host] = [...normalizeDomainList([raw])];
    if (!host || !registrableDomain(host)) {
      const why = host && isPublicSuffix(host) ? 'it is a public suffix, which no organisation owns' : 'a public suffix such as co.uk cannot be blocked';
      throw new AdminError(`"${raw}" is not a domain (${why})`);
    }
    return host;
  }
  // Lower-cased: matching ignores case, so `Confidential` and `confidential` are one entry.
  const phrase = raw.trim().toLowerCase();
  if (!phrase) throw new AdminError('an empty phrase would block every message');
  return phrase;
}

export interface BlocklistInput {
  value: string;
  /** Inferred from the value when absent. */
  kind?: BlocklistKind;
}

export interface BlocklistAddResult {
  kind: BlocklistKind;
  value: string;
  dryRun: boolean;
  /** False when the database already held it (its matches are purged again all the same). */
  added: boolean;
  /** Messages matched: the list in a dry run (for the admin's eyes only), counted otherwise. */
  matched: number;
  wouldDelete: LedgerSummary[];
  purged: ForgetResult | null;
  /** Imported meetings matched (an attendee, the organizer, or the title): counted. */
  meetingsMatched: number;
  meetingsPurged: ForgetResult | null;
}

function entryOf(input: BlocklistInput): { kind: BlocklistKind; value: string } {
  const kind = input.kind ?? inferBlocklistKind(input.value);
  if (!BLOCKLIST_KINDS.includes(kind)) throw new AdminError(`--kind must be one of ${BLOCKLIST_KINDS.join(', ')}`);
  return { kind, value: normalizeBlocklistValue(kind, input.value) };
}

/**
 * Adds the entry, then purges what it matches. The entry is stored first so no sync round
 * imports a new match meanwhile; running the same add again finishes an interrupted purge.
 */
export async function addToBlocklist(parts: AdminParts, input: BlocklistInput, opts: { dryRun?: boolean } = {}): Promise<BlocklistAddResult> {
  const { kind, value } = entryOf(input);
  const { ledger, meetings, governance, audit } = parts.stores;
  const keys = await ledger.keysMatching({ kind, value });
  const meetingKeys = await meetings.meetingKeysMatching({ kind, value });
  if (opts.dryRun) {
    await audit.audit(parts.actor, 'blocklist.dry-run', value, { kind, matched: keys.length, meetingsMatched: meetingKeys.length });
    return {
      kind, value, dryRun: true, added: false, matched: keys.length, wouldDelete: await ledger.summaries(keys), purged: null,
      meetingsMatched: meetingKeys.length, meetingsPurged: null,
    };
  }
  const added = await governance.addBlocklistEntry(kind, value, parts.actor);
  const purged = await forgetMessages(parts, keys, { reason: 'blocklist' });
  const meetingsPurged = await forgetMeetings(parts, meetingKeys, { reason: 'blocklist' });
  await audit.audit(parts.actor, 'blocklist.add', value, { kind, added, ...purged, meetings: meetingsPurged });
  return { kind, value, dryRun: false, added, matched: keys.length, wouldDelete: [], purged, meetingsMatched: meetingKeys.length, meetingsPurged };
}

/** Removes a database entry. Entries from the configuration file are removed by editing it. */
export async function removeFromBlocklist(parts: AdminParts, input: BlocklistInput): Promise<{ kind: BlocklistKind; value: string; removed: boolean }> {
  const { kind, value } = entryOf(input);
  const removed = await parts.stores.governance.removeBlocklistEntry(kind, value);
  if (!removed) {
    const inFile = configEntries(parts).some((e) => e.kind === kind && e.value === value);
    throw new AdminError(
      inFile ? `${kind} "${value}" comes from the configuration file: remove it there` : `${kind} "${value}" is not on the blocklist`,
    );
  }
  await parts.stores.audit.audit(parts.actor, 'blocklist.remove', value, { kind });
  return { kind, value, removed };
}

export interface ListedEntry {
  kind: BlocklistKind;
  value: string;
  source: 'database' | 'config';
  addedAt: string | null;
  addedBy: string | null;
}

/** The database's entries, then the configuration file's (normalised the same way). */
export async function listBlocklist(parts: AdminParts): Promise<ListedEntry[]> {
  const stored: ListedEntry[] = (await parts.stores.governance.blocklistEntries()).map((e) => ({ ...e, source: 'database' }));
  return [...stored, ...configEntries(parts)];
}

function configEntries(parts: AdminParts): ListedEntry[] {
  const file = parts.config.blocklist;
  const out: ListedEntry[] = [];
  const push = (kind: BlocklistKind, raw: string) => {
    let value: string;
    try {
      value = normalizeBlocklistValue(kind, raw);
    } catch {
      value = raw;
    }
    out.push({ kind, value, source: 'config', addedAt: null, addedBy: null });
  };
  for (const a of file.addresses) push('address', a);
  for (const d of file.domains) push('domain', d);
  for (const p of file.phrases) push('phrase', p);
  return out;
}
