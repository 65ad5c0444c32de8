/**
 * A user's primary calendar through `@googleapis/calendar` `events.list` (API_NOTES §9): a full
 * sync of the window with `singleEvents` (series expanded), page tokens until `nextSyncToken`,
 * then incremental rounds with the sync token; a 410 (`fullSyncRequired`) restarts from the
 * window. Incremental rounds carry no window, so what lies outside it is reported removed.
 */
import type { calendar_v3 } from '@googleapis/calendar';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { meetingKey, type CalendarPage, type CalendarWindow, type MeetingMeta, type MeetingResponse, type MeetingShowAs } from '../../core/meeting.js';
import { SyncError } from '../../core/sync-error.js';
import { toProviderError } from './gmail-errors.js';

const when = z.object({ dateTime: z.string().nullish(), date: z.string().nullish(), timeZone: z.string().nullish() });
const person = z.object({ email: z.string().nullish(), displayName: z.string().nullish() });

export const googleEvent = z.object({
  id: z.string(),
  status: z.string().nullish(),
  iCalUID: z.string().nullish(),
  summary: z.string().nullish(),
  location: z.string().nullish(),
  organizer: person.nullish(),
  start: when.nullish(),
  end: when.nullish(),
  recurringEventId: z.string().nullish(),
  originalStartTime: when.nullish(),
  visibility: z.string().nullish(),
  transparency: z.string().nullish(),
  eventType: z.string().nullish(),
  updated: z.string().nullish(),
  hangoutLink: z.string().nullish(),
  conferenceData: z.object({ entryPoints: z.array(z.object({ entryPointType: z.string().nullish(), uri: z.string().nullish() })).nullish() }).nullish(),
  attendees: z
    .array(person.extend({ responseStatus: z.string().nullish(), optional: z.boolean().nullish(), resource: z.boolean().nullish() }))
    .nullish(),
});
export type GoogleEvent = z.infer<typeof googleEvent>;

const eventsPage = z.object({
  timeZone: z.string().nullish(),
  items: z.array(z.unknown()).nullish(),
  nextPageToken: z.string().nullish(),
  nextSyncToken: z.string().nullish(),
});

const RESPONSES: Record<string, MeetingResponse> = { accepted: 'accepted', declined: 'declined', tentative: 'tentative' };
/** Google's event types that are not meetings, shown as Graph's `showAs` would show them. */
const SHOW_AS: Record<string, MeetingShowAs> = { outOfOffice: 'oof', workingLocation: 'workingElsewhere', focusTime: 'busy' };

/** An event's `start`/`end` as an instant: `dateTime` carries its offset; an all-day `date` is midnight in the calendar's zone. */
export function googleInstant(value: { dateTime?: string | null; date?: string | null }, calendarZone: string): string {
  if (value.dateTime) {
    const at = Date.parse(value.dateTime);
    if (Number.isNaN(at)) throw new SyncError('bad-input', `calendar event time '${value.dateTime}' is not RFC 3339`);
    return new Date(at).toISOString();
  }
  const day = DateTime.fromISO(value.date ?? '', { zone: calendarZone });
  if (!day.isValid) throw new SyncError('bad-input', `calendar event date '${value.date}' is not a date`);
  return day.toUTC().toISO()!;
}

const lower = (a: string | null | undefined) => (a ?? '').trim().toLowerCase();

/**
 * An event → MeetingMeta; null for a bare cancelled item (a deletion carries only its id, and an
 * instance its series and original start: sync guide), which the caller reports as removed.
 */
