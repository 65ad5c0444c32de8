// Every label the card shows, computed as plain strings.
import { filterEmails } from './filters';
import { formatParties, formatParty } from './parties';
import { displayBody, plainSnippet } from './snippet';
import { groupIntoThreads } from './threads';
import type { TimelineEmail, TimelineFilters } from './types';

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

export interface ThreadView {
  key: string;
  subject: string;
  countLabel: string;
  emails: EmailView[];
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

/** The timeline as shown: filtered, threaded, newest first, every label computed. */
export function buildTimelineView(
  emails: readonly TimelineEmail[],
  filters: TimelineFilters,
  expandedIds: ReadonlySet<string>,
  format: { locale: string; timeZone: string },
): TimelineView {
  const visible = filterEmails(emails, filters);
  const threads = groupIntoThreads(visible).map(
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
  const summary =
    visible.length === emails.length
      ? `${plural(emails.length, 'email')} in ${plural(threads.length, 'thread')}`
      : `${visible.length} of ${plural(emails.length, 'email')} in ${plural(threads.length, 'thread')}`;
  return { threads, summary, visibleCount: visible.length };
}
