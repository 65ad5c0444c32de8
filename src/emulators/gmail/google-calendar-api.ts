/**
 * Google Calendar API v3 `events.list` over the calendar store, served by the Google emulator at
 * `/calendar/v3/calendars/{calendarId}/events` (googleapis' calendar client uses the root
 * `https://www.googleapis.com/`): full sync with `timeMin`/`timeMax` (exclusive bounds on end and
 * start), `singleEvents`, `showDeleted`, `maxResults` and opaque `pageToken`s, `nextSyncToken` on
 * the last page only, incremental rounds with `syncToken` (deletions always returned, out-of-window
 * changes included), and 410 `fullSyncRequired` once a token is invalidated. Behaviour from
 * API_NOTES §9 (`@googleapis/calendar@16` v3.ts, the sync and errors guides).
 */
import { DateTime } from 'luxon';
import type { EmulatorRequest, EmulatorResponse } from '../common/http-emulator.js';
import { digest } from '../common/mail-store.js';
import { PageTokens } from '../common/page-tokens.js';
import { expandMeeting, overlaps, type CalendarStore, type MeetingInstance, type SeedResponse } from '../common/calendar-store.js';
import { gmailError } from './gmail-errors.js';

const EVENTS = /^\/calendar\/v3\/calendars\/([^/]+)\/events\/?$/;

/** `calendar.events.list` for a calendar path, or null. */
export function googleCalendarRoute(path: string): { kind: 'calendar.events.list'; calendarId: string } | null {
  const m = EVENTS.exec(path);
  return m ? { kind: 'calendar.events.list', calendarId: decodeURIComponent(m[1]!) } : null;
}

interface ListState {
  user: string;
  singleEvents: boolean;
  showDeleted: boolean;
  timeMin: string | null;
  timeMax: string | null;
  /** 0 on a full sync; the sync token's sequence on an incremental round. */
  fromSeq: number;
  toSeq: number;
  offset: number;
  max: number;
  zone: string | null;
  epoch: number;
}

/** `minimal`: a deletion, only the id (and series, original start) as the sync guide promises. */
interface Row {
  instance: MeetingInstance;
  minimal: boolean;
}

const RESPONSE: Record<SeedResponse, string> = { accepted: 'accepted', declined: 'declined', tentative: 'tentative', none: 'needsAction' };
/** Parameters a `syncToken` request may not carry (v3.ts `Params$Resource$Events$List.syncToken`). */
const NOT_WITH_SYNC_TOKEN = ['iCalUID', 'orderBy', 'privateExtendedProperty', 'q', 'sharedExtendedProperty', 'timeMin', 'timeMax', 'updatedMin'];

/** Event ids are base32hex (a–v, 0–9); an instance's id is its series' id and its original start. */
export const googleEventId = (uid: string): string => digest(`google-event/${uid}`, 26);

function instanceId(i: MeetingInstance): string {
  const base = googleEventId(i.seed.uid);
  if (!i.originalStart) return base;
  const at = DateTime.fromISO(i.originalStart, { zone: 'utc' });
  return `${base}_${i.seed.isAllDay ? at.toFormat('yyyyMMdd') : at.toFormat("yyyyMMdd'T'HHmmss'Z'")}`;
}

function fullSyncRequired(): EmulatorResponse {
  const message = 'Sync token is no longer valid, a full sync is required.';
  return {
    status: 410,
    body: {
      error: {
        errors: [{ domain: 'calendar', reason: 'fullSyncRequired', message, locationType: 'parameter', location: 'syncToken' }],
        code: 410,
        message,
      },
    },
  };
}

function invalid(message: string, location: string): EmulatorResponse {
  return { status: 400, body: { error: { errors: [{ domain: 'global', reason: 'invalid', message, locationType: 'parameter', location }], code: 400, message } } };
}

export class GoogleCalendarApi {
  private readonly pageTokens = new PageTokens<ListState>('');
  private readonly syncTokens = new PageTokens<ListState>('C');
  private readonly epochs = new Map<string, number>();

  constructor(
    private readonly store: CalendarStore,
    /** The calendars' own zone (all-day dates are days in it). */
    private readonly calendarZone = 'UTC',
  ) {}

  /** Sync tokens of a calendar (all when omitted) answer 410 from now on. */
  expire(address?: string): void {
    for (const a of address ? [address.toLowerCase()] : this.store.addresses()) this.epochs.set(a, (this.epochs.get(a) ?? 0) + 1);
  }

