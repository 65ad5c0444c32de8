/** A sender or recipient; `recordId` is set when the person is a CRM contact on this record. */
export interface Party {
  name: string;
  address: string;
  recordId?: string | null;
}

/** One logged email, independent of the CRM it came from. */
export interface TimelineEmail {
  id: string;
  subject: string;
  body: string;
  direction: 'inbound' | 'outbound';
  sentAt: string | null;
  from: Party;
  to: Party[];
  cc: Party[];
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  explanation: string;
  /** CRM contacts among the participants. */
  contacts: Party[];
  /** Deals the email is associated with, when known. */
  dealIds: string[];
}

/** One logged meeting (issue 15), independent of the CRM it came from. */
export interface TimelineMeeting {
  id: string;
  title: string;
  /** Marked cancelled by the sync job (kept, not deleted). */
  cancelled: boolean;
  start: string | null;
  end: string | null;
  location: string;
  description: string;
  explanation: string;
  contacts: Party[];
  dealIds: string[];
}

export interface TimelineFilters {
  contactId?: string;
  dealId?: string;
}
