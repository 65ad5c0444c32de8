/**
 * An exported calendar (.ics, RFC 5545) as meeting metadata, for `classify --calendar`. Parsing,
 * recurrence rules, EXDATE and RECURRENCE-ID exceptions are ical.js's; this file maps what it
 * reads onto `MeetingMeta`, one per occurrence in the window:
 * - ATTENDEE PARTSTAT → response, ROLE=OPT-/NON-PARTICIPANT → optional, CUTYPE=ROOM/RESOURCE →
 *   resource; ORGANIZER; STATUS:CANCELLED (or a METHOD:CANCEL file) → cancelled;
 * - CLASS:PRIVATE/CONFIDENTIAL → private; X-MICROSOFT-CDO-BUSYSTATUS (Outlook) or TRANSP → showAs;
 * - times: a zone the file defines (VTIMEZONE) or an IANA TZID; a floating time is read as UTC.
 *   All-day dates start at midnight UTC.
 */
import ICAL from 'ical.js';
import { meetingKey, type MeetingAttendee, type MeetingMeta, type MeetingResponse, type MeetingShowAs } from '../core/meeting.js';

type Component = InstanceType<typeof ICAL.Component>;
type Time = InstanceType<typeof ICAL.Time>;
type IcalEvent = InstanceType<typeof ICAL.Event>;

/** Occurrences read from one series at most (an endless rule stops at the window's end first). */
const MAX_OCCURRENCES = 1000;

export class UnparseableCalendarError extends Error {
  override name = 'UnparseableCalendarError';
}

export interface IcsWindow {
  /** Occurrences ending before this are left out (none when absent). */
  since?: Date;
  /** Occurrences starting after this are left out; an endless series stops here. */
  until: Date;
}

/** Offset (ms) of an IANA zone from UTC at an instant. */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const v = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second')) - instant;
}

function isIanaZone(tzid: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tzid });
    return true;
  } catch {
    return false;
  }
}

/** The instant of a time: its own zone when ical.js knows it, else the TZID as an IANA zone, else UTC. */
function instantOf(time: Time, tzid: string | null): string {
  if (time.isDate) return new Date(Date.UTC(time.year, time.month - 1, time.day)).toISOString();
  const floating = time.zone === ICAL.Timezone.localTimezone || !time.zone;
  if (!floating) return time.toJSDate().toISOString();
  const wall = Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
  if (!tzid || !isIanaZone(tzid)) return new Date(wall).toISOString();
  // Wall time to instant: the offset at the first guess, checked again across a DST change.
  let instant = wall - zoneOffset(wall, tzid);
  instant = wall - zoneOffset(instant, tzid);
  return new Date(instant).toISOString();
}

const text = (c: Component, name: string): string | undefined => {
  const v = c.getFirstPropertyValue(name);
  return v === null || v === undefined ? undefined : String(v).trim() || undefined;
};

const mailto = (value: unknown): string => String(value ?? '').replace(/^mailto:/i, '').trim().toLowerCase();

function responseOf(partstat: string | undefined): MeetingResponse {
  switch ((partstat ?? '').toUpperCase()) {
    case 'ACCEPTED':
      return 'accepted';
    case 'DECLINED':
      return 'declined';
    case 'TENTATIVE':
      return 'tentative';
    default:
      return 'none';
  }
}

function attendeesOf(c: Component): MeetingAttendee[] {
  return c.getAllProperties('attendee').flatMap((p): MeetingAttendee[] => {
    const address = mailto(p.getFirstValue());
    if (!address.includes('@')) return [];
    const param = (n: string) => {
      const v = p.getParameter(n);
      return typeof v === 'string' ? v : undefined;
    };
    const cutype = (param('cutype') ?? '').toUpperCase();
    const role = (param('role') ?? '').toUpperCase();
    const type = cutype === 'ROOM' || cutype === 'RESOURCE' ? 'resource' : role === 'OPT-PARTICIPANT' || role === 'NON-PARTICIPANT' ? 'optional' : 'required';
    const name = param('cn');
    return [{ address, ...(name ? { name } : {}), response: responseOf(param('partstat')), type }];
  });
}

const BUSY_STATUS: Record<string, MeetingShowAs> = { FREE: 'free', TENTATIVE: 'tentative', BUSY: 'busy', OOF: 'oof', WORKINGELSEWHERE: 'workingElsewhere' };

function showAsOf(c: Component): MeetingShowAs {
  const outlook = text(c, 'x-microsoft-cdo-busystatus')?.toUpperCase();
  if (outlook && BUSY_STATUS[outlook]) return BUSY_STATUS[outlook];
  return text(c, 'transp')?.toUpperCase() === 'TRANSPARENT' ? 'free' : 'busy';
}

function tzidOf(c: Component, prop: string): string | null {
  const v = c.getFirstProperty(prop)?.getParameter('tzid');
  return typeof v === 'string' ? v : null;
}

function onlineUrlOf(c: Component): string | undefined {
  return text(c, 'x-microsoft-skypeteamsmeetingurl') ?? text(c, 'x-google-conference') ?? text(c, 'url');
}