  serve(req: EmulatorRequest, calendarId: string, user: string): EmulatorResponse {
    const owner = calendarId === 'primary' ? user : calendarId.toLowerCase();
    if (owner !== user) return gmailError(404, 'Not Found', 'notFound');
    const q = req.query;
    const epoch = this.epochs.get(user) ?? 0;
    let state: ListState;
    const pageToken = q.get('pageToken');
    const syncToken = q.get('syncToken');
    if (pageToken) {
      const found = this.pageTokens.resolve(pageToken);
      if (!found || found.user !== user) return invalid('Invalid page token value.', 'pageToken');
      if (found.epoch !== epoch) return fullSyncRequired();
      state = found;
    } else {
      const bool = (name: string) => q.get(name) === 'true';
      const max = q.has('maxResults') ? Number(q.get('maxResults')) : 250;
      if (!Number.isInteger(max) || max < 1) return invalid(`Invalid value '${q.get('maxResults')}'. Values must be within the range: [1, 2500]`, 'maxResults');
      const zone = q.get('timeZone');
      const base = {
        user, singleEvents: bool('singleEvents'), offset: 0, max: Math.min(max, 2500), zone, epoch,
      };
      if (syncToken) {
        const forbidden = NOT_WITH_SYNC_TOKEN.find((p) => q.has(p));
        if (forbidden) return invalid(`Parameter ${forbidden} cannot be used together with syncToken.`, forbidden);
        if (q.get('showDeleted') === 'false') return invalid('showDeleted=false is not allowed with syncToken.', 'showDeleted');
        const found = this.syncTokens.resolve(syncToken);
        if (!found || found.user !== user || found.epoch !== epoch) return fullSyncRequired();
        state = { ...base, showDeleted: true, timeMin: null, timeMax: null, fromSeq: found.toSeq, toSeq: this.store.sequence };
      } else {
        const timeMin = q.get('timeMin');
        const timeMax = q.get('timeMax');
        // RFC 3339 with a mandatory offset.
        for (const [name, value] of [['timeMin', timeMin], ['timeMax', timeMax]] as const) {
          if (value !== null && (!/(Z|[+-]\d\d:\d\d)$/i.test(value) || Number.isNaN(Date.parse(value)))) return invalid('Bad Request', name);
        }
        state = {
          ...base, showDeleted: bool('showDeleted'), timeMin: timeMin && new Date(timeMin).toISOString(),
          timeMax: timeMax && new Date(timeMax).toISOString(), fromSeq: 0, toSeq: this.store.sequence,
        };
      }
    }
    const rows = this.rows(state);
    const items = rows.slice(state.offset, state.offset + state.max).map((r) => (r.minimal ? this.minimalRow(r.instance) : this.eventRow(r.instance, state.zone, !state.singleEvents)));
    const body: Record<string, unknown> = {
      kind: 'calendar#events',
      etag: `"${digest(`${user}/${state.toSeq}`, 16)}"`,
      summary: user,
      description: '',
      updated: new Date().toISOString(),
      timeZone: this.calendarZone,
      accessRole: 'owner',
      defaultReminders: [{ method: 'popup', minutes: 10 }],
      items,
    };
    if (state.offset + state.max < rows.length) body.nextPageToken = this.pageTokens.issue({ ...state, offset: state.offset + state.max });
    else body.nextSyncToken = this.syncTokens.issue({ ...state, offset: 0 });
    return { status: 200, body };
  }

  /**
   * Full sync: instances whose end is after `timeMin` and start before `timeMax` (both exclusive),
   * cancelled ones only with `showDeleted`. Incremental: every instance of each meeting changed
   * since the token, wherever it lies (no window with a syncToken), and the instances it no
   * longer has as bare `cancelled` items.
   */
  private rows(state: ListState): Row[] {
    if (state.fromSeq === 0) {
      const from = state.timeMin ?? '0000-01-01T00:00:00.000Z';
      const to = state.timeMax ?? '9999-12-31T00:00:00.000Z';
      return this.visible(this.store.instancesAt(state.user, state.toSeq), state.singleEvents)
        .filter((i) => overlaps(i, from, to) && (state.showDeleted || !i.cancelled))
        .sort((a, b) => a.start.localeCompare(b.start))
        .map((instance) => ({ instance, minimal: false }));
    }
    const rows: Row[] = [];
    for (const meeting of this.store.changedBetween(state.user, state.fromSeq, state.toSeq)) {
      const at = (seq: number) => {
        const v = this.store.versionAt(meeting, seq);
        return v ? this.visible(expandMeeting(meeting, v), state.singleEvents) : [];
      };
      const after = at(state.toSeq);
      const ids = new Set(after.map(instanceId));
      for (const i of after) rows.push({ instance: i, minimal: i.cancelled && i.kind === 'exception' && i.seed.status !== 'cancelled' });
      for (const i of at(state.fromSeq)) if (!ids.has(instanceId(i))) rows.push({ instance: i, minimal: true });
    }
    return rows;
  }

  /** With `singleEvents=false` a series comes as its master (first occurrence's data) plus its exceptions. */
  private visible(instances: MeetingInstance[], singleEvents: boolean): MeetingInstance[] {
    if (singleEvents) return instances;
    return instances.filter((i) => i.kind !== 'occurrence' || i.index === 0);
  }

