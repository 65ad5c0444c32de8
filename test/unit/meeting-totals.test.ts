import { describe, expect, it } from 'vitest';
import { meetingTotalsOf } from '../../src/app/meeting-totals.js';
import type { MailboxOutcome } from '../../src/app/sync-tenant.js';

const mail = { scanned: 0, imported: 0, duplicates: 0, skipped: {}, rejectedByCrm: 0, stopped: false };
const cal = (over: Record<string, unknown>) => ({
  ok: true as const, mailboxId: 'x', meetingsScanned: 0, meetingsImported: 0, meetingActivitiesWritten: 0, meetingsUpdated: 0,
  meetingsCancelled: 0, alreadyImported: 0, skipped: {}, rejectedByCrm: 0, stopped: false, ...over,
});

describe('meetingTotalsOf', () => {
  it('adds the calendars of a round, counting failed ones and leaving mailboxes without a calendar out', () => {
    const outcomes: MailboxOutcome[] = [
      { ok: true, address: 'a@x.com', mailboxId: 'a', ...mail, meetings: cal({ meetingsScanned: 3, meetingsImported: 1, meetingActivitiesWritten: 2, meetingsUpdated: 1, skipped: { private: 1 } }) },
      { ok: true, address: 'b@x.com', mailboxId: 'b', ...mail, meetings: cal({ meetingsScanned: 1, alreadyImported: 1, skipped: { private: 2, cancelled: 1 } }) },
      { ok: true, address: 'c@x.com', mailboxId: 'c', ...mail, meetings: { ok: false, error: 'Graph 503', code: 'transient' } },
      { ok: true, address: 'd@x.com', mailboxId: 'd', ...mail },
      { ok: false, address: 'e@x.com', mailboxId: 'e', error: 'auth', code: 'auth' },
    ];
    expect(meetingTotalsOf(outcomes)).toEqual({
      meetingsScanned: 4,
      meetingsImported: 1,
      meetingActivitiesWritten: 2,
      meetingsUpdated: 1,
      meetingsCancelled: 0,
      meetingsAlreadyImported: 1,
      meetingsSkipped: { private: 3, cancelled: 1 },
      calendarsFailed: 1,
    });
  });
});
