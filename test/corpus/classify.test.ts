/**
 * The whole engine (`classifyFiles`, the function behind `mailbridge classify`) over the real-mail
 * corpora, read in place from `../shared/corpora` (skipped when absent). Issue 2, "Corpus tests":
 * every message goes through without a crash; with a CRM snapshot that contains every sender,
 * bounces, list mail and newsletters come out `automated`, and person-to-person Enron mail from
 * CRM contacts is imported.
 *
 * The snapshots are built here, per set, from the senders found in a first pass over the From
 * headers: one account per registrable sender domain (free-mail excluded: it never matches by
 * domain) and one contact per sender address on that account. For enron-dev the company domain
 * is `enron.com`; for the other sets there is none, so every participant is external.
 * The labelled Enron lists are those of `automated.test.ts` (how they were made is explained there).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyFiles, type ClassifyLine } from '../../src/app/classify-files.js';
import { normalizeAddress, parseAddress, registrableDomain } from '../../src/core/address.js';
import { isFreeMailDomain } from '../../src/core/free-mail.js';
import { parseSnapshot } from '../../src/core/snapshot.js';
import type { CrmSnapshot, Reason } from '../../src/core/types.js';
import { readMailSource } from '../../src/mail-files/read-mail-source.js';
import { ENRON_AUTOMATED, ENRON_PERSON, ENRON_PERSON_DISCLAIMERS } from './enron-labels.js';

const CORPORA = fileURLToPath(new URL('../../../shared/corpora/', import.meta.url));
const present = existsSync(CORPORA);

interface SetSpec {
  name: string;
  path: string;
  companyDomains: string[];
}

const SETS: SetSpec[] = [
  { name: 'sisimai bounces', path: 'sisimai_bounces', companyDomains: [] },
  { name: 'ponymail list archives', path: 'ponymail/corpus', companyDomains: [] },
  { name: 'notmuch', path: 'notmuch', companyDomains: [] },
  { name: 'ESP newsletters (unspy)', path: 'esp_newsletters_unspy', companyDomains: [] },
  { name: 'spamassassin easy-ham-1', path: 'spamassassin/data/easy-ham-1', companyDomains: [] },
  { name: 'spamassassin easy-ham-2', path: 'spamassassin/data/easy-ham-2', companyDomains: [] },
  { name: 'spamassassin hard-ham', path: 'spamassassin/data/hard-ham-1', companyDomains: [] },
  { name: 'spamassassin spam', path: 'spamassassin/data/spam-1', companyDomains: [] },
  { name: 'enron-dev', path: 'enron-dev', companyDomains: ['enron.com'] },
];

const FROM_LINE = /^from:[ \t]*((?:[^\r\n]|\r?\n[ \t])*)/im;

/** The From header of a raw message, read cheaply (headers only) for building the snapshot. */
function rawFrom(raw: Buffer): string | null {
  const head = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const match = FROM_LINE.exec(end === -1 ? head : head.slice(0, end));
  return match?.[1] ?? null;
}

/** A snapshot with an account per sender domain and a contact per sender address. */
async function snapshotOfSenders(spec: SetSpec): Promise<CrmSnapshot> {
  const accounts = new Map<string, string>();
  const contacts = new Map<string, string | null>();
  for await (const mail of readMailSource(`${CORPORA}${spec.path}`)) {
    const address = normalizeAddress(parseAddress(rawFrom(mail.raw))?.address);
    if (!address || contacts.has(address)) continue;
    const domain = registrableDomain(address.slice(address.lastIndexOf('@') + 1));
    let accountId: string | null = null;
    if (domain && !isFreeMailDomain(domain)) {
      accountId = accounts.get(domain) ?? `A${accounts.size + 1}`;
      accounts.set(domain, accountId);
    }
    contacts.set(address, accountId);
  }
  return parseSnapshot({
    companyDomains: spec.companyDomains,
    users: [],
    accounts: [...accounts].map(([domain, id]) => ({ id, name: domain, domains: [domain], ownerId: null })),
    contacts: [...contacts].map(([email, accountId], i) => ({ id: `C${i + 1}`, emails: [email], phones: [], accountId })),
    leads: [],
    deals: [],
    blocklist: { addresses: [], domains: [], phrases: [] },
  });
}

