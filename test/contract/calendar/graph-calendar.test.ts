/**
 * The Graph calendar provider through the real Graph SDK client against the Graph emulator's
 * `calendarView/delta`. Service behaviour (API_NOTES §8): microsoftgraph docs `api/event-delta.md`
 * (window on the first call only, next links to the delta link, `@removed` rows, `Prefer:
 * odata.maxpagesize`), `concepts/delta-query-overview.md` (410 + Location on a lost sync state),
 * `resources/event.md` (type, seriesMasterId, originalStart, sensitivity, showAs, iCalUId per
 * occurrence), and the sparse occurrence rows reported in microsoft-graph-docs#1716 and #7632.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from '../../../src/emulators/graph/graph-emulator.js';
import { GraphProvider } from '../../../src/providers/graph/graph-provider.js';
import { providerFor } from '../graph/graph-harness.js';
import { ANNA, BEN, CARLA, QBR, WEEKLY, byTitle, calendars, readAll } from './calendar-fixture.js';

let emu: GraphEmulator;
let provider: GraphProvider;

async function start(opts: GraphEmulatorOptions = {}, pageSize = 3): Promise<void> {
  emu = await startGraphEmulator({ calendars: calendars(), ...opts });
  provider = providerFor(emu, { calendarPageSize: pageSize });
}

const box = (address: string) => ({ id: emu.store.mailbox(address)!.id, address });

afterEach(async () => {
  await provider?.close();
  await emu?.close();
});

describe('Graph calendar: full read of the window', () => {
  it('pages with odata.maxpagesize up to a delta link, occurrences expanded, out-of-window left out', async () => {
    await start();
    const anna = await readAll(provider, box(ANNA));
    // QBR, private, cancelled, all-day: 4 rows at 3 a page; the June meeting is outside the window.
    expect(anna.pages).toBe(2);
    expect(anna.meetings.map((m) => m.title).sort()).toEqual(['Canceled: Initech intro', 'Doctor', 'Globex QBR', 'Out of office']);
    expect(anna.cursor).toContain('$deltatoken=');
    expect(emu.emulator.counters.get('calendarView.delta')).toBe(2);
  });

  it('maps a meeting: UTC times, lower-cased addresses, responses, attendee types, organizer, join URL', async () => {
    await start();
    const [qbr] = byTitle((await readAll(provider, box(ANNA))).meetings, 'Globex QBR');
    expect(qbr).toMatchObject({
      start: '2026-12-09T14:00:00.000Z',
      end: '2026-12-09T15:00:00.000Z',
      timeZone: 'Europe/Zurich',
      organizer: { address: ANNA, name: 'Anna Admin' },
      location: 'Room 4',
      onlineMeetingUrl: 'https://teams.microsoft.com/l/meetup-join/qbr',
      isCancelled: false,
      isPrivate: false,
      isAllDay: false,
      showAs: 'busy',
      mailbox: ANNA,
    });
    expect(qbr!.attendees).toContainEqual({ address: 'jane.doe@globex.example', name: 'Jane Doe', response: 'accepted', type: 'required' });
    expect(qbr!.attendees).toContainEqual(expect.objectContaining({ address: 'tom@globex.example', response: 'none' }));
    expect(qbr!.attendees).toContainEqual(expect.objectContaining({ address: CARLA, response: 'tentative', type: 'optional' }));
    expect(qbr!.attendees).toContainEqual(expect.objectContaining({ address: 'room-4@acme.example', type: 'resource' }));
    expect(qbr!.key).toBe(qbr!.iCalUId);
  });

  it('one meeting in three calendars: three provider ids, one key', async () => {
    await start();
    const seen = [];
    for (const address of [ANNA, BEN, CARLA]) seen.push(...byTitle((await readAll(provider, box(address))).meetings, 'Globex QBR'));
    expect(new Set(seen.map((m) => m.id)).size).toBe(3);
    expect(new Set(seen.map((m) => m.key)).size).toBe(1);
  });

  it('private, cancelled and all-day out-of-office meetings carry their flags', async () => {
    await start();
    const { meetings } = await readAll(provider, box(ANNA));
    expect(byTitle(meetings, 'Doctor')[0]).toMatchObject({ isPrivate: true });
    expect(byTitle(meetings, 'Canceled: Initech intro')[0]).toMatchObject({ isCancelled: true });
    // All day on the 24th in Zurich: midnight there.
    expect(byTitle(meetings, 'Out of office')[0]).toMatchObject({ isAllDay: true, showAs: 'oof', start: '2026-12-23T23:00:00.000Z', end: '2026-12-24T23:00:00.000Z' });
  });

  it('a weekly series: each occurrence its own key, the moved exception keeps its original start, the cancelled one is flagged', async () => {
    await start();
    const series = byTitle((await readAll(provider, box(BEN))).meetings, WEEKLY.title);
    expect(series).toHaveLength(6);
    expect(new Set(series.map((m) => m.key)).size).toBe(6);
    expect(new Set(series.map((m) => m.iCalUId)).size).toBe(1);
    expect(new Set(series.map((m) => m.seriesMasterId)).size).toBe(1);
    const moved = series.find((m) => m.occurrenceStart === '2026-12-15T14:00:00.000Z')!;
    expect(moved.start).toBe('2026-12-15T16:00:00.000Z');
    const cancelled = series.filter((m) => m.isCancelled);
    expect(cancelled.map((m) => m.occurrenceStart)).toEqual(['2026-12-29T14:00:00.000Z']);
  });

  it('sparse occurrence rows are completed from the series master, read once', async () => {
    await start({ calendar: { sparseOccurrences: true } });
    const series = byTitle((await readAll(provider, box(BEN))).meetings, WEEKLY.title);
    expect(series).toHaveLength(6);
    expect(series.every((m) => m.attendees.some((a) => a.address === 'jane.doe@globex.example'))).toBe(true);
    expect(new Set(series.map((m) => m.key)).size).toBe(6);
    expect(emu.emulator.counters.get('event.get')).toBe(1);
  });
});

describe('Graph calendar: delta rounds', () => {
  it('a moved meeting comes again with its new time and the same key; a deleted one as removed', async () => {
    await start();
    const first = await readAll(provider, box(ANNA));
    const before = byTitle(first.meetings, 'Globex QBR')[0]!;
    expect(emu.control.moveMeeting(QBR.uid, '2026-12-10T15:00:00+01:00', '2026-12-10T16:00:00+01:00')).toBe(3);
    emu.control.deleteMeeting('private-doctor@acme.example', [ANNA]);
    const second = await readAll(provider, box(ANNA), first.cursor);
    expect(second.meetings.map((m) => m.title)).toEqual(['Globex QBR']);
    expect(second.meetings[0]).toMatchObject({ id: before.id, key: before.key, start: '2026-12-10T14:00:00.000Z' });
    expect(Date.parse(second.meetings[0]!.lastModified!)).toBeGreaterThan(Date.parse(before.lastModified!));
    expect(second.removed).toEqual([byTitle(first.meetings, 'Doctor')[0]!.id]);
    // Nothing changed since: an empty round.
    const third = await readAll(provider, box(ANNA), second.cursor);
    expect(third.meetings).toEqual([]);
    expect(third.removed).toEqual([]);
  });

  it('a meeting moved out of the window comes as @removed (event-delta: out-of-window changes)', async () => {
    await start();
    const first = await readAll(provider, box(CARLA));
    emu.control.moveMeeting(QBR.uid, '2027-05-01T10:00:00Z', '2027-05-01T11:00:00Z', [CARLA]);
    const second = await readAll(provider, box(CARLA), first.cursor);
    expect(second.meetings).toEqual([]);
    expect(second.removed).toEqual([first.meetings[0]!.id]);
  });

  it('a cancellation after the first read comes as an update flagged cancelled', async () => {
    await start();
    const first = await readAll(provider, box(CARLA));
    emu.control.cancelMeeting(QBR.uid);
    const second = await readAll(provider, box(CARLA), first.cursor);
    expect(second.meetings).toHaveLength(1);
    expect(second.meetings[0]).toMatchObject({ isCancelled: true, key: first.meetings[0]!.key });
  });

  it('an expired delta token (410 SyncStateNotFound) restarts from the window by itself', async () => {
    await start();
    const first = await readAll(provider, box(ANNA));
    emu.control.expireCalendarCursors(ANNA);
    const again = await readAll(provider, box(ANNA), first.cursor);
    expect(again.meetings.map((m) => m.id).sort()).toEqual(first.meetings.map((m) => m.id).sort());
    // The refused round, then the two pages of the new one.
    expect(emu.emulator.counters.get('calendarView.delta')).toBe(2 + 1 + 2);
  });

  it('the 400 syncStateNotFound variant restarts too', async () => {
    await start({ calendar: { expiredDeltaStatus: 400 } });
    const first = await readAll(provider, box(CARLA));
    emu.control.expireCalendarCursors();
    const again = await readAll(provider, box(CARLA), first.cursor);
    expect(again.meetings.map((m) => m.key)).toEqual(first.meetings.map((m) => m.key));
  });

  it('a meeting added through the control route reaches the next round', async () => {
    await start();
    const first = await readAll(provider, box(CARLA));
    const res = await fetch(`${emu.url}/__mock/calendar/meetings`, {
      method: 'POST',
      body: JSON.stringify({ calendars: [CARLA], meeting: { ...QBR, uid: 'new@acme.example', title: 'Globex follow-up' } }),
    });
    expect(res.status).toBe(201);
    const second = await readAll(provider, box(CARLA), first.cursor);
    expect(second.meetings.map((m) => m.title)).toEqual(['Globex follow-up']);
  });
});

describe('Graph calendar: faults, limits, permissions', () => {
  it('503s and a 429 with Retry-After are retried through the mailbox limiter', async () => {
    await start();
    emu.control.injectFault({ kind: 'calendarView.delta', fault: { type: 'status', status: 503 }, times: 2 });
    emu.control.injectFault({ kind: 'calendarView.delta', fault: { type: 'status', status: 429, headers: { 'Retry-After': '0' } } });
    const { meetings } = await readAll(provider, box(CARLA));
    expect(meetings).toHaveLength(1);
    expect(emu.emulator.counters.get('calendarView.delta')).toBe(4);
  });

  it("mail and calendar draw on one mailbox's request budget (Outlook service limits, API_NOTES §8.3)", async () => {
    await start({ limits: { requestsPerWindow: 2, windowMs: 600_000 } });
    const form = new URLSearchParams({
      client_id: emu.credentials.clientId, client_secret: emu.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials',
    });
    const token = ((await (await fetch(emu.tokenUrl, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
    const get = (path: string) => fetch(`${emu.url}/v1.0/users/${box(CARLA).id}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await get('/mailFolders/inbox/messages')).status).toBe(200);
    expect((await get('/calendarView/delta?startDateTime=2026-11-01T00:00:00Z&endDateTime=2027-01-31T00:00:00Z')).status).toBe(200);
    const third = await get('/calendarView/delta?startDateTime=2026-11-01T00:00:00Z&endDateTime=2027-01-31T00:00:00Z');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('Calendars.Read not granted: a permission error, not a silent empty calendar', async () => {
    await start({ deniedCalls: ['calendarView.delta'] });
    await expect(readAll(provider, box(CARLA))).rejects.toMatchObject({ code: 'permission' });
  });

  it('user mode with meetings asks for Calendars.Read in the consent link; without, it does not', async () => {
    await start();
    const withCalendar = providerFor(emu, { mode: 'user', users: [ANNA], calendar: true });
    const mailOnly = providerFor(emu, { mode: 'user', users: [ANNA] });
    const scope = async (p: GraphProvider) => new URL((await p.authorizationUrl(ANNA, 'http://127.0.0.1/cb')).url).searchParams.get('scope') ?? '';
    expect(await scope(withCalendar)).toContain('Calendars.Read');
    expect(await scope(mailOnly)).not.toContain('Calendars.Read');
    await withCalendar.close();
    await mailOnly.close();
  });
});
