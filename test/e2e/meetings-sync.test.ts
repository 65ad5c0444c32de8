/**
 * Meetings end to end (issue 15), wired as an install runs them: a configuration with
 * `calendar.enabled`, `openTenant` building the real provider (its calendar through the Graph
 * or Google Calendar client) and the real CRM adapter (its meeting writer), and `runSyncRound`,
 * the round `sync --once` runs. The emulators serve the demo company's calendars
 * (src/demo/demo-meetings.ts): a QBR in three calendars, a weekly series with a moved occurrence,
 * a private lunch, an internal review, a meeting moved after the first round. Both mail
 * providers against both CRMs.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openTenant, type OpenTenant } from '../../src/app/open-tenant.js';
import { runSyncRound } from '../../src/app/run-sync.js';
import { tenantStatus } from '../../src/app/tenant-status.js';
import { calendarWindow } from '../../src/core/sync-calendar.js';
import type { MeetingMeta } from '../../src/core/meeting.js';
import { createWorkspace, type DemoWorkspace } from '../../src/demo/demo-config.js';
import { startDemoEmulators, type DemoEmulators, type DemoMeetingActivity } from '../../src/demo/demo-emulators.js';
import { applyDemoMeetingMoves, demoMeetingMoves, demoMeetings } from '../../src/demo/demo-meetings.js';
import { DEMO_COMPANY_DOMAIN, demoDay, demoTenant, type DemoTenant } from '../../src/demo/demo-tenant.js';
import { DEMO_TUNING } from '../../src/demo/run-demo.js';

const COMBOS = [
  ['graph', 'salesforce'],
  ['gmail', 'hubspot'],
  ['graph', 'hubspot'],
  ['gmail', 'salesforce'],
] as const;

const FARID = `farid.haddad@${DEMO_COMPANY_DOMAIN}`;
const GRACE = `grace.kim@${DEMO_COMPANY_DOMAIN}`;
/** A private meeting added for the privacy check: a contact attends, so only `private` keeps it out. */
const SECRET = {
  uid: 'board-prep-5521@demo.harborlabs.io',
  title: 'Quokka acquisition board prep',
  guest: 'whisper-4412@quiet-guest.example',
};
/** An internal-only one, likewise. */
const INTERNAL = { uid: 'comp-review-8812@demo.harborlabs.io', title: 'Compensation review Zephyr' };

interface Harness {
  tenant: DemoTenant;
  emulators: DemoEmulators;
  workspace: DemoWorkspace;
  open: OpenTenant;
}

let running: Harness | null = null;

async function start(provider: 'graph' | 'gmail', crm: 'salesforce' | 'hubspot'): Promise<Harness> {
  const tenant = demoTenant();
  const emulators = await startDemoEmulators(tenant, provider, crm);
  const workspace = createWorkspace(emulators, tenant, 'mailbridge-meetings-');
  const open = await openTenant(workspace.config, workspace.config.tenants[0]!, { clock: { now: () => tenant.now }, ...DEMO_TUNING });
  running = { tenant, emulators, workspace, open };
  return running;
}

afterEach(async () => {
  if (!running) return;
  await running.open.close();
  await running.emulators.close();
  rmSync(running.workspace.dir, { recursive: true, force: true });
  running = null;
});

const titled = (meetings: DemoMeetingActivity[], title: string) => meetings.filter((m) => m.subject.endsWith(title));
const iso = (v: string) => new Date(/^\d+$/.test(v) ? Number(v) : v).toISOString();