const lines = new Map<string, ClassifyLine[]>();
const byFile = (set: string): Map<string, ClassifyLine> => new Map((lines.get(set) ?? []).map((l) => [l.file, l]));
const share = (ls: readonly ClassifyLine[], reason: Reason): number => ls.filter((l) => l.reason === reason).length / ls.length;

describe.skipIf(!present)('classify over the real-mail corpora', () => {
  beforeAll(async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    for (const spec of SETS) {
      const snapshot = await snapshotOfSenders(spec);
      const out: ClassifyLine[] = [];
      for await (const line of classifyFiles({ snapshot, mailPath: `${CORPORA}${spec.path}`, now })) out.push(line);
      lines.set(spec.name, out);
    }
    const reasons: Reason[] = ['matched', 'automated', 'no-crm-match', 'internal-only', 'unparseable'];
    console.table(
      [...lines].map(([set, ls]) => ({
        set,
        messages: ls.length,
        ...Object.fromEntries(reasons.map((r) => [r, ls.filter((l) => l.reason === r).length])),
      })),
    );
    const enron = byFile('enron-dev');
    const person = [...ENRON_PERSON, ...ENRON_PERSON_DISCLAIMERS].map((f) => enron.get(f));
    const automated = ENRON_AUTOMATED.map((f) => enron.get(f));
    console.log(
      `enron labelled person-to-person imported: ${person.filter((l) => l?.decision === 'import').length}/${person.length}; ` +
        `labelled automated skipped as automated: ${automated.filter((l) => l?.reason === 'automated').length}/${automated.length}`,
    );
  }, 180_000);

  it('classifies every message of every set (unparseable ones reported, not crashes)', () => {
    for (const spec of SETS) {
      const ls = lines.get(spec.name)!;
      expect(ls.length, spec.name).toBeGreaterThan(0);
      for (const l of ls) expect(['import', 'skip']).toContain(l.decision);
    }
  });

  it('gives ≥ 95% of the bounces the reason automated', () => {
    expect(share(lines.get('sisimai bounces')!, 'automated')).toBeGreaterThanOrEqual(0.95);
  });

  it('gives ≥ 95% of the list archives the reason automated', () => {
    const parsed = lines.get('ponymail list archives')!.filter((l) => l.reason !== 'unparseable');
    expect(share(parsed, 'automated')).toBeGreaterThanOrEqual(0.95);
  });

  it('gives every ESP newsletter the reason automated', () => {
    expect(share(lines.get('ESP newsletters (unspy)')!, 'automated')).toBe(1);
  });

  it('gives ≥ 80% of hard-ham the reason automated', () => {
    expect(share(lines.get('spamassassin hard-ham')!, 'automated')).toBeGreaterThanOrEqual(0.8);
  });

  it('imports ≥ 98% of the labelled person-to-person Enron mail from CRM contacts', () => {
    const enron = byFile('enron-dev');
    const person = [...ENRON_PERSON, ...ENRON_PERSON_DISCLAIMERS].map((f) => enron.get(f));
    expect(person.every(Boolean)).toBe(true);
    const imported = person.filter((l) => l!.decision === 'import').length;
    expect(imported / person.length).toBeGreaterThanOrEqual(0.98);
  });

  it('skips most labelled automated Enron mail as automated (regression guard)', () => {
    const enron = byFile('enron-dev');
    const automated = ENRON_AUTOMATED.map((f) => enron.get(f)!);
    expect(share(automated, 'automated')).toBeGreaterThanOrEqual(0.7);
  });
});
