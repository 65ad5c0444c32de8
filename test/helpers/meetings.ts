/** Meetings for tests: `meeting({ organizer: 'alex@…', attendees: ['jane@acme.com'] })`. */
import { meetingKey, type MeetingAttendee, type MeetingMeta } from '../../src/core/meeting.js';

type AttendeeInput = string | Partial<MeetingAttendee> & { address: string };

export function meeting(m: Partial<Omit<MeetingMeta, 'attendees' | 'organizer'>> & { organizer?: string; attendees?: AttendeeInput[] } = {}): MeetingMeta {
  const iCalUId = m.iCalUId ?? 'uid-1';
  const attendees = (m.attendees ?? ['jane@acme.com']).map((a): MeetingAttendee =>
    typeof a === 'string' ? { address: a, response: 'accepted', type: 'required' } : { response: 'accepted', type: 'required', ...a },
  );
  return {
    id: m.id ?? `ev-${iCalUId}`,
    mailbox: m.mailbox ?? 'alex@example-seller.com',
    iCalUId,
    key: m.key ?? meetingKey(iCalUId, m.occurrenceStart),
    title: m.title ?? 'Quarterly business review',
    organizer: { address: m.organizer ?? 'alex@example-seller.com' },
    attendees,
    start: m.start ?? '2026-11-10T14:00:00.000Z',
    end: m.end ?? '2026-11-10T15:00:00.000Z',
    isCancelled: m.isCancelled ?? false,
    isPrivate: m.isPrivate ?? false,
    isAllDay: m.isAllDay ?? false,
    showAs: m.showAs ?? 'busy',
    ...(m.timeZone ? { timeZone: m.timeZone } : {}),
    ...(m.location ? { location: m.location } : {}),
    ...(m.onlineMeetingUrl ? { onlineMeetingUrl: m.onlineMeetingUrl } : {}),
    ...(m.seriesMasterId ? { seriesMasterId: m.seriesMasterId } : {}),
    ...(m.occurrenceStart ? { occurrenceStart: m.occurrenceStart } : {}),
    lastModified: m.lastModified ?? '2026-11-01T10:00:00.000Z',
  };
}
