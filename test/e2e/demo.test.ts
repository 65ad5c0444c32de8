/**
 * `mailbridge demo --json` as a newcomer runs it, for both mail providers and both CRMs: the
 * figures must be what the seeded tenant's labels say (computed here from the labels, not from
 * the engine), with one activity per imported email and the 14-day rule visible in the samples.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compare } from '../../src/demo/chaos.js';
import type { DemoState } from '../../src/demo/demo-inspect.js';
import { demoMeetings, demoMeetingMoves } from '../../src/demo/demo-meetings.js';
import { DEMO_NOW, demoTenant, initialMailboxes, type DemoTenant } from '../../src/demo/demo-tenant.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function demo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', main, 'demo', ...args], { cwd: root, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** What the labels promise for one CRM (both hold leads: Salesforce Leads, HubSpot lead-stage contacts). */
function expected(tenant: DemoTenant) {
  let imported = 0;
  let duplicates = 0;
  let scanned = 0;
  let lateMatched = 0;
  const skipped: Record<string, number> = {};
  for (const email of tenant.emails) {
    const outcome = email.expect === 'import-lead' ? 'import' : email.expect;
    if (outcome === 'outside-window') continue;
    scanned += email.copies.length;
    if (outcome === 'import') {
      imported++;
      duplicates += email.copies.length - 1;
    } else {
      skipped[outcome] = (skipped[outcome] ?? 0) + email.copies.length;
    }
    // Skipped at first (counted above, once), then found again in the CRM change round.
    if (email.lateMatch) lateMatched++;
  }
  return { imported, duplicates, scanned, skipped, lateMatched };
}

/**
 * What the meeting labels promise: each imported meeting (each occurrence of a series) once,
 * each rejected one counted once per calendar holding it. A cancelled meeting never imported is
 * seen only where the calendar lists it: Graph's calendarView delta does (isCancelled), Google's
 * events.list leaves cancelled events out of a full sync unless showDeleted is set
 * (developers.google.com/calendar/api/v3/reference/events/list, "showDeleted").
 */
function expectedMeetings(tenant: DemoTenant, provider: 'graph' | 'gmail') {
  let imported = 0;
  let copies = 0;
  const skipped: Record<string, number> = {};
  for (const m of demoMeetings(tenant)) {
    if (m.expect === 'import') {
      imported += m.occurrences ?? 1;
      copies += m.calendars.length - 1;
    } else if (m.expect !== 'cancelled' || provider === 'graph') {
      skipped[m.expect] = (skipped[m.expect] ?? 0) + m.calendars.length;
    }
  }
  return { imported, alreadyImported: copies, skipped };
}

describe('the seeded demo tenant', () => {
  it('is the same every time and covers every rule the demo shows', () => {
    expect(demoTenant()).toEqual(demoTenant());
    const tenant = demoTenant();
    const expects = new Set(tenant.emails.map((e) => e.expect));
    for (const needed of ['import', 'import-lead', 'internal-only', 'automated', 'blocklisted', 'no-crm-match', 'outside-window'] as const) {
      expect(expects, needed).toContain(needed);
    }
    // Cross-mailbox copies, both directions, and mail on both sides of the 14-day boundary.
    expect(tenant.emails.some((e) => e.expect === 'import' && e.copies.length >= 3)).toBe(true);
    expect(tenant.emails.some((e) => e.copies.some((c) => c.folder === 'sent'))).toBe(true);
    expect(tenant.emails.filter((e) => e.relatedTo).map((e) => e.label).sort()).toEqual(['stark-15-days', 'umbrella-15-days', 'vandelay-13-days']);
    expect(initialMailboxes(tenant)).toHaveLength(10);
    // Nothing is dated after the demo's clock.
    for (const e of tenant.emails) expect(Date.parse(e.message.receivedAt)).toBeLessThanOrEqual(DEMO_NOW.getTime());
  });
});

