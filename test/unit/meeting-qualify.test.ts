import { describe, expect, it } from 'vitest';
import { meetingActivity, meetingDescription } from '../../src/core/meeting-activity.js';
import { qualifyMeeting, type MeetingContext } from '../../src/core/meeting-qualify.js';
import { engineFor } from '../helpers/engine.js';
import { meeting } from '../helpers/meetings.js';
import { TENANT } from './engine-fixture.js';

const ctx: MeetingContext = { ...engineFor(TENANT), webinarAttendees: 5 };
const reasonOf = (m: ReturnType<typeof meeting>, c: MeetingContext = ctx) => {
  const q = qualifyMeeting(m, c);
  return q.ok ? 'ok' : q.reason;
};
const crowd = (n: number, domain = 'crowd.example') => Array.from({ length: n }, (_, i) => `p${i}@${domain}`);

// docs/rules.md "Meetings": in this order, the first failing rule is the reason.
describe('meeting qualification', () => {
  it.each([
    ['a customer meeting', 'ok', meeting()],
    ['cancelled', 'cancelled', meeting({ isCancelled: true })],
    ['private or sensitive', 'private', meeting({ isPrivate: true })],
    ['cancelled and private: cancelled first', 'cancelled', meeting({ isCancelled: true, isPrivate: true })],
    ['shown as out of office', 'out-of-office', meeting({ showAs: 'oof' })],
    ['all-day entry shown as free (a holiday)', 'out-of-office', meeting({ isAllDay: true, showAs: 'free' })],
    ['all-day working elsewhere', 'out-of-office', meeting({ isAllDay: true, showAs: 'workingElsewhere' })],
    ['all-day workshop shown as busy', 'ok', meeting({ isAllDay: true, showAs: 'busy' })],
    ['a one-hour meeting shown as free', 'ok', meeting({ showAs: 'free' })],
    ['every invitee declined', 'declined-by-all', meeting({ attendees: [{ address: 'jane@acme.com', response: 'declined' }, { address: 'sam@example-seller.com', response: 'declined' }] })],
    ['one invitee of two declined', 'ok', meeting({ attendees: [{ address: 'jane@acme.com', response: 'declined' }, { address: 'ian@initrode.com', response: 'tentative' }] })],
    ['the organizer alone declined nothing', 'ok', meeting({ attendees: [{ address: 'alex@example-seller.com', response: 'declined' }, 'jane@acme.com'] })],
    ['internal only (subdomains too)', 'internal-only', meeting({ attendees: ['sam@eu.example-seller.com', 'x@seller.co.uk'] })],
    ['a customer room is not an attendee', 'internal-only', meeting({ attendees: ['sam@example-seller.com', { address: 'room-4@acme.com', type: 'resource' }] })],
    ['blocked attendee (plus-tag folded)', 'blocklisted', meeting({ attendees: ['jane@acme.com', 'Blocked.Person@partner.com'] })],
    ['blocked organizer domain', 'blocklisted', meeting({ organizer: 'ops@mail.spammy.io', attendees: ['alex@example-seller.com', 'jane@acme.com'] })],
    ['blocked title phrase, any case', 'blocklisted', meeting({ title: 'CONFIDENTIAL: HR sync with Acme' })],
    ['webinar: 6 attendees outside the CRM (N = 5)', 'automated', meeting({ organizer: 'events@webinar.example', attendees: ['alex@example-seller.com', 'jane@acme.com', ...crowd(6)] })],
    ['5 outside the CRM is a meeting (N = 5)', 'ok', meeting({ attendees: ['jane@acme.com', ...crowd(5)] })],
    ['contacts do not count toward a webinar', 'ok', meeting({ attendees: ['jane@acme.com', 'ian@initrode.com', ...crowd(5)] })],
    ['no external attendee matches', 'no-crm-match', meeting({ attendees: ['someone@unknown-co.com'] })],
    ['a CRM user outside the company domain is not external', 'no-crm-match', meeting({ attendees: ['casey@contractor-mail.com'] })],
    ['an optional lead matches', 'ok', meeting({ attendees: [{ address: 'lee@hooli.io', type: 'optional' }] })],
    ['matched through the organizer', 'ok', meeting({ organizer: 'jane@acme.com', attendees: ['alex@example-seller.com'] })],
  ])('%s → %s', (_name, expected, m) => {
    expect(reasonOf(m)).toBe(expected);
  });

  it('the webinar threshold is the configured N (default 50 via config)', () => {
    const m = meeting({ attendees: ['jane@acme.com', ...crowd(60)] });
    expect(reasonOf(m, { ...ctx, webinarAttendees: 50 })).toBe('automated');
    expect(reasonOf(m, { ...ctx, webinarAttendees: 60 })).toBe('ok');
  });

  it('a cancelled meeting qualifies when asked to ignore the cancellation (an imported one, to mark it)', () => {
    expect(qualifyMeeting(meeting({ isCancelled: true }), ctx, { ignoreCancelled: true }).ok).toBe(true);
    expect(qualifyMeeting(meeting({ isCancelled: true, isPrivate: true }), ctx, { ignoreCancelled: true })).toMatchObject({ ok: false, reason: 'private' });
  });

  it('a rejection never names an address or the title', () => {
    const q = qualifyMeeting(meeting({ title: 'Confidential: HR', attendees: ['jane@acme.com'] }), ctx);
    expect(q.ok).toBe(false);
    if (!q.ok) expect(q.why).not.toMatch(/@|confidential|\bhr\b/i);
  });
});