  private zoned(instant: string, zone: string, allDay: boolean): Record<string, string> {
    if (allDay) return { date: DateTime.fromISO(instant, { zone: 'utc' }).setZone(this.calendarZone).toFormat('yyyy-MM-dd') };
    const local = DateTime.fromISO(instant, { zone: 'utc' }).setZone(zone);
    return { dateTime: local.toISO({ suppressMilliseconds: true })!, timeZone: zone };
  }

  /** A cancelled item as incremental sync returns deletions: the id (and, for an instance, its series and original start). */
  private minimalRow(i: MeetingInstance): Record<string, unknown> {
    const row: Record<string, unknown> = { kind: 'calendar#event', etag: `"${digest(`${instanceId(i)}/gone`, 16)}"`, id: instanceId(i), status: 'cancelled' };
    if (i.originalStart) {
      row.recurringEventId = googleEventId(i.seed.uid);
      row.originalStartTime = this.zoned(i.originalStart, i.seed.timeZone ?? 'UTC', i.seed.isAllDay ?? false);
    }
    return row;
  }

  /** One instance as an event resource; `seriesView` (singleEvents=false) shows a plain occurrence as its series. */
  private eventRow(i: MeetingInstance, requestedZone: string | null, seriesView: boolean): Record<string, unknown> {
    const seed = i.seed;
    const owner = i.meeting.mailbox;
    const zone = requestedZone ?? seed.timeZone ?? this.calendarZone;
    const allDay = seed.isAllDay ?? false;
    const url = seed.onlineMeetingUrl;
    const meet = url?.startsWith('https://meet.google.com/');
    const visibility = seed.sensitivity === 'private' || seed.sensitivity === 'personal' ? 'private' : seed.sensitivity === 'confidential' ? 'confidential' : undefined;
    const row: Record<string, unknown> = {
      kind: 'calendar#event',
      etag: `"${BigInt(`0x${digest(`${instanceId(i)}/${i.modifiedAt}`, 13)}`).toString()}"`,
      id: instanceId(i),
      status: i.cancelled ? 'cancelled' : seed.status === 'tentative' ? 'tentative' : 'confirmed',
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${instanceId(i)} ${owner}`).toString('base64url')}`,
      created: i.meeting.createdAt,
      updated: i.modifiedAt.replace(/Z$/, '.000Z'),
      summary: i.title,
      ...(seed.location ? { location: seed.location } : {}),
      creator: { email: seed.organizer.address, ...(seed.organizer.address.toLowerCase() === owner ? { self: true } : {}) },
      organizer: {
        email: seed.organizer.address,
        ...(seed.organizer.name ? { displayName: seed.organizer.name } : {}),
        ...(seed.organizer.address.toLowerCase() === owner ? { self: true } : {}),
      },
      start: this.zoned(i.start, zone, allDay),
      end: this.zoned(i.end, zone, allDay),
      ...(seed.showAs === 'free' ? { transparency: 'transparent' } : {}),
      ...(visibility ? { visibility } : {}),
      iCalUID: seed.uid,
      sequence: i.meeting.versions.length - 1,
      attendees: seed.attendees.map((a) => ({
        email: a.address,
        ...(a.name ? { displayName: a.name } : {}),
        ...(a.address.toLowerCase() === seed.organizer.address.toLowerCase() ? { organizer: true } : {}),
        ...(a.address.toLowerCase() === owner ? { self: true } : {}),
        ...(a.type === 'optional' ? { optional: true } : {}),
        ...(a.type === 'resource' ? { resource: true } : {}),
        responseStatus: RESPONSE[a.response ?? 'none'],
      })),
      ...(meet ? { hangoutLink: url } : {}),
      ...(url
        ? {
            conferenceData: {
              conferenceId: url.split('/').pop(),
              entryPoints: [{ entryPointType: 'video', uri: url, label: url.replace(/^https:\/\//, '') }],
              conferenceSolution: meet ? { key: { type: 'hangoutsMeet' }, name: 'Google Meet' } : { key: { type: 'addOn' }, name: 'Video call' },
            },
          }
        : {}),
      reminders: { useDefault: true },
      eventType: seed.eventType ?? 'default',
    };
    if (seriesView && i.kind === 'occurrence' && seed.weekly) {
      // singleEvents=false: the series itself, with its rule.
      row.id = googleEventId(seed.uid);
      row.recurrence = [`RRULE:FREQ=WEEKLY;COUNT=${seed.weekly.count}`];
    } else if (i.originalStart) {
      row.recurringEventId = googleEventId(seed.uid);
      row.originalStartTime = this.zoned(i.originalStart, zone, allDay);
    }
    return row;
  }
}
