/**
 * The demo company's meetings (issue 15): what the calendar emulators serve in the sellers'
 * calendars, each labelled with what the meeting pipeline must do with it, written from the
 * rules by hand (like the demo's emails). Dates are relative to the demo's clock.
 *
 * - a customer QBR with Acme contacts, in three sellers' calendars (one activity);
 * - an internal-only pipeline review; a private lunch; a cancelled intro;
 * - a weekly Globex series with one occurrence moved (an exception);
 * - a webinar with more than 50 attendees from outside the CRM;
 * - a prospect nobody in the CRM knows; a Stark meeting moved after the first sync.
 */
import type { CalendarControl } from '../emulators/common/calendar-control.js';
import type { CalendarDescription, SeedMeeting } from '../emulators/common/calendar-store.js';
import { DEMO_COMPANY_DOMAIN, demoDay, type DemoTenant } from './demo-tenant.js';

/** What must happen to a meeting: imported, or skipped for a reason (the names core's qualify uses). */
export type MeetingExpectation = 'import' | 'internal-only' | 'private' | 'cancelled' | 'automated' | 'no-crm-match';

export interface DemoMeeting {
  label: string;
  expect: MeetingExpectation;
  why: string;
  /** Every calendar holding it (an invitation lands in each attendee's). */
  calendars: string[];
  meeting: SeedMeeting;
  /** For a weekly series: occurrences expected as activities (each its own). */
  occurrences?: number;
}

/** A change the demo applies after the first sync. */
export interface DemoMeetingMove {
  label: string;
  uid: string;
  start: string;
  end: string;
}

const at = (local: string) => `${local}@${DEMO_COMPANY_DOMAIN}`;
const ALICE = at('alice.nguyen');
const BEN = at('ben.okafor');
const CARLA = at('carla.mendes');
const DAN = at('dan.schmidt');
const EMMA = at('emma.li');
const FARID = at('farid.haddad');
const GRACE = at('grace.kim');
const iso = (days: number, hour: number, minute = 0) => demoDay(days, hour, minute).toISOString();
const uid = (label: string) => `${label}@demo.${DEMO_COMPANY_DOMAIN}`;

/** More attendees from outside the CRM than the webinar threshold (50 by default). */
const WEBINAR_GUESTS = 60;