describe('meeting activity', () => {
  const draftOf = (m: ReturnType<typeof meeting>, calendarOwner: string | null = 'alex@example-seller.com') => {
    const q = qualifyMeeting(m, ctx);
    if (!q.ok) throw new Error(`expected to qualify, got ${q.reason}`);
    return meetingActivity(m, q, ctx, { calendarOwner });
  };

  it('associates with the cascade and picks the deal open at the meeting start', () => {
    const d = draftOf(meeting({ attendees: ['jane@acme.com'], start: '2026-11-10T14:00:00.000Z' }));
    expect(d.contactIds.sort()).toEqual(['c-jane', 'c-jane-dup']);
    expect(d.accountIds).toEqual(['a-acme']);
    expect(d.dealIds).toEqual(['d-renewal']);
    expect(d.explanation).toContain('deal Renewal 2027 open at the meeting; contact role');
    expect(d.key).toBe('uid-1');
    expect(d.status).toBe('active');
  });

  it('the deal rule uses the meeting start, not today: a deal closed 14 days before still takes it, 15 not', () => {
    // d-pilot (Globex) closed 2026-03-01; window 14 days.
    const at = (start: string) => draftOf(meeting({ attendees: ['x@globex.com'], start, end: start })).dealIds;
    expect(at('2026-03-15T10:00:00.000Z')).toEqual(['d-pilot']);
    expect(at('2026-03-16T10:00:00.000Z')).toEqual([]);
  });

  it('owner: the organizer when a CRM user, else the calendar owner, else none', () => {
    expect(draftOf(meeting({ organizer: 'sam@example-seller.com' })).ownerId).toBe('u-sam');
    const byCalendar = draftOf(meeting({ organizer: 'jane@acme.com', attendees: ['alex@example-seller.com'] }), 'alex@example-seller.com');
    expect(byCalendar.ownerId).toBe('u-alex');
    expect(byCalendar.explanation).toContain('owner: calendar owner');
    const none = draftOf(meeting({ organizer: 'jane@acme.com', attendees: ['nobody@example-seller.com'] }), 'nobody@example-seller.com');
    expect(none.ownerId).toBeUndefined();
  });

  it('attendee CRM ids: contacts, leads and users invited, the owner left out', () => {
    const d = draftOf(meeting({ organizer: 'sam@example-seller.com', attendees: ['jane@acme.com', 'lee@hooli.io', 'alex@example-seller.com', 'who@acme.com'] }));
    expect(d.attendeeCrmIds.sort()).toEqual(['c-jane', 'c-jane-dup', 'l-lee', 'u-alex']);
  });

  it('describes the meeting from metadata in plain text', () => {
    const m = meeting({
      attendees: [{ address: 'jane@acme.com', name: 'Jane Doe', response: 'tentative', type: 'optional' }, { address: 'room@example-seller.com', type: 'resource' }],
      location: 'Acme HQ',
      onlineMeetingUrl: 'https://meet.example/abc',
      timeZone: 'Europe/London',
    });
    expect(meetingDescription(m)).toBe(
      [
        'Organizer: alex@example-seller.com',
        'Attendees: Jane Doe <jane@acme.com> (tentative, optional)',
        'When: 2026-11-10T14:00:00.000Z to 2026-11-10T15:00:00.000Z (Europe/London)',
        'Location: Acme HQ',
        'Online meeting: https://meet.example/abc',
      ].join('\n'),
    );
  });

  it('each occurrence of a series is its own activity', () => {
    const a = draftOf(meeting({ iCalUId: 's1', seriesMasterId: 'm', occurrenceStart: '2026-11-10T14:00:00Z' }));
    const b = draftOf(meeting({ iCalUId: 's1', seriesMasterId: 'm', occurrenceStart: '2026-11-17T14:00:00Z', start: '2026-11-17T14:00:00.000Z' }));
    expect(a.key).not.toBe(b.key);
  });
});
