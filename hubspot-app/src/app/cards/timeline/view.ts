// Every label the card shows, computed as plain strings.
import { filterEmails } from './filters';
import { formatParties, formatParty } from './parties';
import { displayBody, plainSnippet } from './snippet';
import { groupIntoThreads, newestFirst } from './threads';
import type { TimelineEmail, TimelineFilters, TimelineMeeting } from './types';

export interface EmailView {
  id: string;
  subject: string;
  directionLabel: string;
  senderLabel: string;
  toLabel: string;
  ccLabel: string;
  sentAtLabel: string;
  snippet: string;
  body: string;
  explanation: string;
  expanded: boolean;
  toggleLabel: string;
}

export interface MeetingView {
  id: string;
  title: string;
  statusLabel: string;
  cancelled: boolean;
  whenLabel: string;
  location: string;
  description: string;
  explanation: string;
  expanded: boolean;
  toggleLabel: string;
}

/** An email thread, or (with `meeting` set and no emails) one meeting. */
export interface ThreadView {
  key: string;
  subject: string;
  countLabel: string;
  emails: EmailView[];
  meeting?: MeetingView;
}

export interface TimelineView {
  threads: ThreadView[];
  summary: string;
  visibleCount: number;
}

/** A date as the rep's locale writes it, in the account's time zone; '' when unknown. */
export function formatSentAt(iso: string | null, locale: string, timeZone: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date);
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "Mar 10, 2026, 2:00 PM – 3:00 PM": the end alone when it falls on the start's day. */
function whenLabel(meeting: TimelineMeeting, locale: string, timeZone: string): string {
  const start = formatSentAt(meeting.start, locale, timeZone);
  if (!meeting.end) return start;
  let end = formatSentAt(meeting.end, locale, timeZone);
  try {
    const day = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(iso));
    if (meeting.start && day(meeting.start) === day(meeting.end)) {
      end = new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(new Date(meeting.end));
    }
  } catch {
    // An unknown zone: formatSentAt already fell back to UTC for the full date.
  }
  return start ? `${start} – ${end}` : end;
}

function meetingView(meeting: TimelineMeeting, expandedIds: ReadonlySet<string>, format: { locale: string; timeZone: string }): MeetingView {
  const expanded = expandedIds.has(meeting.id);
  return {
    id: meeting.id,
    title: meeting.title || '(no title)',
    statusLabel: meeting.cancelled ? 'Cancelled meeting' : 'Meeting',
    cancelled: meeting.cancelled,
    whenLabel: whenLabel(meeting, format.locale, format.timeZone),
    location: meeting.location,
    description: displayBody(meeting.description),
    explanation: meeting.explanation || 'No explanation was recorded.',
    expanded,
    toggleLabel: expanded ? 'Hide details' : 'Show details',
  };
}

/**
 * The timeline as shown: filtered, emails threaded, meetings one entry each, all newest first (a
 * thread by its latest email, a meeting by its start), every label computed.
 */
export function buildTimelineView(
  emails: readonly TimelineEmail[],
  filters: TimelineFilters,
  expandedIds: ReadonlySet<string>,
  format: { locale: string; timeZone: string },
  meetings: readonly TimelineMeeting[] = [],
): TimelineView {
  const visible = filterEmails(emails, filters);
  const grouped = groupIntoThreads(visible);
  const latest = new Map<string, string | null>(grouped.map((t) => [t.key, t.latestAt]));
  const threads = grouped.map(
    (thread): ThreadView => ({
      key: thread.key,
      subject: thread.subject,
      countLabel: plural(thread.emails.length, 'email'),
      emails: thread.emails.map((email): EmailView => {
        const expanded = expandedIds.has(email.id);
        return {
          id: email.id,
          subject: email.subject || '(no subject)',
          directionLabel: email.direction === 'inbound' ? 'Received' : 'Sent',
          senderLabel: formatParty(email.from) || 'Unknown sender',
          toLabel: formatParties(email.to) || '—',
          ccLabel: formatParties(email.cc),
          sentAtLabel: formatSentAt(email.sentAt, format.locale, format.timeZone),
          snippet: plainSnippet(email.body) || '(empty message)',
          body: displayBody(email.body),
          explanation: email.explanation || 'No explanation was recorded.',
          expanded,
          toggleLabel: expanded ? 'Show less' : 'Show full email',
        };
      }),
    }),
  );
  const visibleMeetings = filterEmails(meetings, filters);
  for (const meeting of visibleMeetings) latest.set(`meeting-${meeting.id}`, meeting.start);
  const entries = visibleMeetings.map((meeting): ThreadView => {
    const view = meetingView(meeting, expandedIds, format);
    return { key: `meeting-${meeting.id}`, subject: view.title, countLabel: view.statusLabel, emails: [], meeting: view };
  });
  const all = [...threads, ...entries].sort((a, b) => newestFirst({ id: a.key, sentAt: latest.get(a.key) ?? null }, { id: b.key, sentAt: latest.get(b.key) ?? null }));
  let summary =
    visible.length === emails.length
      ? `${plural(emails.length, 'email')} in ${plural(threads.length, 'thread')}`
      : `${visible.length} of ${plural(emails.length, 'email')} in ${plural(threads.length, 'thread')}`;
  if (meetings.length) {
    summary += visibleMeetings.length === meetings.length ? `, ${plural(meetings.length, 'meeting')}` : `, ${visibleMeetings.length} of ${plural(meetings.length, 'meeting')}`;
  }
  return { threads: all, summary, visibleCount: visible.length + visibleMeetings.length };
}
