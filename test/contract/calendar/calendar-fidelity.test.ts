/**
 * Standing check: what the calendar emulators return fits the vendors' own generated types, read
 * from the installed packages: Graph's `Event` and its parts (`@microsoft/microsoft-graph-types`)
 * and Google's `calendar_v3.Schema$Events`, `Schema$Event` and parts (`@googleapis/calendar`
 * build/v3.d.ts, generated from the Calendar discovery document).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGmailEmulator, type GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import { startGraphEmulator, type GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import { delegatedJwt } from '../../../src/providers/gmail/gmail-tokens.js';
import { misfits, readVendorShapes, type Shape } from '../../helpers/vendor-types.js';
import { ANNA, BEN, calendars } from './calendar-fixture.js';

type Json = Record<string, unknown>;

describe('Graph calendar emulator against the vendor types', () => {
  let emu: GraphEmulator;
  let token: string;
  let shapes: Record<string, Shape>;
  const get = async (path: string, prefer?: string): Promise<Json> => {
    const res = await fetch(`${emu.url}/v1.0${path}`, { headers: { Authorization: `Bearer ${token}`, ...(prefer ? { Prefer: prefer } : {}) } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as Json;
  };
  const eventMisfits = (e: Json): string[] => [
    ...misfits(e, shapes.event!),
    ...misfits(e.start as Json, shapes.dateTime!),
    ...misfits(e.end as Json, shapes.dateTime!),
    ...misfits(e.organizer as Json, shapes.recipient!),
    ...misfits((e.organizer as Json).emailAddress as Json, shapes.emailAddress!),
    ...misfits(e.location as Json, shapes.location!),
    ...misfits(e.responseStatus as Json, shapes.responseStatus!),
    ...(e.onlineMeeting ? misfits(e.onlineMeeting as Json, shapes.onlineMeeting!) : []),
    ...(e.attendees as Json[]).flatMap((a) => [...misfits(a, shapes.attendee!), ...misfits(a.status as Json, shapes.responseStatus!)]),
  ];

  beforeAll(async () => {
    shapes = readVendorShapes('@microsoft/microsoft-graph-types', {
      event: 'Event', dateTime: 'DateTimeTimeZone', recipient: 'Recipient', emailAddress: 'EmailAddress', attendee: 'Attendee',
      responseStatus: 'ResponseStatus', location: 'Location', onlineMeeting: 'OnlineMeetingInfo', recurrence: 'PatternedRecurrence',
    });
    emu = await startGraphEmulator({ calendars: calendars() });
    const form = new URLSearchParams({
      client_id: emu.credentials.clientId, client_secret: emu.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials',
    });
    token = ((await (await fetch(emu.tokenUrl, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
  });
  afterAll(async () => emu.close());

  it('the vendor typings were read', () => {
    expect(shapes.event!.get('isCancelled')).toEqual(new Set(['boolean', 'null']));
    expect(misfits({ id: 1, notAVendorProperty: 'x' }, shapes.event!)).toHaveLength(2);
  });

  it('delta rows, instances and a series master fit Event', async () => {
    const id = emu.store.mailbox(BEN)!.id;
    const page = await get(`/users/${id}/calendarView/delta?startDateTime=2026-11-01T00:00:00Z&endDateTime=2027-01-31T00:00:00Z`, 'outlook.timezone="Europe/Zurich"');
    const rows = page.value as Json[];
    expect(rows.length).toBeGreaterThan(5);
    for (const e of rows) expect(eventMisfits(e)).toEqual([]);
    // Times in the preferred zone, without an offset.
    expect((rows[0]!.start as Json).timeZone).toBe('Europe/Zurich');
    expect((rows[0]!.start as Json).dateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0000000$/);
    const master = await get(`/users/${id}/events/${rows.find((e) => e.seriesMasterId)!.seriesMasterId as string}`);
    expect(master.type).toBe('seriesMaster');
    expect(eventMisfits(master)).toEqual([]);
    expect(misfits(master.recurrence as Json, shapes.recurrence!)).toEqual([]);
  });
});

describe('Google calendar emulator against the vendor types', () => {
  let emu: GmailEmulator;
  let shapes: Record<string, Shape>;
  const list = async (user: string, query: string): Promise<Json> => {
    const token = (await delegatedJwt(emu.serviceAccount, user, emu.url).getAccessToken()).token!;
    const res = await fetch(`${emu.url}/calendar/v3/calendars/primary/events?${query}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Json;
  };
  const eventMisfits = (e: Json): string[] => [
    ...misfits(e, shapes.event!),
    ...(e.start ? misfits(e.start as Json, shapes.dateTime!) : []),
    ...(e.end ? misfits(e.end as Json, shapes.dateTime!) : []),
    ...(e.originalStartTime ? misfits(e.originalStartTime as Json, shapes.dateTime!) : []),
    ...((e.attendees as Json[] | undefined) ?? []).flatMap((a) => misfits(a, shapes.attendee!)),
    ...(e.conferenceData ? misfits(e.conferenceData as Json, shapes.conference!) : []),
    ...(((e.conferenceData as Json | undefined)?.entryPoints as Json[] | undefined) ?? []).flatMap((p) => misfits(p, shapes.entryPoint!)),
  ];

  beforeAll(async () => {
    shapes = readVendorShapes(
      '@googleapis/calendar',
      { events: 'Schema$Events', event: 'Schema$Event', dateTime: 'Schema$EventDateTime', attendee: 'Schema$EventAttendee', conference: 'Schema$ConferenceData', entryPoint: 'Schema$EntryPoint' },
      'build/v3.d.ts',
    );
    emu = await startGmailEmulator({ calendars: calendars() });
  });
  afterAll(async () => emu.close());

  it('the vendor types were read', () => {
    expect(shapes.event!.has('recurringEventId')).toBe(true);
    expect(misfits({ id: 1, notAVendorProperty: 'x' }, shapes.event!)).toHaveLength(2);
  });

  it('lists (instances, series, with deleted) and their events fit Schema$Events and Schema$Event', async () => {
    for (const [user, query] of [[BEN, 'singleEvents=true'], [BEN, 'singleEvents=false'], [ANNA, 'singleEvents=true&showDeleted=true']] as const) {
      const page = await list(user, query);
      expect(misfits(page, shapes.events!)).toEqual([]);
      const items = page.items as Json[];
      expect(items.length).toBeGreaterThan(0);
      for (const e of items) expect(eventMisfits(e)).toEqual([]);
    }
    const series = ((await list(BEN, 'singleEvents=false')).items as Json[]).find((e) => e.recurrence);
    expect(series?.recurrence).toEqual(['RRULE:FREQ=WEEKLY;COUNT=6']);
  });
});
