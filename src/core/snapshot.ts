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
          closeDate: optStr,
          createdDate: str,
          lastModified: str,
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

/** Parses a snapshot; throws `SnapshotError` naming the first bad field. */
export function parseSnapshot(input: unknown, source = 'snapshot'): CrmSnapshot {
  const result = snapshotSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issuePath(issue.path);
  throw new SnapshotError(`${source}: ${field}: ${issue.message}`, field);
}

/** Parses a blocklist file `{"addresses": [], "domains": [], "phrases": []}`. */
export function parseBlocklist(input: unknown, source = 'blocklist') {
  const result = blocklistSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issuePath(issue.path);
  throw new SnapshotError(`${source}: ${field}: ${issue.message}`, field);
}
