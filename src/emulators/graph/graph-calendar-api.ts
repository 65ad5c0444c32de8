/**
 * Graph's calendar over the calendar store: `GET /users/{id}/calendarView/delta` (also `/me/…`)
 * with the window on the first request only, opaque `$skiptoken`/`$deltatoken` links,
 * `Prefer: odata.maxpagesize` and `outlook.timezone`, expanded instances (singleInstance,
 * occurrence, exception) with `seriesMasterId`, `@removed` rows for deletions and for anything
 * that left the window, and `GET /users/{id}/events/{id}` for series masters and instances.
 * Behaviour from API_NOTES §8 (event-delta.md, delta-query-events.md, resources/event.md).
 */
import { DateTime } from 'luxon';
import type { EmulatorRequest, EmulatorResponse } from '../common/http-emulator.js';
import { digest } from '../common/mail-store.js';
import { PageTokens } from '../common/page-tokens.js';
import { expandMeeting, overlaps, type CalendarStore, type MeetingInstance, type SeedMeeting, type SeedResponse, type StoredMeeting } from '../common/calendar-store.js';
import { graphError } from './graph-errors.js';
import { preferredPageSize } from './graph-message-view.js';

export interface GraphCalendarOptions {
  /** Page size without `Prefer: odata.maxpagesize` (default 10). */
  defaultPageSize: number;
  /**
   * Occurrence rows carry only `id, seriesMasterId, type, start, end`, as observed on the live
   * service (microsoft-graph-docs#1716, #7632, #22197): the client reads the master for the rest.
   */
  sparseOccurrences: boolean;
  /** Status of an expired delta token: 410 `SyncStateNotFound` + `Location` (default), or 400 `syncStateNotFound`. */
  expiredDeltaStatus: 410 | 400;
}

interface DeltaState {
  mailbox: string;
  from: string;
  to: string;
  fromSeq: number;
  toSeq: number;
  offset: number;
  pageSize: number;
  epoch: number;
}

type DeltaRow = { instance: MeetingInstance; removed: false } | { id: string; removed: true };

/** The calendar kinds of a path after `/users/{id}`, or null. */
export function graphCalendarKind(rest: string): string | null {
  if (/^\/calendarview\/delta\/?$/i.test(rest)) return 'calendarView.delta';
  if (/^\/events\/[^/]+\/?$/i.test(rest)) return 'event.get';
  return null;
}

const GRAPH_RESPONSE: Record<SeedResponse, string> = { accepted: 'accepted', declined: 'declined', tentative: 'tentativelyAccepted', none: 'notResponded' };
/** Graph's "no answer" time (doc examples of responseStatus). */
const NO_TIME = '0001-01-01T00:00:00Z';

/**
 * Outlook's global object id, hex: a fixed class id, then year, month and day of the instance
 * (zero for a single meeting or a master), then the UID. That is why Graph gives each occurrence
 * of a series its own iCalUId (MS-OXOCAL PidLidGlobalObjectId; API_NOTES §8.2).
 */
export function graphICalUId(uid: string, originalStart?: string): string {
  let date = '00000000';
  if (originalStart) {
    const d = new Date(originalStart);
    date = d.getUTCFullYear().toString(16).padStart(4, '0') + (d.getUTCMonth() + 1).toString(16).padStart(2, '0') + d.getUTCDate().toString(16).padStart(2, '0');
  }
  return `040000008200E00074C5B7101A82E008${date.toUpperCase()}${'0'.repeat(16)}${Buffer.from(uid, 'utf8').toString('hex').toUpperCase()}`;
}

export const graphEventId = (meeting: StoredMeeting, index: number | 'master'): string =>
  `AAMkAD${digest(`${meeting.mailbox}/${meeting.key}/${index}`, 40)}`;

/** `Prefer: outlook.timezone="…"`: an IANA zone (or UTC); other names fall back to UTC. */
function preferredZone(prefer: string | string[] | undefined): string {
  const value = Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '');
  const zone = /outlook\.timezone\s*=\s*"([^"]+)"/i.exec(value)?.[1];
  return zone && DateTime.now().setZone(zone).isValid ? zone : 'UTC';
}

