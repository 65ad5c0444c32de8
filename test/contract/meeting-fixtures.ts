/**
 * Meeting drafts for the CRM writers' contract tests (issue 15), referring to the records of
 * `smallSnapshot()` (test/contract/salesforce/crm-fixtures.ts).
 */
import type { MeetingActivityDraft } from '../../src/core/meeting.js';

/** A QBR with Jane and Pat of Acme, on the renewal deal, organised by Ann. */
export function meetingDraft(n: number, overrides: Partial<MeetingActivityDraft> = {}): MeetingActivityDraft {
  return {
    key: `040000008200E00074C5B7101A82E008${String(n).padStart(4, '0')}`,
    title: `Acme QBR ${n}`,
    start: `2026-03-1${n % 10}T14:00:00.000Z`,
    end: `2026-03-1${n % 10}T15:00:00.000Z`,
    location: 'Acme HQ, room 4',
    description: 'Organizer: ann@ours.example\nAttendees: jane@acme.co.uk, o\'brien@acme.co.uk',
    status: 'active',
    contactIds: ['c-jane', 'c-obrien'],
    accountIds: ['a-acme'],
    leadIds: [],
    dealIds: ['d-renewal'],
    ownerId: 'u-ann',
    attendeeCrmIds: ['c-jane', 'c-obrien', 'u-ann'],
    explanation: 'Logged on Renewal 2027: the only open deal of Acme, matched by jane@acme.co.uk.',
    ...overrides,
  };
}
