// Shared contract between the calendar source side and the CRM writers (issue 15).
// Additive changes only: the CRM side builds against these shapes.

/** How an attendee answered the invitation. */
export type MeetingResponse = 'accepted' | 'declined' | 'tentative' | 'none';

/** Graph's attendee types; Google's `optional`/`resource` flags map onto them. */
export type MeetingAttendeeType = 'required' | 'optional' | 'resource';

/** Graph `showAs` (Google `transparency`: opaque = busy, transparent = free). */
export type MeetingShowAs = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';

export interface MeetingAttendee {
  /** Lower-cased e-mail address. */
  address: string;
  name?: string;
  response: MeetingResponse;
  type: MeetingAttendeeType;
}

export interface MeetingOrganizer {
  address: string;
  name?: string;
}

/** Metadata of one calendar event (one occurrence for a recurring series), as a provider sees it. */
export interface MeetingMeta {
  /** Provider id of the event in this calendar (not stable across calendars on Graph). */
  id: string;
  /** Calendar (mailbox) the event was read from. */
  mailbox: string;
  /** Graph iCalUId / Google event id: the same meeting across calendars. */
  iCalUId: string;
  /**
   * Dedupe key across calendars: iCalUId for a single event, iCalUId + occurrence start
   * (ISO, UTC) for an occurrence of a recurring series. See `meetingKey`.
   */
  key: string;
  title: string;
  organizer: MeetingOrganizer;
  attendees: MeetingAttendee[];
  /** ISO 8601 instants (UTC). For all-day events, midnight in `timeZone`. */
  start: string;
  end: string;
  /** IANA (or Windows, as Graph reports it) time zone the event was created in. */
  timeZone?: string;
  location?: string;
  onlineMeetingUrl?: string;
  isCancelled: boolean;
  /** True when private, personal or confidential (Graph sensitivity / Google visibility). */
  isPrivate: boolean;
  isAllDay: boolean;
  showAs: MeetingShowAs;
  /** Series master id when this is an occurrence (or exception) of a recurring series. */
  seriesMasterId?: string;
  /** Original start of the occurrence in its series (ISO, UTC), when recurring. */
  occurrenceStart?: string;
  /** ISO 8601 last-modified instant, used to detect moved/updated meetings. */
  lastModified?: string;
}

/** Activity status the CRM writes: a cancelled meeting is marked, not silently kept. */
export type MeetingActivityStatus = 'active' | 'cancelled';

/** What a CRM writer receives for one qualified meeting (one occurrence). */
export interface MeetingActivityDraft {
  /** Dedupe / idempotency key (MeetingMeta.key). */
  key: string;
  title: string;
  start: string;
  end: string;
  location?: string;
  onlineMeetingUrl?: string;
  /** Plain text description (no meeting body is read: built from metadata). */
  description: string;
  status: MeetingActivityStatus;
  contactIds: string[];
  accountIds: string[];
  leadIds: string[];
  dealIds: string[];
  /** CRM user id owning the activity: organizer when a CRM user, else calendar owner. */
  ownerId?: string;
  /** CRM ids (contacts/leads/users) of the attendees, for EventRelation / associations. */
  attendeeCrmIds: string[];
  /** Human-readable explanation of why this meeting was logged and associated. */
  explanation: string;
  /** ISO instant of the last change seen, so a moved meeting updates its activity. */
  lastModified?: string;
}

/**
 * Dedupe key of one meeting across calendars: the iCalUId alone, or with the occurrence's
 * original start so each occurrence of a recurring series is its own activity.
 */
export function meetingKey(iCalUId: string, occurrenceStart?: string): string {
  return occurrenceStart === undefined ? iCalUId : `${iCalUId}#${new Date(occurrenceStart).toISOString()}`;
}