/** `{dateTime, timeZone}` as Graph writes it: wall time without offset, seven fraction digits. */
export function graphDateTime(instant: string, zone: string): { dateTime: string; timeZone: string } {
  const local = DateTime.fromISO(instant, { zone: 'utc' }).setZone(zone);
  return { dateTime: `${local.toFormat("yyyy-MM-dd'T'HH:mm:ss")}.0000000`, timeZone: zone };
}

function sensitivityOf(seed: SeedMeeting): string {
  return seed.sensitivity ?? 'normal';
}

export class GraphCalendarApi {
  private readonly tokens = new PageTokens<DeltaState>('');
  private readonly epochs = new Map<string, number>();

  constructor(
    private readonly store: CalendarStore,
    private readonly options: GraphCalendarOptions,
  ) {}

  /** Delta tokens of a calendar (all when omitted) are refused from now on. */
  expire(address?: string): void {
    for (const a of address ? [address.toLowerCase()] : this.store.addresses()) this.epochs.set(a, this.epoch(a) + 1);
  }

  private epoch(mailbox: string): number {
    return this.epochs.get(mailbox) ?? 0;
  }

  /** One calendar request for the mailbox `box`; `rest` is the path after `/users/{id}`. */
  serve(req: EmulatorRequest, kind: string, box: { address: string; id: string }, rest: string, origin: string): EmulatorResponse {
    if (kind === 'event.get') return this.getEvent(req, box.address, decodeURIComponent(/^\/events\/([^/]+)/i.exec(rest)![1]!));
    return this.delta(req, box, origin);
  }

  private delta(req: EmulatorRequest, box: { address: string; id: string }, origin: string): EmulatorResponse {
    const mailbox = box.address;
    const skip = req.query.get('$skiptoken');
    const deltaToken = req.query.get('$deltatoken');
    const linkBase = `${origin}/v1.0/users/${box.id}/calendarView/delta`;
    let state: DeltaState;
    if (skip !== null || deltaToken !== null) {
      const found = this.tokens.resolve(skip ?? deltaToken ?? '');
      if (!found || found.mailbox !== mailbox || found.epoch !== this.epoch(mailbox)) {
        return this.options.expiredDeltaStatus === 410
          ? graphError(410, 'SyncStateNotFound', `The sync state generation is not found; generation=${this.epoch(mailbox)}.`, req, { Location: `${linkBase}?$deltatoken=` })
          : graphError(400, 'syncStateNotFound', 'The sync state is not found or has expired. Start a new sync.', req);
      }
      // A delta token starts a new round: the changes since it, up to now.
      state = deltaToken !== null ? { ...found, fromSeq: found.toSeq, toSeq: this.store.sequence, offset: 0 } : found;
      const size = preferredPageSize(req.headers.prefer);
      if (deltaToken !== null && size) state.pageSize = Math.min(size, 1000);
    } else {
      // The event-delta doc lists no OData query options for this function.
      for (const option of ['$select', '$filter', '$orderby', '$expand', '$search', '$top']) {
        if (req.query.has(option)) return graphError(400, 'ErrorInvalidUrlQueryOption', `The query parameter '${option}' is not supported with delta on calendarView.`, req);
      }
      const from = req.query.get('startDateTime');
      const to = req.query.get('endDateTime');
      if (!from || !to) {
        return graphError(400, 'ErrorInvalidParameter', 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.', req);
      }
      if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) {
        return graphError(400, 'ErrorInvalidParameter', 'The parameters StartDateTime and EndDateTime must be ISO 8601 date-times.', req);
      }
      state = {
        mailbox, from: new Date(from).toISOString(), to: new Date(to).toISOString(), fromSeq: 0, toSeq: this.store.sequence, offset: 0,
        pageSize: Math.min(preferredPageSize(req.headers.prefer) ?? this.options.defaultPageSize, 1000), epoch: this.epoch(mailbox),
      };
    }
    const zone = preferredZone(req.headers.prefer);
    const rows = this.rows(state);
    const value = rows.slice(state.offset, state.offset + state.pageSize).map((row) =>
      row.removed ? { '@odata.type': '#microsoft.graph.event', id: row.id, '@removed': { reason: 'deleted' } } : this.eventRow(row.instance, zone, true),
    );
    const body: Record<string, unknown> = { '@odata.context': `${origin}/v1.0/$metadata#Collection(event)`, value };
    if (state.offset + state.pageSize < rows.length) {
      body['@odata.nextLink'] = `${linkBase}?$skiptoken=${this.tokens.issue({ ...state, offset: state.offset + state.pageSize })}`;
    } else {
      body['@odata.deltaLink'] = `${linkBase}?$deltatoken=${this.tokens.issue({ ...state, offset: 0 })}`;
    }
    const headers: Record<string, string> = zone === 'UTC' ? {} : { 'Preference-Applied': `outlook.timezone="${zone}"` };
    return { status: 200, headers, body };
  }

