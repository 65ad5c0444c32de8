/**
 * Which imported messages an address, a domain or a subject phrase touches (blocklist purges,
 * erase and access requests). Ledger addresses are stored lower-cased as they appeared, so they
 * are normalised here the way the engine does (plus-tags folded, IDN domains in ASCII) before
 * comparing: `Jane+news@Acme.com` on the ledger matches an entry `jane@acme.com`.
 */
import { domainOf, isOnDomains, normalizeAddress } from '../../core/address.js';
import type { BlocklistKind } from '../../store/admin-store.js';
import type { SqliteDatabase } from '../../store/database.js';

export interface LedgerMatcher {
  kind: BlocklistKind;
  /** Normalised: an address as `normalizeAddress` gives it, an ASCII host, a trimmed phrase. */
  value: string;
}

/** One imported message as an admin sees it in a dry run or an access report. */
export interface LedgerSummary {
  key: string;
  crmId: string;
  sentAt: string;
  subject: string;
}

/** Ledger keys of every imported message the entry matches, any role (from, to, cc, bcc). */
export function ledgerKeysMatching(db: SqliteDatabase, matcher: LedgerMatcher): string[] {
  if (matcher.kind === 'phrase') return keysBySubject(db, matcher.value);
  const wanted = matcher.kind === 'address' ? (a: string) => a === matcher.value : onDomain(matcher.value);
  const addresses = db.prepare<[], string>('SELECT DISTINCT address FROM ledger_participants').pluck().all();
  const byAddress = db.prepare<[string], string>('SELECT DISTINCT key FROM ledger_participants WHERE address = ?').pluck();
  const keys = new Set<string>();
  for (const raw of addresses) {
    const address = normalizeAddress(raw);
    if (address && wanted(address)) for (const key of byAddress.all(raw)) keys.add(key);
  }
  return [...keys].sort();
}

function onDomain(host: string): (address: string) => boolean {
  const domains = new Set([host]);
  return (address) => isOnDomains(domainOf(address), domains);
}

/** Case-insensitive substring, as the engine matches subject phrases (JS lower-casing, not SQL's ASCII-only one). */
function keysBySubject(db: SqliteDatabase, phrase: string): string[] {
  const needle = phrase.toLowerCase();
  const keys: string[] = [];
  for (const row of db.prepare<[], { key: string; subject: string }>('SELECT key, subject FROM ledger ORDER BY key').iterate()) {
    if (row.subject.toLowerCase().includes(needle)) keys.push(row.key);
  }
  return keys;
}

/** Key, CRM id, date and subject of each key still on the ledger, oldest first. */
export function ledgerSummaries(db: SqliteDatabase, keys: readonly string[]): LedgerSummary[] {
  const get = db.prepare<[string], LedgerSummary>('SELECT key, crm_id AS crmId, sent_at AS sentAt, subject FROM ledger WHERE key = ?');
  const out: LedgerSummary[] = [];
  for (const key of keys) {
    const row = get.get(key);
    if (row) out.push(row);
  }
  return out.sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.key.localeCompare(b.key));
}
