/**
 * A mailbox's calendar through Graph's `calendarView/delta` (API_NOTES §8): the window on the
 * first request only, next links until the delta link (the cursor), `@removed` rows as removed
 * ids, sparse occurrence rows completed from their series master, and a restart from the window
 * when the service no longer knows the delta token (410 / syncStateNotFound).
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { meetingKey, type CalendarPage, type CalendarWindow, type MeetingMeta, type MeetingResponse, type MeetingShowAs } from '../../core/meeting.js';
import { SyncError } from '../../core/sync-error.js';
import { toProviderError } from './graph-errors.js';
import { linkToPath } from './graph-transport.js';

const emailAddress = z.object({ name: z.string().nullish(), address: z.string().nullish() }).nullish();
const dateTimeZone = z.object({ dateTime: z.string(), timeZone: z.string().nullish() });

export const graphEventRow = z.object({
  id: z.string(),
  '@removed': z.object({ reason: z.string().optional() }).optional(),
  iCalUId: z.string().nullish(),
  subject: z.string().nullish(),
  type: z.string().nullish(),
  seriesMasterId: z.string().nullish(),
  originalStart: z.string().nullish(),
  originalStartTimeZone: z.string().nullish(),
  start: dateTimeZone.nullish(),
  end: dateTimeZone.nullish(),
  isAllDay: z.boolean().nullish(),
  isCancelled: z.boolean().nullish(),
  sensitivity: z.string().nullish(),
  showAs: z.string().nullish(),
  lastModifiedDateTime: z.string().nullish(),
  location: z.object({ displayName: z.string().nullish() }).nullish(),
  onlineMeeting: z.object({ joinUrl: z.string().nullish() }).nullish(),
  organizer: z.object({ emailAddress }).nullish(),
  attendees: z
    .array(z.object({ type: z.string().nullish(), status: z.object({ response: z.string().nullish() }).nullish(), emailAddress }))
    .nullish(),
});
export type GraphEventRow = z.infer<typeof graphEventRow>;

const deltaPage = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});

const RESPONSES: Record<string, MeetingResponse> = { accepted: 'accepted', organizer: 'accepted', declined: 'declined', tentativelyAccepted: 'tentative' };
const SHOW_AS = new Set<MeetingShowAs>(['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown']);
/** Outlook's global object id: a fixed class id, then the instance date (zero for the series). */
const GLOBAL_OBJECT_ID = /^(040000008200E00074C5B7101A82E008)([0-9A-F]{8})/i;

/**
 * The series' own UID from an occurrence's iCalUId: Outlook writes the instance date into the
 * global object id (MS-OXOCAL PidLidGlobalObjectId; its "clean" form has it zeroed), which is
 * why Graph's iCalUId differs per occurrence (API_NOTES §8.2). Other ids are kept as they are.
 */
export function seriesICalUId(iCalUId: string): string {
  return iCalUId.replace(GLOBAL_OBJECT_ID, '$100000000');
}

/** `{dateTime, timeZone}` → ISO instant (UTC). Graph writes wall time without an offset. */
export function graphInstant(value: { dateTime: string; timeZone?: string | null }): string {
  const zone = value.timeZone && value.timeZone !== 'tzone://Microsoft/Utc' ? value.timeZone : 'UTC';
  let at = DateTime.fromISO(value.dateTime, { zone });
  // A Windows zone name (what the organizer's Outlook used) is not IANA: the provider asks for
  // UTC, so only all-day events can carry one; their midnight is read as UTC then.
  if (!at.isValid) at = DateTime.fromISO(value.dateTime, { zone: 'UTC' });
  if (!at.isValid) throw new SyncError('bad-input', `graph event time '${value.dateTime}' is not ISO 8601`);
  return at.toUTC().toISO()!;
}

const lower = (a: string | null | undefined) => (a ?? '').trim().toLowerCase();