  /**
   * The first round: every instance overlapping the window. Later rounds, per meeting changed
   * since the token: its instances in the window as full rows, and `@removed` for every other
   * instance it had or has (deleted, moved out of the window, or changed outside it — event-delta
   * docs: out-of-window changes come as `@removed`).
   */
  private rows(state: DeltaState): DeltaRow[] {
    const inWindow = (i: MeetingInstance) => overlaps(i, state.from, state.to);
    if (state.fromSeq === 0) {
      return this.store.instancesAt(state.mailbox, state.toSeq).filter(inWindow).map((instance) => ({ instance, removed: false as const }));
    }
    const rows: DeltaRow[] = [];
    for (const meeting of this.store.changedBetween(state.mailbox, state.fromSeq, state.toSeq)) {
      const instances = (at: number) => {
        const v = this.store.versionAt(meeting, at);
        return v ? expandMeeting(meeting, v) : [];
      };
      const after = instances(state.toSeq).filter(inWindow);
      const kept = new Set(after.map((i) => graphEventId(meeting, i.index)));
      for (const i of after) rows.push({ instance: i, removed: false });
      const gone = new Set<string>();
      for (const i of [...instances(state.fromSeq), ...instances(state.toSeq)]) {
        const id = graphEventId(meeting, i.index);
        if (!kept.has(id)) gone.add(id);
      }
      for (const id of gone) rows.push({ id, removed: true });
    }
    return rows;
  }

  /** One instance as Graph's event resource (sparse for a plain occurrence when that quirk is on). */
  private eventRow(i: MeetingInstance, zone: string, inDelta: boolean): Record<string, unknown> {
    const seed = i.seed;
    const id = graphEventId(i.meeting, i.index);
    const etag = `W/"${Buffer.from(digest(`${id}/${i.modifiedAt}`, 24), 'hex').toString('base64')}"`;
    const type = i.kind === 'single' ? 'singleInstance' : i.kind;
    const seriesMasterId = i.kind === 'single' ? null : graphEventId(i.meeting, 'master');
    const eventZone = seed.isAllDay ? (seed.timeZone ?? 'UTC') : zone;
    const head = { '@odata.type': '#microsoft.graph.event', '@odata.etag': etag, id };
    const times = { start: graphDateTime(i.start, eventZone), end: graphDateTime(i.end, eventZone) };
    if (inDelta && this.options.sparseOccurrences && i.kind === 'occurrence') return { ...head, seriesMasterId, type, ...times };
    return {
      ...head,
      ...this.common(i.meeting, seed, i.title, i.cancelled, i.modifiedAt),
      iCalUId: graphICalUId(seed.uid, i.originalStart),
      type,
      seriesMasterId,
      ...(i.originalStart ? { originalStart: i.originalStart.replace(/\.\d{3}Z$/, 'Z') } : {}),
      ...times,
    };
  }

