/**
 * Salesforce records ⇄ mailbridge entities. Records are parsed with zod at this edge; account
 * domains are normalised to registrable domains (`https://www.acme.co.uk/about` → `acme.co.uk`).
 */
import { z } from 'zod';
import { registrableDomain } from '../../core/address.js';
import type { ActivityDraft } from '../../core/ports.js';
import type { Account, Contact, CrmUser, Deal, Lead } from '../../core/types.js';

export const KEY_FIELD = 'Mailbridge_Key__c';
export const EXPLANATION_FIELD = 'Mailbridge_Explanation__c';

const str = z.string().nullish().transform((v) => v ?? null);
const bool = z.boolean().nullish().transform((v) => v ?? false);

/** Fields every pulled record carries, whatever its object (the rest is parsed by its mapper). */
export interface PulledRecord extends Record<string, unknown> {
  Id: string;
  SystemModstamp: string;
  IsDeleted?: boolean | null;
}

/**
 * Checks the fields the pull itself relies on, without copying the record (a million contacts
 * pass here; the per-object zod schemas below parse the rest).
 */
export function asPulledRecord(record: Record<string, unknown>): PulledRecord {
  if (typeof record.Id !== 'string' || typeof record.SystemModstamp !== 'string' || (record.IsDeleted != null && typeof record.IsDeleted !== 'boolean')) {
    throw new TypeError(`salesforce: record without Id/SystemModstamp: ${JSON.stringify(record).slice(0, 120)}`);
  }
  return record as PulledRecord;
}

export const queryPage = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});
export type QueryPage = z.infer<typeof queryPage>;

const userRecord = z.object({ Id: z.string(), Name: str, Email: str });
const accountRecord = z.object({ Id: z.string(), Name: str, Website: str, OwnerId: str }).passthrough();
const contactRecord = z.object({ Id: z.string(), Name: str, Email: str, Phone: str, MobilePhone: str, AccountId: str });
const leadRecord = z.object({ Id: z.string(), Name: str, Email: str, Phone: str, Company: str, Website: str, IsConverted: bool });
const opportunityRecord = z.object({
  Id: z.string(),
  Name: str,
  AccountId: str,
  IsClosed: bool,
  CloseDate: str,
  OwnerId: str,
  CreatedDate: z.string(),
  LastModifiedDate: z.string(),
});
export const roleRecord = z.object({ Id: z.string(), OpportunityId: z.string(), ContactId: str });

/** Salesforce `2025-03-01T10:22:03.000+0000` → ISO `2025-03-01T10:22:03.000Z`. */
export function isoFromSf(value: string): string {
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** Epoch ms of a Salesforce datetime. */
export function msFromSf(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

const present = (values: (string | null)[]): string[] => values.filter((v): v is string => !!v && v.trim() !== '').map((v) => v.trim());

export function toUser(record: unknown): CrmUser {
  const r = userRecord.parse(record);
  return { id: r.Id, email: r.Email ?? '', name: r.Name };
}

/** `domainFields` are the extra-domain fields read beside Website (semicolon/comma separated). */
export function toAccount(record: unknown, domainFields: readonly string[]): Account {
  const r = accountRecord.parse(record);
  const raw = [r.Website, ...domainFields.map((f) => (typeof r[f] === 'string' ? (r[f] as string) : null))];
  const domains = new Set<string>();
  for (const value of raw) {
    for (const part of (value ?? '').split(/[;,\s]+/)) {
      const domain = registrableDomain(part);
      if (domain) domains.add(domain);
    }
  }
  return { id: r.Id, name: r.Name ?? '', domains: [...domains], ownerId: r.OwnerId };
}

export function toContact(record: unknown): Contact {
  const r = contactRecord.parse(record);
  return { id: r.Id, name: r.Name, emails: present([r.Email]), phones: present([r.Phone, r.MobilePhone]), accountId: r.AccountId };
}

export function toLead(record: unknown): Lead {
  const r = leadRecord.parse(record);
  return {
    id: r.Id,
    name: r.Name,
    emails: present([r.Email]),
    phones: present([r.Phone]),
    company: r.Company,
    domain: registrableDomain(r.Website),
  };
}

/** Whether a lead record should leave the index (converted leads now live as contacts). */
export function isConvertedLead(record: unknown): boolean {
  return leadRecord.parse(record).IsConverted;
}

export function toDeal(record: unknown, contactRoles: string[]): Deal {
  const r = opportunityRecord.parse(record);
  return {
    id: r.Id,
    accountId: r.AccountId,
    name: r.Name ?? '',
    isClosed: r.IsClosed,
    // An open opportunity's CloseDate is only the expected one: the deal rules want null.
    closeDate: r.IsClosed ? r.CloseDate : null,
    createdDate: isoFromSf(r.CreatedDate),
    lastModified: isoFromSf(r.LastModifiedDate),
    ownerId: r.OwnerId,
    contactRoles,
  };
}

const cut = (value: string, max: number) => (value.length > max ? value.slice(0, max) : value);
const addressList = (list: { address: string }[]) => cut(list.map((a) => a.address).join('; '), 4000);

/** The EmailMessage written for one activity (status Sent, upserted on the dedupe key). */
export function toEmailMessage(draft: ActivityDraft): Record<string, unknown> {
  const headers = [
    draft.messageId ? `Message-ID: ${draft.messageId}` : null,
    draft.inReplyTo ? `In-Reply-To: ${draft.inReplyTo}` : null,
    draft.references.length ? `References: ${draft.references.join(' ')}` : null,
  ].filter(Boolean);
  return {
    [KEY_FIELD]: draft.key,
    Subject: cut(draft.subject, 3000),
    TextBody: cut(draft.text, 131072),
    FromName: cut(draft.from.name, 1000) || null,
    FromAddress: cut(draft.from.address, 1000),
    ToAddress: draft.to.length ? addressList(draft.to) : null,
    CcAddress: draft.cc.length ? addressList(draft.cc) : null,
    MessageDate: draft.sentAt,
    Status: '3',
    Incoming: draft.direction === 'inbound',
    RelatedToId: draft.relatedToId,
    MessageIdentifier: draft.messageId ? cut(draft.messageId, 255) : null,
    ThreadIdentifier: cut(draft.references[0] ?? draft.inReplyTo ?? draft.messageId ?? '', 255) || null,
    Headers: headers.length ? cut(headers.join('\n'), 32000) : null,
    [EXPLANATION_FIELD]: cut(draft.explanation, 131072),
  };
}