describe.each(COMBOS)('meetings: %s → %s', (provider, crm) => {
  it('one activity per meeting: three calendars, each occurrence of a series, a move updates it, a cancellation marks it', async () => {
    const { tenant, emulators, open } = await start(provider, crm);
    const first = await runSyncRound(open);
    expect(first.totals).toMatchObject({ failed: 0, calendarsFailed: 0 });
    const meetings = demoMeetings(tenant);
    const qbr = meetings.find((m) => m.label === 'qbr-acme')!;
    const weekly = meetings.find((m) => m.label === 'weekly-globex')!;
    const stark = meetings.find((m) => m.label === 'moved-stark')!;

    let inCrm = emulators.meetings();
    // The QBR sits in three calendars: one activity, on the Acme contacts, held by all three.
    const qbrs = titled(inCrm, qbr.meeting.title);
    expect(qbrs).toHaveLength(1);
    expect(qbrs[0]!.cancelled).toBe(false);
    const qbrKey = qbrs[0]!.key!;
    expect((await open.stores.meetings.meeting(qbrKey))?.holders).toHaveLength(3);
    // Each occurrence of the weekly series in the window is its own activity, the moved one at its new time.
    const series = titled(inCrm, weekly.meeting.title);
    expect(series).toHaveLength(weekly.occurrences!);
    expect(new Set(series.map((m) => m.key)).size).toBe(weekly.occurrences!);
    const starts = series.map((m) => iso(m.start)).sort();
    expect(starts).toContain(demoDay(7, 10).toISOString());
    expect(starts).not.toContain(demoDay(7, 8).toISOString());
    const [starkBefore] = titled(inCrm, stark.meeting.title);
    expect(iso(starkBefore!.start)).toBe(new Date(stark.meeting.start).toISOString());
    expect(inCrm).toHaveLength(1 + weekly.occurrences! + 1);
    expect(first.totals).toMatchObject({ meetingsImported: inCrm.length, meetingsAlreadyImported: qbr.calendars.length - 1 });
    // `status` from the database: the QBR counts in each of its three calendars, once in total.
    const status = await tenantStatus(open, running!.workspace.config);
    expect(status.totals).toMatchObject({ calendar: true, meetingsImported: inCrm.length, meetingsSkipped: first.totals.meetingsSkipped });
    for (const address of qbr.calendars) expect(status.mailboxes.find((m) => m.address === address)?.meetingsImported, address).toBeGreaterThanOrEqual(1);
    expect(status.mailboxes.every((m) => m.lastError === null)).toBe(true);

    // Round 2: the Stark meeting moved two days later, the organizer cancelled the QBR.
    const [move] = demoMeetingMoves(tenant);
    expect(applyDemoMeetingMoves(emulators.calendar, tenant)).toBe(stark.calendars.length);
    expect(emulators.calendar.cancelMeeting(qbr.meeting.uid)).toBe(qbr.calendars.length);
    const second = await runSyncRound(open);
    expect(second.totals).toMatchObject({ failed: 0, calendarsFailed: 0, meetingsImported: 0 });
    // The move once; the cancellation once per calendar that saw it before another recorded it
    // (calendars sync side by side; the write is idempotent on the key, the CRM below has one).
    expect(second.totals.meetingActivitiesWritten).toBeGreaterThanOrEqual(2);
    expect(second.totals.meetingActivitiesWritten).toBeLessThanOrEqual(1 + qbr.calendars.length);

    inCrm = emulators.meetings();
    expect(inCrm).toHaveLength(1 + weekly.occurrences! + 1);
    const starkAfter = titled(inCrm, stark.meeting.title);
    expect(starkAfter).toHaveLength(1);
    expect(starkAfter[0]!.crmId).toBe(starkBefore!.crmId);
    expect([iso(starkAfter[0]!.start), iso(starkAfter[0]!.end)]).toEqual([new Date(move!.start).toISOString(), new Date(move!.end).toISOString()]);
    const cancelled = titled(inCrm, qbr.meeting.title);
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]).toMatchObject({ crmId: qbrs[0]!.crmId, cancelled: true });
    // Marked, not stripped: the cancelled meeting keeps its people.
    expect(cancelled[0]!.linked.length).toBeGreaterThan(0);
    expect(inCrm.filter((m) => m.cancelled)).toHaveLength(1);

    // A third round finds nothing new to write.
    const third = await runSyncRound(open);
    expect(third.totals).toMatchObject({ meetingActivitiesWritten: 0, calendarsFailed: 0 });
    expect(emulators.meetings()).toHaveLength(inCrm.length);
  });

  it('rejected meetings leave no title, address or id in the database', async () => {
    const { tenant, emulators, open } = await start(provider, crm);
    const jane = 'jane.doe@acme-robotics.com';
    emulators.calendar.addMeeting([FARID], {
      uid: SECRET.uid,
      title: SECRET.title,
      organizer: { address: FARID },
      attendees: [
        { address: FARID, response: 'accepted' },
        { address: jane, response: 'accepted' },
        { address: SECRET.guest, response: 'accepted' },
      ],
      start: demoDay(-2, 9).toISOString(),
      end: demoDay(-2, 10).toISOString(),
      sensitivity: 'private',
    });
    emulators.calendar.addMeeting([GRACE], {
      uid: INTERNAL.uid,
      title: INTERNAL.title,
      organizer: { address: GRACE },
      attendees: [{ address: GRACE, response: 'accepted' }, { address: FARID, response: 'accepted' }],
      start: demoDay(-1, 15).toISOString(),
      end: demoDay(-1, 16).toISOString(),
    });
    const round = await runSyncRound(open);
    expect(round.totals.calendarsFailed).toBe(0);
    expect(round.totals.meetingsSkipped.private).toBeGreaterThanOrEqual(2);
    expect(round.totals.meetingsSkipped['internal-only']).toBeGreaterThanOrEqual(1);

    // The ids the calendar services give these meetings, read through the same provider.
    const rejected: MeetingMeta[] = [];
    const window = calendarWindow(demoDay(-30), tenant.now);
    for (const address of [FARID, GRACE]) {
      const mailbox = (await open.provider().listMailboxes()).find((m) => m.address === address)!;
      for await (const page of open.provider().readCalendar(mailbox, null, window)) {
        rejected.push(...page.meetings.filter((m) => m.title === SECRET.title || m.title === INTERNAL.title));
      }
    }
    expect(rejected.map((m) => m.title).sort()).toEqual([SECRET.title, INTERNAL.title].sort());

    const dump: string[] = [];
    const tables = open.db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    for (const { name } of tables) {
      for (const row of open.db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all()) dump.push(JSON.stringify(row));
    }
    const all = dump.join('\n');
    // The check can see meetings: an imported one is there.
    expect(all).toContain('Quarterly Business Review');
    const secrets = [SECRET.title, SECRET.uid, SECRET.guest, INTERNAL.title, INTERNAL.uid, 'Lunch', ...rejected.flatMap((m) => [m.id, m.iCalUId, m.key])];
    for (const secret of secrets) expect(all, secret).not.toContain(secret);
    expect(emulators.meetings().map((m) => m.subject)).not.toContain(SECRET.title);
  });
});

