/**
 * The Google calendar provider through the real `@googleapis/calendar` client against the Google
 * emulator's `events.list`. Service behaviour (API_NOTES §9): `@googleapis/calendar@16` v3.ts
 * (`Params$Resource$Events$List`: singleEvents, timeMin/timeMax exclusive bounds, syncToken
 * restrictions, nextSyncToken on the last page; `Schema$Event`: instance ids, shared iCalUID,
 * recurringEventId/originalStartTime, visibility, transparency, attendees), the Calendar sync
 * guide (410 on an invalidated token, wipe and full sync) and errors guide (`fullSyncRequired`
 * body, 403/429 `rateLimitExceeded`), developers.google.com/workspace/calendar/api/guides.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startGmailEmulator, type GmailEmulator, type GmailEmulatorOptions } from '../../../src/emulators/gmail/gmail-emulator.js';
import type { GmailProvider } from '../../../src/providers/gmail/gmail-provider.js';
import { providerFor } from '../gmail/gmail-harness.js';
import { ANNA, BEN, CARLA, QBR, WEEKLY, byTitle, calendars, readAll } from './calendar-fixture.js';

let emu: GmailEmulator;
let provider: GmailProvider;

async function start(opts: GmailEmulatorOptions = {}, pageSize = 3): Promise<void> {
  emu = await startGmailEmulator({ calendars: calendars(), ...opts });
  provider = providerFor(emu, { calendar: true, calendarRootUrl: `${emu.url}/`, calendarPageSize: pageSize });
}

const box = (address: string) => ({ id: address, address });

afterEach(async () => {
  await provider?.close();
  await emu?.close();
});

describe('Google calendar: full sync of the window', () => {
  it('pages with pageToken up to nextSyncToken; cancelled and out-of-window events left out', async () => {
    await start();
    const anna = await readAll(provider, box(ANNA));
    // showDeleted is false on a full sync: the cancelled intro is not listed; June is past timeMax.
    expect(anna.meetings.map((m) => m.title).sort()).toEqual(['Doctor', 'Globex QBR', 'Out of office']);
    expect(anna.pages).toBe(1);
    const ben = await readAll(provider, box(BEN));
    // QBR + five live occurrences (the cancelled one is not listed) at 3 a page.
    expect(ben.meetings).toHaveLength(6);
    expect(ben.pages).toBe(2);
    expect(JSON.parse(ben.cursor!)).toHaveProperty('syncToken');
    expect(emu.emulator.counters.get('calendar.events.list')).toBe(3);
  });

  it('maps an event: offsets to UTC, lower-cased addresses, responses, optional and resource attendees, join URL', async () => {
    await start();
    const [qbr] = byTitle((await readAll(provider, box(ANNA))).meetings, 'Globex QBR');
    expect(qbr).toMatchObject({
      iCalUId: QBR.uid,
      key: QBR.uid,
      start: '2026-12-09T14:00:00.000Z',
      end: '2026-12-09T15:00:00.000Z',
      timeZone: 'Europe/Zurich',
      organizer: { address: ANNA, name: 'Anna Admin' },
      location: 'Room 4',
      onlineMeetingUrl: 'https://teams.microsoft.com/l/meetup-join/qbr',
      isCancelled: false,
      isPrivate: false,
      showAs: 'busy',
    });
    expect(qbr!.attendees).toContainEqual({ address: 'jane.doe@globex.example', name: 'Jane Doe', response: 'accepted', type: 'required' });
    expect(qbr!.attendees).toContainEqual(expect.objectContaining({ address: 'tom@globex.example', response: 'none' }));
    expect(qbr!.attendees).toContainEqual(expect.objectContaining({ address: CARLA, response: 'tentative', type: 'optional' }));
    expect(qbr!.attendees).toContainEqual(expect.objectContaining({ address: 'room-4@acme.example', type: 'resource' }));
  });

  it('one meeting in three calendars: one key', async () => {
    await start();
    const seen = [];
    for (const address of [ANNA, BEN, CARLA]) seen.push(...byTitle((await readAll(provider, box(address))).meetings, 'Globex QBR'));
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((m) => m.key)).size).toBe(1);
  });

  it('private visibility and an all-day out-of-office event (date, exclusive end, midnight in the calendar zone)', async () => {
    await start({ calendarTimeZone: 'Europe/Zurich' });
    const { meetings } = await readAll(provider, box(ANNA));
    expect(byTitle(meetings, 'Doctor')[0]).toMatchObject({ isPrivate: true });
    expect(byTitle(meetings, 'Out of office')[0]).toMatchObject({ isAllDay: true, showAs: 'oof', start: '2026-12-23T23:00:00.000Z', end: '2026-12-24T23:00:00.000Z' });
  });

  it('singleEvents: a series as instances, one iCalUID, each its own id and key, the moved one at its new time', async () => {
    await start();
    const series = byTitle((await readAll(provider, box(BEN))).meetings, WEEKLY.title);
    expect(series).toHaveLength(5);
    expect(new Set(series.map((m) => m.iCalUId))).toEqual(new Set([WEEKLY.uid]));
    expect(new Set(series.map((m) => m.id)).size).toBe(5);
    expect(new Set(series.map((m) => m.key)).size).toBe(5);
    // Instance ids are the series id and the original start (v3.ts: each instance has its own id).
    expect(series.every((m) => m.id.startsWith(`${m.seriesMasterId}_`))).toBe(true);
    const moved = series.find((m) => m.occurrenceStart === '2026-12-15T14:00:00.000Z')!;
    expect(moved.start).toBe('2026-12-15T16:00:00.000Z');
  });
});

describe('Google calendar: incremental sync with syncToken', () => {
  it('a moved meeting comes again with the same id and key; a deleted one as removed', async () => {
    await start();
    const first = await readAll(provider, box(ANNA));
    const before = byTitle(first.meetings, 'Globex QBR')[0]!;
    emu.control.moveMeeting(QBR.uid, '2026-12-10T15:00:00+01:00', '2026-12-10T16:00:00+01:00');
    emu.control.deleteMeeting('private-doctor@acme.example', [ANNA]);
    const second = await readAll(provider, box(ANNA), first.cursor);
    expect(second.meetings).toHaveLength(1);
    expect(second.meetings[0]).toMatchObject({ id: before.id, key: before.key, start: '2026-12-10T14:00:00.000Z' });
    expect(second.removed).toEqual([byTitle(first.meetings, 'Doctor')[0]!.id]);
    const third = await readAll(provider, box(ANNA), second.cursor);
    expect(third.meetings).toEqual([]);
    expect(third.removed).toEqual([]);
  });

  it('a cancelled meeting comes flagged; deleted instances come as bare items, reported removed', async () => {
    await start();
    const first = await readAll(provider, box(BEN));
    emu.control.cancelMeeting(QBR.uid, [BEN]);
    const second = await readAll(provider, box(BEN), first.cursor);
    expect(second.meetings).toHaveLength(1);
    expect(second.meetings[0]).toMatchObject({ title: 'Globex QBR', isCancelled: true });
    // The series deleted: each instance comes bare (id, series, original start; sync guide).
    emu.control.deleteMeeting(WEEKLY.uid, [BEN]);
    const third = await readAll(provider, box(BEN), second.cursor);
    expect(third.meetings).toEqual([]);
    const live = byTitle(first.meetings, WEEKLY.title).map((m) => m.id);
    expect(third.removed).toEqual(expect.arrayContaining(live));
  });

  it('an event moved out of the window is removed for the sync (sync tokens carry no window)', async () => {
    await start();
    const first = await readAll(provider, box(CARLA));
    emu.control.moveMeeting(QBR.uid, '2027-05-01T10:00:00Z', '2027-05-01T11:00:00Z', [CARLA]);
    const second = await readAll(provider, box(CARLA), first.cursor);
    expect(second.meetings).toEqual([]);
    expect(second.removed).toEqual([first.meetings[0]!.id]);
  });

  it('410 fullSyncRequired restarts from the window by itself', async () => {
    await start();
    const first = await readAll(provider, box(ANNA));
    emu.control.expireCalendarCursors(ANNA);
    const again = await readAll(provider, box(ANNA), first.cursor);
    expect(again.meetings.map((m) => m.id).sort()).toEqual(first.meetings.map((m) => m.id).sort());
    expect(emu.emulator.counters.get('calendar.events.list')).toBe(1 + 1 + 1);
  });

  it('the emulator refuses timeMin with a syncToken (400) and answers an unknown token with the documented 410 body', async () => {
    await start();
    const first = await readAll(provider, box(CARLA));
    const token = (JSON.parse(first.cursor!) as { syncToken: string }).syncToken;
    const auth = await tokenFor(CARLA);
    const list = (query: string) => fetch(`${emu.url}/calendar/v3/calendars/primary/events?${query}`, { headers: { Authorization: `Bearer ${auth}` } });
    expect((await list(`syncToken=${token}&timeMin=2026-11-01T00:00:00Z`)).status).toBe(400);
    const gone = await list('syncToken=unknown');
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ error: { code: 410, errors: [{ domain: 'calendar', reason: 'fullSyncRequired', location: 'syncToken' }] } });
  });
});

describe('Google calendar: faults, quota, permissions', () => {
  it('500s and a 403 rateLimitExceeded are retried', async () => {
    await start();
    emu.control.injectFault({ kind: 'calendar.events.list', fault: { type: 'status', status: 500 }, times: 2 });
    emu.control.injectFault({
      kind: 'calendar.events.list',
      fault: { type: 'status', status: 403, body: { error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }] } } },
    });
    const { meetings } = await readAll(provider, box(CARLA));
    expect(meetings).toHaveLength(1);
    expect(emu.emulator.counters.get('calendar.events.list')).toBe(4);
  });

  it("the calendar's own per-user quota answers 403 rateLimitExceeded past 600 a minute", async () => {
    await start({ calendarRequestsPerMinute: 1 });
    await readAll(provider, box(CARLA));
    const auth = await tokenFor(CARLA);
    const res = await fetch(`${emu.url}/calendar/v3/calendars/primary/events`, { headers: { Authorization: `Bearer ${auth}` } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { errors: [{ reason: 'rateLimitExceeded' }] } });
  });

  it('the calendar scope not granted: a permission error', async () => {
    await start({ deniedCalls: ['calendar.events.list'] });
    await expect(readAll(provider, box(CARLA))).rejects.toMatchObject({ code: 'permission' });
  });

  it('user mode with meetings asks for the calendar scope in the consent link; without, it does not', async () => {
    await start();
    const scope = async (calendar: boolean) => {
      const p = providerFor(emu, { mode: 'user', users: [ANNA], calendar });
      const url = new URL((await p.authorizationUrl(ANNA, 'http://127.0.0.1/cb')).url);
      await p.close();
      return url.searchParams.get('scope') ?? '';
    };
    expect(await scope(true)).toContain('https://www.googleapis.com/auth/calendar.events.readonly');
    expect(await scope(false)).not.toContain('calendar');
  });
});

/** An access token for raw requests, as the service account's delegation mints it. */
async function tokenFor(address: string): Promise<string> {
  const { delegatedJwt } = await import('../../../src/providers/gmail/gmail-tokens.js');
  const jwt = delegatedJwt(emu.serviceAccount, address, emu.url);
  return (await jwt.getAccessToken()).token!;
}
