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

// ---- Ports of the meeting pipeline (issue 15). Providers, stores and CRM adapters implement
// them outside core; core's calendar sync depends only on these shapes.

/** One page of a calendar read. `cursor` resumes right after this page. */
export interface CalendarPage {
  /** New or changed events (occurrences of a series expanded, one per occurrence). */
  meetings: MeetingMeta[];
  /** Provider ids of events gone since the last cursor (deleted, not cancelled). */
  removedIds: string[];
  /** Opaque resume point (Graph delta link / Google syncToken or pageToken) to save after the page. */
  cursor: string;
}

export interface CalendarWindow {
  /** First-run start: the same backfill as mail. */
  since: Date;
  /** Last instant read ahead: upcoming meetings up to `calendar.daysAhead` days (default 30). */
  until: Date;
}

/** A mailbox's calendar as the provider serves it (Graph calendarView delta, Google events.list). */
export interface CalendarProvider {
  readonly kind: 'graph' | 'gmail';
  /**
   * Pages of events since `cursor` (null: the whole window). A cursor the service no longer
   * accepts (Google 410 GONE, Graph syncStateNotFound) makes the provider restart from the
   * window by itself; it never throws that at the caller.
   */
  readCalendar(mailbox: { id: string; address: string }, cursor: string | null, window: CalendarWindow): AsyncIterable<CalendarPage>;
}

export type MeetingWriteOutcome =
  | { key: string; ok: true; crmId: string }
  | { key: string; ok: false; error: string; retryable: boolean };

/** The CRM side of meetings: Salesforce Event (+ EventRelation), HubSpot meetings. */
export interface MeetingWriter {
  /** Idempotent on `key`: the same key again updates the activity (moved, cancelled), never a second one. */
  writeMeetings(batch: readonly MeetingActivityDraft[]): Promise<MeetingWriteOutcome[]>;
  deleteMeetings(crmIds: readonly string[]): Promise<void>;
}