export function toGoogleMeeting(event: GoogleEvent, mailbox: string, calendarZone: string): MeetingMeta | null {
  if (!event.start || !event.end || !event.iCalUID) return null;
  // iCalUID is shared by every instance of a series: the original start tells them apart.
  const occurrenceStart = event.recurringEventId && event.originalStartTime ? googleInstant(event.originalStartTime, calendarZone) : undefined;
  const video = event.conferenceData?.entryPoints?.find((e) => e.entryPointType === 'video')?.uri;
  const onlineMeetingUrl = event.hangoutLink ?? video;
  return {
    id: event.id,
    mailbox,
    iCalUId: event.iCalUID,
    key: meetingKey(event.iCalUID, occurrenceStart),
    title: event.summary ?? '',
    organizer: { address: lower(event.organizer?.email), ...(event.organizer?.displayName ? { name: event.organizer.displayName } : {}) },
    attendees: (event.attendees ?? [])
      .filter((a) => a.email)
      .map((a) => ({
        address: lower(a.email),
        ...(a.displayName ? { name: a.displayName } : {}),
        response: RESPONSES[a.responseStatus ?? ''] ?? 'none',
        type: a.resource ? 'resource' : a.optional ? 'optional' : 'required',
      })),
    start: googleInstant(event.start, calendarZone),
    end: googleInstant(event.end, calendarZone),
    timeZone: event.start.timeZone ?? calendarZone,
    ...(event.location ? { location: event.location } : {}),
    ...(onlineMeetingUrl ? { onlineMeetingUrl } : {}),
    isCancelled: event.status === 'cancelled',
    isPrivate: event.visibility === 'private' || event.visibility === 'confidential',
    isAllDay: Boolean(event.start.date),
    showAs: SHOW_AS[event.eventType ?? ''] ?? (event.transparency === 'transparent' ? 'free' : event.status === 'tentative' ? 'tentative' : 'busy'),
    ...(event.recurringEventId ? { seriesMasterId: event.recurringEventId } : {}),
    ...(occurrenceStart ? { occurrenceStart } : {}),
    ...(event.updated ? { lastModified: new Date(event.updated).toISOString() } : {}),
  };
}

/** The opaque cursor: a sync token (incremental rounds) and the page reached within a round. */
interface Cursor {
  syncToken?: string;
  pageToken?: string;
}

function parseCursor(cursor: string | null): Cursor | null {
  if (!cursor) return null;
  try {
    const parsed = JSON.parse(cursor) as Cursor;
    return typeof parsed === 'object' && parsed !== null ? parsed : null;
  } catch {
    return null;
  }
}

export interface GoogleCalendarOptions {
  /** `maxResults` (default 250, the service's own default; at most 2,500). */
  pageSize: number;
  maxResyncs: number;
}

/** One user's calendar pages; `call` runs one client call through the provider's limiter and retries. */
export async function* readGoogleCalendar(
  call: <T>(fn: (api: calendar_v3.Calendar) => Promise<T>) => Promise<T>,
  mailbox: { id: string; address: string },
  cursor: string | null,
  window: CalendarWindow,
  options: GoogleCalendarOptions,
): AsyncIterable<CalendarPage> {
  let state = parseCursor(cursor);
  let resyncs = 0;
  const from = window.since.getTime();
  const to = window.until.getTime();
  for (;;) {
    let raw: unknown;
    try {
      const current = state;
      // The same parameters on every request of a sync, except what a sync token forbids (timeMin, timeMax).
      const params: calendar_v3.Params$Resource$Events$List = current?.syncToken
        ? { calendarId: 'primary', singleEvents: true, maxResults: options.pageSize, syncToken: current.syncToken }
        : { calendarId: 'primary', singleEvents: true, maxResults: options.pageSize, timeMin: window.since.toISOString(), timeMax: window.until.toISOString() };
      if (current?.pageToken) params.pageToken = current.pageToken;
      raw = (await call((api) => api.events.list(params))) as unknown;
    } catch (error) {
      const e = toProviderError(error);
      if (e.code === 'invalid-cursor' && state !== null && resyncs < options.maxResyncs) {
        // 410 fullSyncRequired: the token is gone; the whole window again.
        resyncs += 1;
        state = null;
        continue;
      }
      throw e;
    }
    const page = eventsPage.parse((raw as { data?: unknown }).data);
    const zone = page.timeZone ?? 'UTC';
    const meetings: MeetingMeta[] = [];
    const removedIds: string[] = [];
    for (const item of page.items ?? []) {
      const event = googleEvent.parse(item);
      const meeting = toGoogleMeeting(event, mailbox.address, zone);
      if (!meeting) {
        removedIds.push(event.id);
        continue;
      }
      // Incremental rounds have no window: a meeting moved out of it is gone for the sync.
      if (Date.parse(meeting.end) <= from || Date.parse(meeting.start) >= to) removedIds.push(meeting.id);
      else meetings.push(meeting);
    }
    const next: Cursor | null = page.nextPageToken
      ? { ...(state?.syncToken ? { syncToken: state.syncToken } : {}), pageToken: page.nextPageToken }
      : page.nextSyncToken
        ? { syncToken: page.nextSyncToken }
        : null;
    if (!next) throw new SyncError('bad-input', 'calendar events page without nextPageToken or nextSyncToken');
    yield { meetings, removedIds, cursor: JSON.stringify(next) };
    if (!page.nextPageToken) return;
    state = next;
  }
}