describe('mailbridge demo --json', () => {
  const tenant = demoTenant();

  for (const [provider, crm] of [
    ['graph', 'salesforce'],
    ['gmail', 'hubspot'],
  ] as const) {
    it(`${provider} → ${crm}: figures match the labels, one activity per imported email`, async () => {
      const run = await demo(['--provider', provider, '--crm', crm, '--json', '--no-keep']);
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const out = JSON.parse(lines[0]!) as Record<string, unknown> & {
        skipped: Record<string, number>;
        samples: { label: string; relatedTo: { id: string } | null }[];
        workspace: { dir: string; kept: boolean };
      };
      for (const key of ['mailboxes', 'scanned', 'imported', 'skipped', 'activitiesWritten', 'duplicateActivities', 'crm', 'provider']) expect(out).toHaveProperty(key);

      const want = expected(tenant);
      expect(out).toMatchObject({ provider, crm, mailboxes: 10, failedMailboxes: 0 });
      expect(out.imported).toBe(want.imported);
      // Round 3 (CRM changes): the late match is imported too, and activities move.
      expect(want.lateMatched).toBeGreaterThan(0);
      expect(out.lateMatched).toBe(want.lateMatched);
      expect(out.ledgerEntries).toBe(want.imported + want.lateMatched);
      expect(out.activitiesWritten).toBe(want.imported + want.lateMatched);
      expect(out.reassociated).toBeGreaterThan(0);
      expect(out.duplicateActivities).toBe(0);
      expect(out.duplicateLinks).toBe(0);
      expect(out.duplicates).toBe(want.duplicates);
      expect(out.scanned).toBe(want.scanned);
      expect(out.skipped).toEqual(want.skipped);
      for (const reason of ['internal-only', 'automated', 'blocklisted', 'no-crm-match']) expect(out.skipped[reason], reason).toBeGreaterThan(0);

      // The delta round saw only the new mail.
      const rounds = out.rounds as { round: number; scanned: number }[];
      const newCopies = tenant.emails.filter((e) => e.round === 2).reduce((n, e) => n + e.copies.length, 0);
      expect(rounds[1]!.scanned).toBe(newCopies);

      // The 14-day rule through the whole pipeline, as the CRM holds it.
      const related = Object.fromEntries(out.samples.map((s) => [s.label, s.relatedTo?.id ?? null]));
      for (const email of tenant.emails.filter((e) => e.relatedTo)) expect(related[email.label], email.label).toBe(email.relatedTo);

      // Meetings: one activity per meeting (the QBR in three calendars is one), none twice; the
      // moved meeting is the only meeting written again in the delta round.
      const meetings = expectedMeetings(tenant, provider);
      expect(out).toMatchObject({
        meetingsImported: meetings.imported,
        meetingActivitiesWritten: meetings.imported,
        meetingsAlreadyImported: meetings.alreadyImported,
        duplicateMeetings: 0,
        calendarsFailed: 0,
      });
      expect(out.meetingsSkipped).toEqual(meetings.skipped);
      const meetingRounds = out.rounds as { meetingsImported: number; meetingActivitiesWritten: number }[];
      expect(meetingRounds[1]).toMatchObject({ meetingsImported: 0, meetingActivitiesWritten: demoMeetingMoves(tenant).length });

      expect(out.workspace.kept).toBe(false);
      expect(existsSync(out.workspace.dir)).toBe(false);
    });
  }

  it('rejects an unknown provider as a usage error', async () => {
    const run = await demo(['--provider', 'imap', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--provider');
  });
});

describe('mailbridge demo --chaos --json', () => {
  it('faults and SIGKILLs, then the same durable state as a clean run', async () => {
    const run = await demo(['--chaos', '--kills', '2', '--seed', '5', '--json', '--no-keep']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      imported: number;
      activitiesWritten: number;
      duplicateActivities: number;
      meetingsImported: number;
      meetingActivitiesWritten: number;
      duplicateMeetings: number;
      chaos: { kills: number; restarts: number; faultsServed: number; match: boolean; clean: { imported: number; activitiesWritten: number }; comparisons: { ok: boolean }[] };
    };
    const want = expected(demoTenant());
    // From the durable state, after the CRM change round's late match too.
    expect(out.imported).toBe(want.imported + want.lateMatched);
    expect(out.activitiesWritten).toBe(want.imported + want.lateMatched);
    expect(out.duplicateActivities).toBe(0);
    expect(out.chaos.clean).toMatchObject({ imported: want.imported + want.lateMatched, activitiesWritten: want.imported + want.lateMatched });
    const meetings = expectedMeetings(demoTenant(), 'graph');
    expect(out).toMatchObject({ meetingsImported: meetings.imported, meetingActivitiesWritten: meetings.imported, duplicateMeetings: 0 });
    expect(out.chaos.kills).toBeGreaterThanOrEqual(2);
    expect(out.chaos.restarts).toBeGreaterThanOrEqual(out.chaos.kills);
    expect(out.chaos.faultsServed).toBeGreaterThan(0);
    expect(out.chaos.comparisons.every((c) => c.ok)).toBe(true);
    expect(out.chaos.match).toBe(true);
  }, 180_000);
});

describe('chaos comparison', () => {
  const state: DemoState = {
    ledgerEntries: 2,
    accountedCopies: 5,
    skipped: { automated: 3 },
    crmKeys: ['mid:a', 'mid:b'],
    activitiesWritten: 2,
    duplicateActivities: 0,
    duplicateLinks: 0,
    samples: [],
    meetings: {
      ledgerEntries: 2,
      accountedCopies: 4,
      skipped: { 'internal-only': 2 },
      activitiesWritten: 2,
      duplicateMeetings: 0,
      crmState: ['qbr 2026-04-01T14:00:00.000Z 2026-04-01T15:00:00.000Z', 'stark 2026-04-09T16:00:00.000Z 2026-04-09T17:00:00.000Z'],
    },
  };
  const failed = (chaos: DemoState) => compare(state, chaos).filter((c) => !c.ok).map((c) => c.what);

  it('passes identical states', () => expect(failed(state)).toEqual([]));
  it('flags a duplicate, a lost activity and a changed counter', () => {
    expect(failed({ ...state, crmKeys: ['mid:a', 'mid:a', 'mid:b'], activitiesWritten: 3, duplicateActivities: 1 })).toEqual([
      'activities in the CRM',
      'duplicate activities (same dedupe key)',
    ]);
    expect(failed({ ...state, crmKeys: ['mid:a'], activitiesWritten: 1 })).toEqual(['activities in the CRM', 'activities lost (in the clean CRM only)']);
    expect(failed({ ...state, skipped: { automated: 2 } })).toEqual(['skipped, by reason']);
  });
  it('flags a meeting written twice, one not moved, and a changed meeting counter', () => {
    const meetings = state.meetings;
    expect(failed({ ...state, meetings: { ...meetings, activitiesWritten: 3, duplicateMeetings: 1, crmState: [...meetings.crmState, meetings.crmState[0]!].sort() } })).toEqual([
      'meeting activities in the CRM',
      'duplicate meetings (same key)',
    ]);
    const unmoved = ['qbr 2026-04-01T14:00:00.000Z 2026-04-01T15:00:00.000Z', 'stark 2026-04-07T16:00:00.000Z 2026-04-07T17:00:00.000Z'];
    expect(failed({ ...state, meetings: { ...meetings, crmState: unmoved } })).toEqual(['meeting activities not as in the clean CRM (key, times, cancelled)']);
    expect(failed({ ...state, meetings: { ...meetings, skipped: { 'internal-only': 3 }, accountedCopies: 5 } })).toEqual(['meetings skipped, by reason', 'calendar copies accounted for']);
  });
});
