/**
 * The CRM snapshot format of DESIGN §5, validated with zod. Unknown values may be `null` or
 * absent (a contact's `accountId`, a lead's `domain`, an open deal's `closeDate`).
 */
import { z } from 'zod';
import type { CrmSnapshot } from './types.js';

const id = z.union([z.string().min(1), z.number()]).transform(String);
const str = z.string();
const optStr = str.nullish().transform((v) => v ?? null);
const strList = z.array(str).nullish().transform((v) => v ?? []);
/** A day (`2026-03-01`) or an ISO-8601 date-time (`2026-03-01T10:00:00Z`); the deal window reads them. */
const isoDate = z.union([z.iso.date(), z.iso.datetime({ offset: true, local: true })], {
  error: 'not a date (expected e.g. "2026-03-01" or "2026-03-01T10:00:00Z")',
});

export const blocklistSchema = z
  .object({ addresses: strList, domains: strList, phrases: strList })
  .strict();

export const snapshotSchema = z
  .object({
    companyDomains: strList,
    users: z.array(z.object({ id, email: str, name: optStr })).default([]),
    accounts: z
      .array(z.object({ id, name: str, domains: strList, ownerId: id.nullish().transform((v) => v ?? null) }))
      .default([]),
    contacts: z
      .array(
        z.object({
          id,
          emails: strList,
          phones: strList,
          accountId: id.nullish().transform((v) => v ?? null),
          name: optStr,
        }),
      )
      .default([]),
    leads: z
      .array(z.object({ id, emails: strList, phones: strList, company: optStr, domain: optStr, name: optStr }))
      .default([]),
    deals: z
      .array(
        z.object({
          id,
          accountId: id.nullish().transform((v) => v ?? null),
          name: str,
          isClosed: z.boolean(),
          closeDate: isoDate.nullish().transform((v) => v ?? null),
          createdDate: isoDate,
          lastModified: isoDate,
          ownerId: id.nullish().transform((v) => v ?? null),
          contactRoles: z.array(id).nullish().transform((v) => v ?? []),
        }),
      )
      .default([]),
    blocklist: blocklistSchema.default({ addresses: [], domains: [], phrases: [] }),
    /** The tenant's changes to the built-in free-mail list, as in the configuration. */
    freeMail: z.object({ add: strList, remove: strList }).strict().default({ add: [], remove: [] }),
  })
  .strict();

/** A readable path for a zod issue: `contacts[3].emails[0]`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

export class SnapshotError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/** At most this many problems are listed in one message; the count says how many there were. */
const MAX_LISTED = 20;

/**
 * Parses a snapshot; throws `SnapshotError` listing every bad field (the first 20, and how many
 * there were), so one run shows all there is to fix. `field` names the first.
 */
export function parseSnapshot(input: unknown, source = 'snapshot'): CrmSnapshot {
  const result = snapshotSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const lines = issues.slice(0, MAX_LISTED).map((i) => `${source}: ${issuePath(i.path)}: ${i.message}`);
  if (issues.length > MAX_LISTED) lines.push(`${source}: … and ${issues.length - MAX_LISTED} more`);
  const head = issues.length > 1 ? `${source}: ${issues.length} problems\n` : '';
  throw new SnapshotError(head + lines.join('\n'), issuePath(issues[0]!.path));
}

/** Parses a blocklist file `{"addresses": [], "domains": [], "phrases": []}`. */
export function parseBlocklist(input: unknown, source = 'blocklist') {
  const result = blocklistSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issuePath(issue.path);
  throw new SnapshotError(`${source}: ${field}: ${issue.message}`, field);
}
