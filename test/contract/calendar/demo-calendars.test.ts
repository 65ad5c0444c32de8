/**
 * The demo company's meetings (src/demo/demo-meetings.ts) as both calendar emulators serve them,
 * read through the real providers: the QBR in three calendars is one key, the webinar has more
 * than 50 outside attendees, imported meetings have CRM contacts attending, and the demo's move
 * after the first sync reaches the next round.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyDemoMeetingMoves, demoCalendars, demoMeetingMoves, demoMeetings } from '../../../src/demo/demo-meetings.js';
import { DEMO_COMPANY_DOMAIN, demoDay, demoTenant } from '../../../src/demo/demo-tenant.js';
import { startGmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import { startGraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import type { CalendarControl } from '../../../src/emulators/common/calendar-control.js';
import type { CalendarProvider, CalendarWindow, MeetingMeta } from '../../../src/core/meeting.js';
import { providerFor as graphProvider } from '../graph/graph-harness.js';
import { providerFor as gmailProvider } from '../gmail/gmail-harness.js';

const tenant = demoTenant();
const window: CalendarWindow = { since: demoDay(-90), until: demoDay(30) };

interface Side {
  provider: CalendarProvider & { close(): Promise<void> };
  control: CalendarControl;
  box(address: string): { id: string; address: string };
  close(): Promise<void>;
}

async function graphSide(): Promise<Side> {
  const emu = await startGraphEmulator({ calendars: demoCalendars(tenant) });
  return { provider: graphProvider(emu), control: emu.control, box: (a) => ({ id: emu.store.mailbox(a)!.id, address: a }), close: () => emu.close() };
}

async function gmailSide(): Promise<Side> {
  const emu = await startGmailEmulator({ calendars: demoCalendars(tenant) });
  return { provider: gmailProvider(emu, { calendar: true, calendarRootUrl: `${emu.url}/` }), control: emu.control, box: (a) => ({ id: a, address: a }), close: () => emu.close() };
}

async function read(side: Side, address: string, cursor: string | null = null): Promise<{ meetings: MeetingMeta[]; cursor: string | null }> {
  const meetings: MeetingMeta[] = [];
  let last = cursor;
  for await (const page of side.provider.readCalendar(side.box(address), cursor, window)) {
    meetings.push(...page.meetings);
    last = page.cursor;
  }
  return { meetings, cursor: last };
}

// Graph's iCalUId is Outlook's global object id, not the UID: find meetings by title.
const titleOf = (label: string) => demoMeetings(tenant).find((m) => m.label === label)!.meeting.title;
const contactAddresses = new Set(tenant.snapshot.contacts.flatMap((c) => c.emails.map((e) => e.toLowerCase())));

let side: Side | undefined;
afterEach(async () => {
  await side?.provider.close();
  await side?.close();
  side = undefined;
});

describe.each([
  ['graph', graphSide],
  ['gmail', gmailSide],
] as const)('demo calendars on %s', (_name, start) => {
  it('the QBR sits in three calendars under one key; the webinar has more than 50 outside attendees', async () => {
    side = await start();
    const qbr = [];
    for (const address of demoMeetings(tenant).find((m) => m.label === 'qbr-acme')!.calendars) {
      qbr.push(...(await read(side, address)).meetings.filter((m) => m.title === titleOf('qbr-acme')));
    }
    expect(qbr).toHaveLength(3);
    expect(new Set(qbr.map((m) => m.key)).size).toBe(1);
    const webinar = (await read(side, `emma.li@${DEMO_COMPANY_DOMAIN}`)).meetings.find((m) => m.title === titleOf('webinar'))!;
    expect(webinar.attendees.filter((a) => !a.address.endsWith(`@${DEMO_COMPANY_DOMAIN}`) && !contactAddresses.has(a.address)).length).toBeGreaterThan(50);
  });

  it('every meeting expected to import has a CRM contact attending', () => {
    for (const m of demoMeetings(tenant).filter((x) => x.expect === 'import')) {
      expect(m.meeting.attendees.some((a) => contactAddresses.has(a.address.toLowerCase())), m.label).toBe(true);
    }
  });

  it('the move after the first sync reaches the next round with the same key', async () => {
    side = await start();
    const farid = `farid.haddad@${DEMO_COMPANY_DOMAIN}`;
    const first = await read(side, farid);
    const before = first.meetings.find((m) => m.title === titleOf('moved-stark'))!;
    expect(applyDemoMeetingMoves(side.control, tenant)).toBe(1);
    const second = await read(side, farid, first.cursor);
    expect(second.meetings).toHaveLength(1);
    expect(second.meetings[0]).toMatchObject({ key: before.key, start: new Date(demoMeetingMoves(tenant)[0]!.start).toISOString() });
  });
});