/** A full event row → MeetingMeta; null when the row lacks what a meeting needs (no times). */
export function toGraphMeeting(row: GraphEventRow, mailbox: string): MeetingMeta | null {
  if (!row.start || !row.end) return null;
  const recurring = row.type === 'occurrence' || row.type === 'exception';
  // A plain occurrence starts where the series put it; only an exception carries a different originalStart.
  const occurrenceStart = recurring ? graphInstant({ dateTime: row.originalStart ?? row.start.dateTime, timeZone: row.originalStart ? 'UTC' : row.start.timeZone }) : undefined;
  const uid = recurring ? seriesICalUId(row.iCalUId ?? row.seriesMasterId ?? row.id) : (row.iCalUId ?? row.id);
  const showAs = (row.showAs ?? 'busy') as MeetingShowAs;
  return {
    id: row.id,
    mailbox,
    iCalUId: uid,
    key: meetingKey(uid, occurrenceStart),
    title: row.subject ?? '',
    organizer: { address: lower(row.organizer?.emailAddress?.address), ...(row.organizer?.emailAddress?.name ? { name: row.organizer.emailAddress.name } : {}) },
    attendees: (row.attendees ?? [])
      .filter((a) => a.emailAddress?.address)
      .map((a) => ({
        address: lower(a.emailAddress!.address),
        ...(a.emailAddress?.name ? { name: a.emailAddress.name } : {}),
        response: RESPONSES[a.status?.response ?? ''] ?? 'none',
        type: a.type === 'optional' || a.type === 'resource' ? a.type : 'required',
      })),
    start: graphInstant(row.start),
    end: graphInstant(row.end),
    ...(row.originalStartTimeZone ? { timeZone: row.originalStartTimeZone } : {}),
    ...(row.location?.displayName ? { location: row.location.displayName } : {}),
    ...(row.onlineMeeting?.joinUrl ? { onlineMeetingUrl: row.onlineMeeting.joinUrl } : {}),
    isCancelled: row.isCancelled ?? false,
    isPrivate: row.sensitivity === 'private' || row.sensitivity === 'personal' || row.sensitivity === 'confidential',
    isAllDay: row.isAllDay ?? false,
    showAs: SHOW_AS.has(showAs) ? showAs : 'unknown',
    ...(recurring && row.seriesMasterId ? { seriesMasterId: row.seriesMasterId } : {}),
    ...(occurrenceStart ? { occurrenceStart } : {}),
    ...(row.lastModifiedDateTime ? { lastModified: new Date(row.lastModifiedDateTime).toISOString() } : {}),
  };
}

/** A row with only `id, seriesMasterId, type, start, end` (what delta sends for occurrences). */
function isSparse(row: GraphEventRow): boolean {
  return Boolean(row.seriesMasterId) && row.subject === undefined && row.organizer === undefined;
}

export interface GraphCalendarOptions {
  /** `Prefer: odata.maxpagesize` (default 100). */
  pageSize: number;
  /** Restarts from the window allowed per read after an expired token (default 2). */
  maxResyncs: number;
}

/** One mailbox's calendar pages; `call` runs one SDK call through the provider's limiter and retries. */
export async function* readGraphCalendar(
  call: <T>(fn: (client: Client) => Promise<T>) => Promise<T>,
  mailbox: { id: string; address: string },
  cursor: string | null,
  window: CalendarWindow,
  options: GraphCalendarOptions,
): AsyncIterable<CalendarPage> {
  const base = `/users/${encodeURIComponent(mailbox.id)}`;
  // UTC times whatever the mailbox's zone; the page size the caller picked.
  const prefer = `odata.maxpagesize=${options.pageSize}, outlook.timezone="UTC"`;
  const masters = new Map<string, GraphEventRow>();
  const master = async (id: string): Promise<GraphEventRow> => {
    let found = masters.get(id);
    if (!found) {
      found = graphEventRow.parse(await call((c) => c.api(`${base}/events/${encodeURIComponent(id)}`).header('Prefer', 'outlook.timezone="UTC"').get()));
      masters.set(id, found);
    }
    return found;
  };
  let link = cursor;
  let resyncs = 0;
  for (;;) {
    let raw: unknown;
    try {
      const current = link;
      raw = await call((c) =>
        (current
          ? c.api(linkToPath(current))
          : c.api(`${base}/calendarView/delta`).query({ startDateTime: iso(window.since), endDateTime: iso(window.until) })
        ).header('Prefer', prefer).get(),
      );
    } catch (error) {
      const e = toProviderError(error);
      if (e.code === 'invalid-cursor' && link !== null && resyncs < options.maxResyncs) {
        // The service lost the sync state: the whole window again, from the start.
        resyncs += 1;
        link = null;
        continue;
      }
      throw e;
    }
    const page = deltaPage.parse(raw);
    const meetings: MeetingMeta[] = [];
    const removedIds: string[] = [];
    for (const item of page.value) {
      let row = graphEventRow.parse(item);
      if (row['@removed']) {
        removedIds.push(row.id);
        continue;
      }
      if (isSparse(row)) {
        // Everything but the instance's own id, times and type comes from the series.
        const { id: _masterId, type: _type, start: _start, end: _end, iCalUId, ...shared } = await master(row.seriesMasterId!);
        const own = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as GraphEventRow;
        row = { ...shared, iCalUId: iCalUId ?? null, ...own };
      }
      const meeting = toGraphMeeting(row, mailbox.address);
      if (meeting) meetings.push(meeting);
    }
    const next = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
    if (!next) throw new SyncError('bad-input', 'calendar delta page without nextLink or deltaLink');
    yield { meetings, removedIds, cursor: next };
    if (!page['@odata.nextLink']) return;
    link = next;
  }
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
