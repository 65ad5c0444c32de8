/**
 * The seed API of the calendar emulators, the same for Graph and Google: add a meeting to
 * calendars, move, cancel or delete it everywhere it is, and expire the calendar cursors. Tests
 * and the demo call the TypeScript methods; tools outside the process use the control routes:
 *
 * - `POST /__mock/calendar/meetings` `{ calendars: [address], meeting: SeedMeeting }` → `{ keys }`
 * - `POST /__mock/calendar/move` `{ uid, start, end, calendars? }`
 * - `POST /__mock/calendar/cancel` `{ uid, calendars? }`
 * - `POST /__mock/calendar/delete` `{ uid, calendars? }`
 * - `POST /__mock/calendar/expire-cursors` `{ mailbox? }`
 */
import type { EmulatorRequest, EmulatorResponse } from './http-emulator.js';
import type { CalendarStore, SeedMeeting } from './calendar-store.js';

export interface CalendarControl {
  /** Puts the meeting in each calendar (an invitation lands in every attendee's); returns the store keys. */
  addMeeting(calendars: string[], meeting: SeedMeeting): string[];
  /** Moves the meeting (every occurrence, for a series) in every calendar holding it (or those given); returns how many. */
  moveMeeting(uid: string, start: string, end: string, calendars?: string[]): number;
  /** The organizer cancels: the meeting stays, flagged cancelled. */
  cancelMeeting(uid: string, calendars?: string[]): number;
  /** The meeting is deleted from the calendars. */
  deleteMeeting(uid: string, calendars?: string[]): number;
  /** Calendar cursors (delta links, sync tokens) of the mailbox (all when omitted) are refused from now on. */
  expireCalendarCursors(address?: string): void;
}

/** The seed API over a store; `expire` is the service's own cursor expiry. */
export function calendarControl(store: CalendarStore, expire: (address?: string) => void, onAddress?: (address: string) => void): CalendarControl {
  const each = (uid: string, calendars: string[] | undefined, change: (seed: SeedMeeting) => SeedMeeting | null): number => {
    let n = 0;
    for (const address of calendars ?? store.addresses()) if (store.update(address, uid, change)) n += 1;
    return n;
  };
  return {
    addMeeting: (calendars, meeting) =>
      calendars.map((address) => {
        onAddress?.(address);
        return store.addMeeting(address, meeting);
      }),
    moveMeeting: (uid, start, end, calendars) => each(uid, calendars, (seed) => ({ ...seed, start, end })),
    cancelMeeting: (uid, calendars) => each(uid, calendars, (seed) => ({ ...seed, status: 'cancelled' })),
    deleteMeeting: (uid, calendars) => each(uid, calendars, () => null),
    expireCalendarCursors: (address) => expire(address),
  };
}

/** Serves `/__mock/calendar/…`; null when the path is not a calendar control route. */
export function serveCalendarControl(req: EmulatorRequest, control: CalendarControl): EmulatorResponse | null {
  if (!req.path.startsWith('/__mock/calendar/') || req.method !== 'POST') return null;
  const body = (req.body.length > 0 ? req.json<Record<string, unknown>>() : {}) ?? {};
  const calendars = Array.isArray(body.calendars) ? body.calendars.map(String) : undefined;
  const uid = typeof body.uid === 'string' ? body.uid : null;
  switch (req.path) {
    case '/__mock/calendar/meetings': {
      const meeting = body.meeting as SeedMeeting | undefined;
      if (!calendars?.length || !meeting?.uid) return { status: 400, body: { error: 'calendars (addresses) and meeting (with uid) are required' } };
      return { status: 201, body: { keys: control.addMeeting(calendars, meeting) } };
    }
    case '/__mock/calendar/move': {
      if (!uid || typeof body.start !== 'string' || typeof body.end !== 'string') return { status: 400, body: { error: 'uid, start and end are required' } };
      return found(control.moveMeeting(uid, body.start, body.end, calendars));
    }
    case '/__mock/calendar/cancel':
      if (!uid) return { status: 400, body: { error: 'uid is required' } };
      return found(control.cancelMeeting(uid, calendars));
    case '/__mock/calendar/delete':
      if (!uid) return { status: 400, body: { error: 'uid is required' } };
      return found(control.deleteMeeting(uid, calendars));
    case '/__mock/calendar/expire-cursors':
      control.expireCalendarCursors(typeof body.mailbox === 'string' ? body.mailbox : undefined);
      return { status: 204 };
    default:
      return { status: 404, body: { error: `unknown calendar control route ${req.path}` } };
  }
}

function found(n: number): EmulatorResponse {
  return n > 0 ? { status: 200, body: { calendars: n } } : { status: 404, body: { error: 'no calendar holds a meeting with this uid' } };
}
