/**
 * Calendars for the calendar contract tests: three colleagues at acme.example, a QBR in all three
 * calendars, a weekly series with a moved and a cancelled occurrence, a private, a cancelled and
 * an all-day meeting, and one outside the window. Plus helpers to read a whole calendar.
 */
import type { CalendarDescription, SeedMeeting } from '../../../src/emulators/common/calendar-store.js';
import type { CalendarProvider, CalendarWindow, MeetingMeta } from '../../../src/core/meeting.js';

export const ANNA = 'anna@acme.example';
export const BEN = 'ben@acme.example';
export const CARLA = 'carla@acme.example';

export const WINDOW: CalendarWindow = { since: new Date('2026-11-01T00:00:00Z'), until: new Date('2027-01-31T00:00:00Z') };

export const QBR: SeedMeeting = {
  uid: 'qbr-globex-2026@acme.example',
  title: 'Globex QBR',
  organizer: { address: ANNA, name: 'Anna Admin' },
  attendees: [
    { address: ANNA, name: 'Anna Admin', response: 'accepted' },
    { address: BEN, response: 'accepted' },
    { address: CARLA, response: 'tentative', type: 'optional' },
    // Mixed case on purpose: providers lower-case addresses.
    { address: 'Jane.Doe@Globex.example', name: 'Jane Doe', response: 'accepted' },
    { address: 'tom@globex.example', response: 'none' },
    { address: 'room-4@acme.example', type: 'resource', response: 'accepted' },
  ],
  // 15:00 in Zurich is 14:00 UTC.
  start: '2026-12-09T15:00:00+01:00',
  end: '2026-12-09T16:00:00+01:00',
  timeZone: 'Europe/Zurich',
  location: 'Room 4',
  onlineMeetingUrl: 'https://teams.microsoft.com/l/meetup-join/qbr',
};

export const WEEKLY: SeedMeeting = {
  uid: 'weekly-globex-sync@acme.example',
  title: 'Globex weekly sync',
  organizer: { address: BEN },
  attendees: [{ address: BEN, response: 'accepted' }, { address: 'jane.doe@globex.example', response: 'accepted' }],
  // 09:00 in New York (EST) is 14:00 UTC.
  start: '2026-12-01T09:00:00-05:00',
  end: '2026-12-01T09:30:00-05:00',
  timeZone: 'America/New_York',
  weekly: { count: 6 },
  exceptions: [
    { index: 2, start: '2026-12-15T11:00:00-05:00', end: '2026-12-15T11:30:00-05:00' },
    { index: 4, cancelled: true },
  ],
};

export const PRIVATE: SeedMeeting = {
  uid: 'private-doctor@acme.example',
  title: 'Doctor',
  organizer: { address: ANNA },
  attendees: [{ address: ANNA, response: 'accepted' }, { address: 'dr@clinic.example', response: 'accepted' }],
  start: '2026-12-10T08:00:00Z',
  end: '2026-12-10T09:00:00Z',
  sensitivity: 'private',
};

export const CANCELLED: SeedMeeting = {
  uid: 'cancelled-initech@acme.example',
  title: 'Initech intro',
  organizer: { address: 'bob@initech.example' },
  attendees: [{ address: ANNA, response: 'accepted' }, { address: 'bob@initech.example', response: 'accepted' }],
  start: '2026-12-11T10:00:00Z',
  end: '2026-12-11T10:30:00Z',
  status: 'cancelled',
};

export const ALL_DAY: SeedMeeting = {
  uid: 'ooo-anna@acme.example',
  title: 'Out of office',
  organizer: { address: ANNA },
  attendees: [],
  // The 24th in Zurich: midnight there is 23:00 UTC the day before.
  start: '2026-12-24T00:00:00+01:00',
  end: '2026-12-25T00:00:00+01:00',
  timeZone: 'Europe/Zurich',
  isAllDay: true,
  showAs: 'oof',
  eventType: 'outOfOffice',
};

export const LATER: SeedMeeting = {
  uid: 'later@acme.example',
  title: 'Next summer',
  organizer: { address: ANNA },
  attendees: [{ address: 'jane.doe@globex.example' }],
  start: '2027-06-01T10:00:00Z',
  end: '2027-06-01T11:00:00Z',
};

export function calendars(): CalendarDescription[] {
  return [
    { address: ANNA, meetings: [QBR, PRIVATE, CANCELLED, ALL_DAY, LATER] },
    { address: BEN, meetings: [QBR, WEEKLY] },
    { address: CARLA, meetings: [QBR] },
  ];
}

export interface CalendarRead {
  meetings: MeetingMeta[];
  removed: string[];
  cursor: string | null;
  pages: number;
}

/** Every page of one read, from `cursor`. */
export async function readAll(provider: CalendarProvider, mailbox: { id: string; address: string }, cursor: string | null = null): Promise<CalendarRead> {
  const out: CalendarRead = { meetings: [], removed: [], cursor, pages: 0 };
  for await (const page of provider.readCalendar(mailbox, cursor, WINDOW)) {
    out.pages += 1;
    out.meetings.push(...page.meetings);
    out.removed.push(...page.removedIds);
    out.cursor = page.cursor;
  }
  return out;
}

export const byTitle = (meetings: MeetingMeta[], title: string) => meetings.filter((m) => m.title === title);