/** One occurrence (or a single event) as meeting metadata. */
function toMeta(
  item: IcalEvent,
  start: Time,
  end: Time,
  source: { file: string; uid: string; cancelledFile: boolean; occurrenceStart?: string },
): MeetingMeta {
  const c = item.component;
  const organizer = mailto(c.getFirstPropertyValue('organizer'));
  const organizerName = c.getFirstProperty('organizer')?.getParameter('cn');
  const cls = text(c, 'class')?.toUpperCase();
  const lastModified = c.getFirstPropertyValue('last-modified');
  const startTz = tzidOf(c, 'dtstart');
  const startIso = instantOf(start, startTz);
  const timeZone = startTz ?? undefined;
  const location = text(c, 'location');
  const online = onlineUrlOf(c);
  return {
    id: `${source.file}#${source.uid}${source.occurrenceStart ? `#${source.occurrenceStart}` : ''}`,
    mailbox: source.file,
    iCalUId: source.uid,
    key: meetingKey(source.uid, source.occurrenceStart),
    title: item.summary ?? '',
    organizer: { address: organizer, ...(typeof organizerName === 'string' ? { name: organizerName } : {}) },
    attendees: attendeesOf(c),
    start: startIso,
    end: instantOf(end, tzidOf(c, 'dtend') ?? startTz),
    ...(timeZone ? { timeZone } : {}),
    ...(location ? { location } : {}),
    ...(online ? { onlineMeetingUrl: online } : {}),
    isCancelled: source.cancelledFile || text(c, 'status')?.toUpperCase() === 'CANCELLED',
    isPrivate: cls === 'PRIVATE' || cls === 'CONFIDENTIAL',
    isAllDay: start.isDate,
    showAs: showAsOf(c),
    ...(source.occurrenceStart ? { seriesMasterId: source.uid, occurrenceStart: source.occurrenceStart } : {}),
    ...(lastModified instanceof ICAL.Time ? { lastModified: lastModified.toJSDate().toISOString() } : {}),
  };
}

function inWindow(meta: MeetingMeta, window: IcsWindow): boolean {
  if (window.since && Date.parse(meta.end) < window.since.getTime()) return false;
  return Date.parse(meta.start) <= window.until.getTime();
}

/**
 * Every event of an .ics text as meetings, occurrences of a series expanded (each its own key),
 * within the window. Throws UnparseableCalendarError naming the file when it is not iCalendar.
 */
export function parseIcs(ics: string, file: string, window: IcsWindow): MeetingMeta[] {
  let root: Component;
  try {
    root = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  } catch (err) {
    throw new UnparseableCalendarError(`${file}: not an iCalendar file (${(err as Error).message})`);
  }
  if (root.name !== 'vcalendar') throw new UnparseableCalendarError(`${file}: not an iCalendar file (found ${root.name.toUpperCase()}, expected VCALENDAR)`);
  for (const vtz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  const cancelledFile = text(root, 'method')?.toUpperCase() === 'CANCEL';

  // Masters (and single events) by UID; RECURRENCE-ID components are exceptions of their series.
  const masters = new Map<string, Component>();
  const exceptions = new Map<string, Component[]>();
  for (const vevent of root.getAllSubcomponents('vevent')) {
    const uid = text(vevent, 'uid');
    if (!uid) continue;
    if (vevent.hasProperty('recurrence-id')) exceptions.set(uid, [...(exceptions.get(uid) ?? []), vevent]);
    else masters.set(uid, vevent);
  }

  const out: MeetingMeta[] = [];
  for (const [uid, master] of masters) {
    const event = new ICAL.Event(master, { exceptions: exceptions.get(uid) ?? [] });
    if (!event.isRecurring()) {
      const meta = toMeta(event, event.startDate, event.endDate, { file, uid, cancelledFile });
      if (inWindow(meta, window)) out.push(meta);
      continue;
    }
    const masterTz = tzidOf(master, 'dtstart');
    const it = event.iterator();
    for (let n = 0, next = it.next(); next && n < MAX_OCCURRENCES; n++, next = it.next()) {
      const details = event.getOccurrenceDetails(next);
      const occurrenceStart = instantOf(details.recurrenceId, masterTz);
      if (Date.parse(occurrenceStart) > window.until.getTime() && Date.parse(instantOf(details.startDate, masterTz)) > window.until.getTime()) break;
      const meta = toMeta(details.item, details.startDate, details.endDate, { file, uid, cancelledFile, occurrenceStart });
      if (inWindow(meta, window)) out.push(meta);
    }
  }
  // An exception whose series is not in the file (an update sent alone) is a meeting of its own.
  for (const [uid, list] of exceptions) {
    if (masters.has(uid)) continue;
    for (const c of list) {
      const event = new ICAL.Event(c);
      const occurrenceStart = instantOf(event.recurrenceId, tzidOf(c, 'recurrence-id'));
      const meta = toMeta(event, event.startDate, event.endDate, { file, uid, cancelledFile, occurrenceStart });
      if (inWindow(meta, window)) out.push(meta);
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start) || a.key.localeCompare(b.key));
}
