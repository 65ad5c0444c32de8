/**
 * The sObjects the Salesforce emulator serves, with their fields and types: what `describe`
 * returns, what SOQL may select, and how values are formatted on the wire (datetimes as
 * `2025-03-01T10:22:03.000+0000`, dates as `YYYY-MM-DD`).
 */

export type SfFieldType =
  | 'id'
  | 'reference'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'boolean'
  | 'datetime'
  | 'date';

export interface SfField {
  name: string;
  type: SfFieldType;
  /** Writable on create. */
  createable?: boolean;
  /** Writable on update (for EmailMessage: only while a draft, custom fields excepted). */
  updateable?: boolean;
  externalId?: boolean;
  unique?: boolean;
  length?: number;
  nillable?: boolean;
}

export interface SfObject {
  name: string;
  /** Key prefix of the record ids, as Salesforce uses (`003` for contacts). */
  prefix: string;
  fields: SfField[];
}

/** Name of the dedupe-key external-id field defined by the Salesforce package. */
export const KEY_FIELD = 'Mailbridge_Key__c';
/** Long text field holding the association explanation. */
export const EXPLANATION_FIELD = 'Mailbridge_Explanation__c';
/** Extra-domain field on Account (semicolon-separated), beside Website. */
export const ACCOUNT_DOMAINS_FIELD = 'Mailbridge_Domains__c';

const SYSTEM: SfField[] = [
  { name: 'Id', type: 'id' },
  { name: 'IsDeleted', type: 'boolean' },
  { name: 'CreatedDate', type: 'datetime' },
  { name: 'LastModifiedDate', type: 'datetime' },
  { name: 'SystemModstamp', type: 'datetime' },
];

const rw = (name: string, type: SfFieldType, extra: Partial<SfField> = {}): SfField => ({
  name,
  type,
  createable: true,
  updateable: true,
  nillable: true,
  ...extra,
});