describe.each([
  ['graph', 'calendarView.delta'],
  ['gmail', 'calendar.events.list'],
] as const)('a calendar the %s service refuses', (provider, kind) => {
  it('fails by name, alone: its mail is synced, the round and status say which calendar failed', async () => {
    const { emulators, open } = await start(provider, 'salesforce');
    // 403: the calendar permission was not granted (the mail one was); not retried.
    emulators.mailFault({ fault: { type: 'status', status: 403 }, kind, times: 1_000 });
    const round = await runSyncRound(open);
    expect(round.totals.failed).toBe(0);
    expect(round.totals.imported).toBeGreaterThan(0);
    expect(round.totals.calendarsFailed).toBe(round.totals.mailboxes);
    expect(emulators.meetings()).toEqual([]);
    const status = await tenantStatus(open, running!.workspace.config);
    for (const m of status.mailboxes) expect(m.lastError, m.address).toMatch(/^calendar failed \(/);
    expect(status.totals.needingAttention).toBe(status.mailboxes.length);

    // Granted: the next round reads every calendar from the start, nothing was lost.
    emulators.clearFaults();
    const again = await runSyncRound(open);
    expect(again.totals.calendarsFailed).toBe(0);
    expect(again.totals.meetingsImported).toBeGreaterThan(0);
    expect((await tenantStatus(open, running!.workspace.config)).mailboxes.every((m) => m.lastError === null)).toBe(true);
  });
});