export function demoMeetings(tenant: DemoTenant): DemoMeeting[] {
  void tenant;
  return [
    {
      label: 'qbr-acme',
      expect: 'import',
      why: 'Acme contacts attend; the same meeting sits in three sellers\' calendars: one activity',
      calendars: [ALICE, BEN, CARLA],
      meeting: {
        uid: uid('qbr-acme'),
        title: 'Acme Robotics — Quarterly Business Review',
        organizer: { address: ALICE, name: 'Alice Nguyen' },
        attendees: [
          { address: ALICE, name: 'Alice Nguyen', response: 'accepted' },
          { address: BEN, name: 'Ben Okafor', response: 'accepted' },
          { address: CARLA, name: 'Carla Mendes', response: 'tentative', type: 'optional' },
          { address: 'jane.doe@acme-robotics.com', name: 'Jane Doe', response: 'accepted' },
          { address: 'raj.patel@acme-robotics.com', name: 'Raj Patel', response: 'none' },
        ],
        start: iso(-10, 14),
        end: iso(-10, 15),
        timeZone: 'Europe/Berlin',
        location: 'Acme HQ, Munich',
        onlineMeetingUrl: 'https://teams.microsoft.com/l/meetup-join/demo-qbr-acme',
      },
    },
    {
      label: 'internal-pipeline-review',
      expect: 'internal-only',
      why: 'only Harbor Labs people attend',
      calendars: [ALICE, BEN, DAN],
      meeting: {
        uid: uid('internal-pipeline-review'),
        title: 'Pipeline review',
        organizer: { address: DAN },
        attendees: [{ address: ALICE, response: 'accepted' }, { address: BEN, response: 'accepted' }, { address: DAN, response: 'accepted' }],
        start: iso(-3, 9),
        end: iso(-3, 10),
      },
    },
    {
      label: 'private-lunch',
      expect: 'private',
      why: 'marked private: never copied to the CRM, even with a contact attending',
      calendars: [FARID],
      meeting: {
        uid: uid('private-lunch'),
        title: 'Lunch',
        organizer: { address: FARID },
        attendees: [{ address: FARID, response: 'accepted' }, { address: 'pepper.potts@starkfreight.com', response: 'accepted' }],
        start: iso(-5, 12),
        end: iso(-5, 13),
        sensitivity: 'private',
      },
    },
    {
      label: 'cancelled-initech',
      expect: 'cancelled',
      why: 'the customer cancelled it',
      calendars: [CARLA],
      meeting: {
        uid: uid('cancelled-initech'),
        title: 'Initech — platform deep dive',
        organizer: { address: 'bill.lumbergh@initech.com', name: 'Bill Lumbergh' },
        attendees: [{ address: CARLA, response: 'accepted' }, { address: 'bill.lumbergh@initech.com', response: 'accepted' }],
        start: iso(4, 15),
        end: iso(4, 16),
        status: 'cancelled',
      },
    },
    {
      label: 'weekly-globex',
      expect: 'import',
      why: 'a weekly series with a Globex contact: each occurrence in the window is its own activity, the moved one at its new time',
      calendars: [BEN],
      occurrences: 6,
      meeting: {
        uid: uid('weekly-globex'),
        title: 'Globex — weekly rollout sync',
        organizer: { address: BEN, name: 'Ben Okafor' },
        attendees: [{ address: BEN, response: 'accepted' }, { address: 'hank@globex.co.uk', name: 'Hank Scorpio', response: 'accepted' }],
        start: iso(-14, 8),
        end: iso(-14, 8, 30),
        timeZone: 'Europe/London',
        weekly: { count: 6 },
        // The fourth occurrence moved two hours later.
        exceptions: [{ index: 3, start: iso(7, 10), end: iso(7, 10, 30) }],
        onlineMeetingUrl: 'https://meet.google.com/dem-oglo-bex',
      },
    },
    {
      label: 'webinar',
      expect: 'automated',
      why: `${WEBINAR_GUESTS} attendees from outside the CRM: a webinar, not a meeting with a contact`,
      calendars: [EMMA],
      meeting: {
        uid: uid('webinar'),
        title: 'Harbor Labs product webinar — spring release',
        organizer: { address: EMMA, name: 'Emma Li' },
        attendees: [
          { address: EMMA, response: 'accepted' },
          { address: 'art@vandelay.com', response: 'accepted' },
          ...Array.from({ length: WEBINAR_GUESTS }, (_, i) => ({ address: `guest${i + 1}@webinar-guest-${(i % 12) + 1}.example`, response: 'none' as const })),
        ],
        start: iso(-2, 16),
        end: iso(-2, 17),
        onlineMeetingUrl: 'https://teams.microsoft.com/l/meetup-join/demo-webinar',
      },
    },
    {
      label: 'unknown-prospect',
      expect: 'no-crm-match',
      why: 'an outside attendee nobody in the CRM knows',
      calendars: [GRACE],
      meeting: {
        uid: uid('unknown-prospect'),
        title: 'Intro call',
        organizer: { address: GRACE },
        attendees: [{ address: GRACE, response: 'accepted' }, { address: 'sam@unknown-prospect.example', response: 'accepted' }],
        start: iso(-1, 11),
        end: iso(-1, 11, 30),
      },
    },
    {
      label: 'moved-stark',
      expect: 'import',
      why: 'Stark contacts attend; moved after the first sync: its activity is updated, not duplicated',
      calendars: [FARID],
      meeting: {
        uid: uid('moved-stark'),
        title: 'Stark Freight — rollout planning',
        organizer: { address: FARID, name: 'Farid Haddad' },
        attendees: [
          { address: FARID, response: 'accepted' },
          { address: 'pepper.potts@starkfreight.com', name: 'Pepper Potts', response: 'accepted' },
          { address: 'happy.hogan@starkfreight.com', name: 'Happy Hogan', response: 'tentative' },
        ],
        start: iso(5, 14),
        end: iso(5, 15),
        location: 'Stark Freight, Long Beach',
      },
    },
  ];
}

/** The demo's changes between the first sync and the next: the Stark meeting moves two days later. */
export function demoMeetingMoves(tenant: DemoTenant): DemoMeetingMove[] {
  void tenant;
  return [{ label: 'moved-stark', uid: uid('moved-stark'), start: iso(7, 16), end: iso(7, 17) }];
}

/** Every seller's calendar with the meetings it holds (empty calendars included). */
export function demoCalendars(tenant: DemoTenant): CalendarDescription[] {
  const meetings = demoMeetings(tenant);
  return tenant.mailboxAddresses.map((address) => ({
    address,
    meetings: meetings.filter((m) => m.calendars.includes(address)).map((m) => m.meeting),
  }));
}

/** Applies the demo's moves through an emulator's seed API; returns how many calendars changed. */
export function applyDemoMeetingMoves(control: CalendarControl, tenant: DemoTenant): number {
  return demoMeetingMoves(tenant).reduce((n, move) => n + control.moveMeeting(move.uid, move.start, move.end), 0);
}
