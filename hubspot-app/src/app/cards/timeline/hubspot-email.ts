// From a HubSpot email engagement (as useAssociations returns it) to a TimelineEmail.
import { normalizeMessageId, parseMessageIdList } from './message-ids';
import type { Party, TimelineEmail } from './types';

/** The email properties the card asks HubSpot for. */
export const EMAIL_PROPERTIES = [
  'hs_email_subject',
  'hs_email_text',
  'hs_email_direction',
  'hs_timestamp',
  'hs_email_headers',
  'mailbridge_key',
  'mailbridge_explanation',
] as const;

/** A contact on the record, used to tell which participants are CRM contacts. */
export interface RecordContact {
  id: string;
  name: string;
  email: string;
}

export interface EmailRecord {
  toObjectId: number | string;
  properties: Record<string, string | null | undefined>;
}

function personOf(value: unknown): Party | null {
  if (!value || typeof value !== 'object') return null;
  const person = value as Record<string, unknown>;
  const address = typeof person.email === 'string' ? person.email.trim() : '';
  const name = [person.firstName, person.lastName]
    .filter((part): part is string => typeof part === 'string' && part.trim() !== '')
    .join(' ')
    .trim();
  return address || name ? { name, address } : null;
}

function peopleOf(value: unknown): Party[] {
  return Array.isArray(value) ? value.map(personOf).filter((p): p is Party => p !== null) : [];
}

/**
 * Parses `hs_email_headers`, a JSON string `{from, to[], cc[], bcc[]}` of `{email, firstName,
 * lastName}`. Bcc is never read (never shown to others). Optional `messageId`, `inReplyTo`,
 * `references` keys, when the sync job could store them, feed threading. Bad JSON → empty.
 */
export function parseEmailHeaders(raw: string | null | undefined): {
  from: Party | null;
  to: Party[];
  cc: Party[];
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
} {
  let parsed: unknown = null;
  try {
    parsed = raw ? JSON.parse(raw) : null;
  } catch {
    parsed = null;
  }
  const headers = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  return {
    from: personOf(headers.from),
    to: peopleOf(headers.to),
    cc: peopleOf(headers.cc),
    messageId: normalizeMessageId(headers.messageId),
    inReplyTo: parseMessageIdList(headers.inReplyTo),
    references: parseMessageIdList(headers.references),
  };
}

/** `hs_timestamp` is epoch milliseconds or ISO 8601; → ISO, or null when unreadable. */
export function timestampToIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const date = /^\d+$/.test(value.trim()) ? new Date(Number(value)) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Converts one engagement; participants whose address is a record contact's are marked as contacts. */
export function fromHubSpotEmail(record: EmailRecord, contacts: readonly RecordContact[]): TimelineEmail {
  const props = record.properties;
  const headers = parseEmailHeaders(props.hs_email_headers);
  const contactByAddress = new Map(contacts.map((c) => [c.email.toLowerCase(), c]));
  const mark = (party: Party): Party => {
    const contact = contactByAddress.get(party.address.toLowerCase());
    return contact ? { name: party.name || contact.name, address: party.address, recordId: contact.id } : party;
  };
  const from = mark(headers.from ?? { name: '', address: '' });
  const to = headers.to.map(mark);
  const cc = headers.cc.map(mark);
  const seen = new Set<string>();
  const people = [from, ...to, ...cc].filter((p) => {
    if (!p.recordId || seen.has(p.recordId)) return false;
    seen.add(p.recordId);
    return true;
  });
  return {
    id: String(record.toObjectId),
    subject: props.hs_email_subject ?? '',
    body: props.hs_email_text ?? '',
    direction: props.hs_email_direction === 'INCOMING_EMAIL' ? 'inbound' : 'outbound',
    sentAt: timestampToIso(props.hs_timestamp),
    from,
    to,
    cc,
    messageId: headers.messageId,
    inReplyTo: headers.inReplyTo,
    references: headers.references,
    explanation: props.mailbridge_explanation ?? '',
    contacts: people,
    dealIds: [],
  };
}

/** Only emails mailbridge logged (they carry its key) are shown. */
export function isMailbridgeEmail(record: EmailRecord): boolean {
  return Boolean(record.properties.mailbridge_key);
}