  /** Properties a series master and its instances share. */
  private common(meeting: StoredMeeting, seed: SeedMeeting, title: string, cancelled: boolean, modifiedAt: string): Record<string, unknown> {
    const owner = meeting.mailbox;
    const isOrganizer = seed.organizer.address.toLowerCase() === owner;
    const own = seed.attendees.find((a) => a.address.toLowerCase() === owner);
    const url = seed.onlineMeetingUrl;
    return {
      createdDateTime: meeting.createdAt,
      lastModifiedDateTime: modifiedAt,
      changeKey: digest(`${meeting.key}/${modifiedAt}`, 20),
      // The service prefixes the subject of a cancelled meeting in attendees' calendars.
      subject: cancelled && !isOrganizer ? `Canceled: ${title}` : title,
      bodyPreview: '',
      isAllDay: seed.isAllDay ?? false,
      isCancelled: cancelled,
      isOrganizer,
      sensitivity: sensitivityOf(seed),
      showAs: seed.showAs ?? (cancelled ? 'free' : 'busy'),
      originalStartTimeZone: seed.timeZone ?? 'UTC',
      originalEndTimeZone: seed.timeZone ?? 'UTC',
      responseStatus: isOrganizer
        ? { response: 'organizer', time: NO_TIME }
        : { response: GRAPH_RESPONSE[own?.response ?? 'none'], time: NO_TIME },
      location: { displayName: seed.location ?? '', locationType: 'default', uniqueIdType: 'unknown' },
      locations: seed.location ? [{ displayName: seed.location, locationType: 'default', uniqueIdType: 'unknown' }] : [],
      isOnlineMeeting: Boolean(url),
      onlineMeetingProvider: url ? (url.includes('teams.microsoft.com') ? 'teamsForBusiness' : 'unknown') : 'unknown',
      onlineMeeting: url ? { joinUrl: url } : null,
      organizer: { emailAddress: { name: seed.organizer.name ?? seed.organizer.address, address: seed.organizer.address } },
      attendees: seed.attendees.map((a) => ({
        type: a.type ?? 'required',
        status: { response: GRAPH_RESPONSE[a.response ?? 'none'], time: NO_TIME },
        emailAddress: { name: a.name ?? a.address, address: a.address },
      })),
    };
  }

  /** `GET /users/{id}/events/{id}`: an instance, or a series master (with its recurrence). */
  private getEvent(req: EmulatorRequest, mailbox: string, id: string): EmulatorResponse {
    const zone = preferredZone(req.headers.prefer);
    for (const i of this.store.instancesAt(mailbox)) {
      if (graphEventId(i.meeting, i.index) === id) return { status: 200, body: this.eventRow(i, zone, false) };
      if (i.kind !== 'single' && i.index === 0 && graphEventId(i.meeting, 'master') === id) return { status: 200, body: this.masterRow(i, zone) };
    }
    return graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.', req);
  }

  private masterRow(first: MeetingInstance, zone: string): Record<string, unknown> {
    const seed = first.seed;
    const start = DateTime.fromISO(seed.start, { zone: seed.timeZone ?? 'UTC' });
    const id = graphEventId(first.meeting, 'master');
    return {
      '@odata.type': '#microsoft.graph.event',
      id,
      ...this.common(first.meeting, seed, seed.title, seed.status === 'cancelled', first.modifiedAt),
      iCalUId: graphICalUId(seed.uid),
      type: 'seriesMaster',
      seriesMasterId: null,
      start: graphDateTime(new Date(seed.start).toISOString(), seed.isAllDay ? (seed.timeZone ?? 'UTC') : zone),
      end: graphDateTime(new Date(seed.end).toISOString(), seed.isAllDay ? (seed.timeZone ?? 'UTC') : zone),
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: [start.toFormat('cccc').toLowerCase()], firstDayOfWeek: 'sunday' },
        range: { type: 'numbered', startDate: start.toFormat('yyyy-MM-dd'), numberOfOccurrences: seed.weekly?.count ?? 1, recurrenceTimeZone: seed.timeZone ?? 'UTC' },
      },
    };
  }
}
