/**
 * The data the engine reasons about. Everything here is plain data: providers, CRM adapters
 * and the store translate their own shapes into these at their edge.
 */

/** One address as it appeared in a header: display name (decoded) and the raw address. */
export interface MailAddress {
  name: string;
  address: string;
}

/** Where a provider found a message. Only `inbox` and `sent` are ever scanned for import. */
export type Folder = 'inbox' | 'sent' | 'drafts' | 'deleted' | 'junk' | 'other';

/**
 * What the mailbox scan reads before deciding anything (DESIGN §1.2): participants, subject,
 * dates, threading ids, folder, draft flag, and every header (the bulk-mail tells live there).
 * No body.
 */
export interface MessageMeta {
  /** Provider-local id (Graph message id, Gmail id, or a file path for `classify`). */
  id: string;
  folder: Folder;
  isDraft: boolean;
  /** Message-ID header value as received (angle brackets and all), or null. */
  messageId: string | null;
  from: MailAddress | null;
  sender: MailAddress | null;
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  subject: string;
  /** Date header (or the provider's sent time) as ISO-8601, null when absent or unreadable. */
  sentAt: string | null;
  inReplyTo: string | null;
  references: string[];
  /** Every header by lower-cased name; a header that repeats keeps every value in order. */
  headers: Record<string, string[]>;
}

/** A fetched body: the provider's text part and/or HTML part. */
export interface MessageBody {
  text: string | null;
  html: string | null;
}

/** A CRM user (a seller); users are never "external" participants. */
export interface CrmUser {
  id: string;
  email: string;
  name?: string | null;
}

export interface Account {
  id: string;
  name: string;
  /** Website and any extra domains, as the CRM holds them (URLs are fine: they are normalised). */
  domains: string[];
  ownerId?: string | null;
}

export interface Contact {
  id: string;
  emails: string[];
  phones: string[];
  accountId?: string | null;
  name?: string | null;
}

export interface Lead {
  id: string;
  emails: string[];
  phones: string[];
  company?: string | null;
  domain?: string | null;
  name?: string | null;
}

export interface Deal {
  id: string;
  accountId: string | null;
  name: string;
  isClosed: boolean;
  /** Calendar date `YYYY-MM-DD` (or an ISO timestamp); null while open. */
  closeDate: string | null;
  /** Creation date or timestamp. */
  createdDate: string;
  /** Last modification timestamp: the final tie-breaker of the ranking. */
  lastModified: string;
  ownerId: string | null;
  /** Contact ids holding a contact role on the deal. */
  contactRoles: string[];
}

export interface Blocklist {
  addresses: string[];
  domains: string[];
  phrases: string[];
}

/** The classify contract's CRM snapshot (DESIGN §5), also the seed format of the emulators. */
export interface CrmSnapshot {
  companyDomains: string[];
  users: CrmUser[];
  accounts: Account[];
  contacts: Contact[];
  leads: Lead[];
  deals: Deal[];
  blocklist: Blocklist;
  /** The tenant's changes to the built-in free-mail list; absent means none. */
  freeMail?: { add: string[]; remove: string[] };
}

/** The reason codes of DESIGN §1.3, in the order they are checked, plus the two outcomes. */
export const SKIP_REASONS = [
  'draft-or-deleted',
  'internal-only',
  'blocklisted',
  'automated',
  'no-crm-match',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number] | 'unparseable';
export type Reason = SkipReason | 'matched';
