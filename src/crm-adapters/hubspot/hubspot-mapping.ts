/**
 * HubSpot objects ⇄ mailbridge entities. Every property is a string (or null) on the wire; the
 * objects are parsed with zod at this edge. Company domains (`domain` plus the semicolon list
 * `hs_additional_domains`) are normalised to registrable domains.
 */
import { z } from 'zod';
import { registrableDomain } from '../../core/address.js';
import type { ActivityDraft } from '../../core/ports.js';
import type { Account, Contact, CrmUser, Deal, Lead } from '../../core/types.js';

export const KEY_PROPERTY = 'mailbridge_key';
export const EXPLANATION_PROPERTY = 'mailbridge_explanation';

/**
 * mailbridge's own email properties, as `doctor --fix` creates them through the properties API
 * (the group name is the email object's default group ❓ not verified against a live portal).
 */
export const MAILBRIDGE_EMAIL_PROPERTIES = [
  { name: KEY_PROPERTY, label: 'mailbridge key', description: 'Set by mailbridge: its idempotency key. Do not edit.', type: 'string', fieldType: 'text', groupName: 'emailinformation', hasUniqueValue: true },
  { name: EXPLANATION_PROPERTY, label: 'mailbridge explanation', description: 'Why mailbridge logged this email on these records.', type: 'string', fieldType: 'textarea', groupName: 'emailinformation', hasUniqueValue: false },
] as const;

/** HUBSPOT_DEFINED association type ids from an email. */
export const EMAIL_TO_CONTACT = 198;
export const EMAIL_TO_COMPANY = 186;
export const EMAIL_TO_DEAL = 210;

export const hsObject = z
  .object({
    id: z.string(),
    properties: z.record(z.string(), z.string().nullish()),
    archived: z.boolean().optional(),
    archivedAt: z.union([z.date(), z.string()]).nullish(),
  })
  .passthrough();
export type HsObject = z.infer<typeof hsObject>;

export const hsOwner = z.object({ id: z.string(), email: z.string().nullish(), firstName: z.string().nullish(), lastName: z.string().nullish() }).passthrough();

const prop = (o: HsObject, name: string): string | null => {
  const v = o.properties[name];
  return v === undefined || v === null || v === '' ? null : v;
};
const list = (value: string | null) => (value ?? '').split(/[;,]/).map((v) => v.trim()).filter(Boolean);
const fullName = (first: string | null, last: string | null) => [first, last].filter(Boolean).join(' ') || null;

/** Ids merged into this object (they must leave the index). */
export function mergedIds(o: HsObject): string[] {
  return list(prop(o, 'hs_merged_object_ids'));
}

export function toUser(owner: unknown): CrmUser {
  const o = hsOwner.parse(owner);
  return { id: o.id, email: o.email ?? '', name: fullName(o.firstName ?? null, o.lastName ?? null) };
}

export function toAccount(o: HsObject): Account {
  const domains = new Set<string>();
  for (const value of [prop(o, 'domain'), ...list(prop(o, 'hs_additional_domains')), prop(o, 'website')]) {
    const domain = registrableDomain(value);
    if (domain) domains.add(domain);
  }
  return { id: o.id, name: prop(o, 'name') ?? '', domains: [...domains], ownerId: prop(o, 'hubspot_owner_id') };
}

export function toContact(o: HsObject): Contact {
  const emails = [prop(o, 'email'), ...list(prop(o, 'hs_additional_emails'))].filter((v): v is string => !!v);
  const phones = [prop(o, 'phone'), prop(o, 'mobilephone')].filter((v): v is string => !!v);
  return { id: o.id, emails, phones, accountId: prop(o, 'associatedcompanyid'), name: fullName(prop(o, 'firstname'), prop(o, 'lastname')) };
}

/**
 * A contact at lifecycle stage `lead` that belongs to no company is a lead in mailbridge's terms
 * (Salesforce's Lead): matched by its address, or by its website's domain.
 */
export function isLeadContact(o: HsObject): boolean {
  return prop(o, 'lifecyclestage') === 'lead' && !prop(o, 'associatedcompanyid');
}

export function toLead(o: HsObject): Lead {
  const { emails, phones, name } = toContact(o);
  return { id: o.id, emails, phones, company: prop(o, 'company'), domain: registrableDomain(prop(o, 'website')), name };
}

/** `closedStages` are the pipeline stages flagged closed, for portals without `hs_is_closed`. */
export function toDeal(o: HsObject, accountId: string | null, contactRoles: string[], closedStages: ReadonlySet<string>): Deal {
  const isClosed = prop(o, 'hs_is_closed') === 'true' || closedStages.has(prop(o, 'dealstage') ?? '');
  const iso = (v: string | null) => (v && !Number.isNaN(Date.parse(v)) ? new Date(Date.parse(v)).toISOString() : v);
  const close = iso(prop(o, 'closedate'));
  return {
    id: o.id,
    accountId,
    name: prop(o, 'dealname') ?? '',
    isClosed,
    closeDate: isClosed && close ? close.slice(0, 10) : null,
    createdDate: iso(prop(o, 'createdate')) ?? '',
    lastModified: iso(prop(o, 'hs_lastmodifieddate')) ?? '',
    ownerId: prop(o, 'hubspot_owner_id'),
    contactRoles,
  };
}

function headerPerson(p: { name: string; address: string }) {
  const at = p.name.trim().lastIndexOf(' ');
  const name = p.name.trim();
  return { email: p.address, firstName: at < 0 ? name : name.slice(0, at), lastName: at < 0 ? '' : name.slice(at + 1) };
}

/** The email engagement (properties and inline associations) for one activity. */
export function toEngagement(draft: ActivityDraft): {
  properties: Record<string, string>;
  associations: { to: { id: string }; types: { associationCategory: 'HUBSPOT_DEFINED'; associationTypeId: number }[] }[];
} {
  const headers = { from: headerPerson(draft.from), to: draft.to.map(headerPerson), cc: draft.cc.map(headerPerson), bcc: [] };
  const properties: Record<string, string> = {
    hs_timestamp: draft.sentAt,
    hs_email_direction: draft.direction === 'inbound' ? 'INCOMING_EMAIL' : 'EMAIL',
    hs_email_status: 'SENT',
    hs_email_subject: draft.subject,
    hs_email_text: draft.text,
    hs_email_headers: JSON.stringify(headers),
    [KEY_PROPERTY]: draft.key,
    [EXPLANATION_PROPERTY]: draft.explanation,
  };
  if (draft.ownerId) properties.hubspot_owner_id = draft.ownerId;
  const link = (typeId: number) => (id: string) => ({ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId: typeId }] });
  return {
    properties,
    // Leads are lead-stage contacts (see isLeadContact): they take the contact association.
    associations: [
      ...[...draft.contactIds, ...draft.leadIds].map(link(EMAIL_TO_CONTACT)),
      ...draft.accountIds.map(link(EMAIL_TO_COMPANY)),
      ...draft.dealIds.map(link(EMAIL_TO_DEAL)),
    ],
  };
}