export const SF_OBJECTS: Record<string, SfObject> = {
  User: {
    name: 'User',
    prefix: '005',
    fields: [...SYSTEM, rw('Name', 'string'), rw('Email', 'email'), rw('IsActive', 'boolean')],
  },
  Account: {
    name: 'Account',
    prefix: '001',
    fields: [
      ...SYSTEM,
      rw('Name', 'string'),
      rw('Website', 'url'),
      rw(ACCOUNT_DOMAINS_FIELD, 'textarea', { length: 32768 }),
      rw('OwnerId', 'reference'),
    ],
  },
  Contact: {
    name: 'Contact',
    prefix: '003',
    fields: [
      ...SYSTEM,
      rw('Name', 'string'),
      rw('Email', 'email'),
      rw('Phone', 'phone'),
      rw('MobilePhone', 'phone'),
      rw('AccountId', 'reference'),
      rw('MasterRecordId', 'reference'),
    ],
  },
  Lead: {
    name: 'Lead',
    prefix: '00Q',
    fields: [
      ...SYSTEM,
      rw('Name', 'string'),
      rw('Email', 'email'),
      rw('Phone', 'phone'),
      rw('Company', 'string'),
      rw('Website', 'url'),
      rw('Status', 'picklist'),
      rw('IsConverted', 'boolean'),
    ],
  },
  Opportunity: {
    name: 'Opportunity',
    prefix: '006',
    fields: [
      ...SYSTEM,
      rw('Name', 'string'),
      rw('AccountId', 'reference'),
      rw('StageName', 'picklist'),
      rw('CloseDate', 'date'),
      rw('IsClosed', 'boolean'),
      rw('IsWon', 'boolean'),
      rw('OwnerId', 'reference'),
    ],
  },
  OpportunityContactRole: {
    name: 'OpportunityContactRole',
    prefix: '00K',
    fields: [
      ...SYSTEM,
      rw('OpportunityId', 'reference'),
      rw('ContactId', 'reference'),
      rw('Role', 'picklist'),
      rw('IsPrimary', 'boolean'),
    ],
  },
  EmailMessage: {
    name: 'EmailMessage',
    prefix: '02s',
    fields: [
      ...SYSTEM,
      rw('Subject', 'textarea', { length: 3000 }),
      rw('TextBody', 'textarea', { length: 131072 }),
      rw('HtmlBody', 'textarea', { length: 131072 }),
      rw('Headers', 'textarea', { length: 32000 }),
      rw('FromName', 'string', { length: 1000 }),
      rw('FromAddress', 'email', { length: 1000 }),
      rw('ToAddress', 'textarea', { length: 4000 }),
      rw('CcAddress', 'textarea', { length: 4000 }),
      rw('BccAddress', 'textarea', { length: 4000 }),
      rw('MessageDate', 'datetime'),
      rw('Status', 'picklist', { nillable: false }),
      rw('Incoming', 'boolean'),
      rw('RelatedToId', 'reference'),
      rw('MessageIdentifier', 'string', { length: 255 }),
      rw('ThreadIdentifier', 'string', { length: 255 }),
      rw('IsExternallyVisible', 'boolean'),
      rw(KEY_FIELD, 'string', { length: 255, externalId: true, unique: true }),
      rw(EXPLANATION_FIELD, 'textarea', { length: 131072 }),
    ],
  },
  EmailMessageRelation: {
    name: 'EmailMessageRelation',
    prefix: '0bo',
    fields: [
      ...SYSTEM,
      rw('EmailMessageId', 'reference', { updateable: false }),
      rw('RelationId', 'reference'),
      rw('RelationType', 'picklist', { nillable: false }),
      rw('RelationAddress', 'email'),
      rw('RelationObjectType', 'string', { createable: false, updateable: false }),
    ],
  },
  // Meetings (issue 15). Activity custom fields appear on Event (and Task); the package marks
  // Mailbridge_Key__c external id and unique, so Event upserts on it like EmailMessage does.
  Event: {
    name: 'Event',
    prefix: '00U',
    fields: [
      ...SYSTEM,
      rw('Subject', 'string', { length: 255 }),
      rw('StartDateTime', 'datetime'),
      rw('EndDateTime', 'datetime'),
      rw('IsAllDayEvent', 'boolean'),
      rw('Location', 'string', { length: 255 }),
      rw('Description', 'textarea', { length: 32000 }),
      rw('WhatId', 'reference'),
      rw('WhoId', 'reference'),
      rw('OwnerId', 'reference'),
      rw(KEY_FIELD, 'string', { length: 255, externalId: true, unique: true }),
      rw(EXPLANATION_FIELD, 'textarea', { length: 32768 }),
    ],
  },
  EventRelation: {
    name: 'EventRelation',
    prefix: '0RE',
    fields: [
      ...SYSTEM,
      rw('EventId', 'reference', { updateable: false }),
      rw('RelationId', 'reference', { updateable: false }),
      rw('IsParent', 'boolean'),
      rw('IsInvitee', 'boolean'),
      rw('IsWhat', 'boolean', { createable: false, updateable: false }),
      rw('Status', 'picklist'),
    ],
  },
};

/** Case-insensitive field lookup, as Salesforce resolves field names. */
export function findField(object: SfObject, name: string): SfField | undefined {
  const lower = name.toLowerCase();
  return object.fields.find((f) => f.name.toLowerCase() === lower);
}

/** Case-insensitive object lookup. */
export function findObject(name: string): SfObject | undefined {
  const lower = name.toLowerCase();
  return Object.values(SF_OBJECTS).find((o) => o.name.toLowerCase() === lower);
}

/** `2025-03-01T10:22:03.000+0000`, the Salesforce wire format of a datetime. */
export function formatSfDatetime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Parses a datetime literal or value (`Z`, `+0000`, `+00:00` offsets, or a bare date). */
export function parseSfDatetime(value: string): number {
  const fixed = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(fixed) ? `${fixed}T00:00:00Z` : fixed);
}
