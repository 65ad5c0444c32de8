// What the template binds: every label a rep reads is computed here, as plain strings.
import { filterEmails } from './filters';
import { formatParties, formatParty } from './parties';
import { displayBody, plainSnippet } from './snippet';
import { meetingView } from './meetings';
import { groupIntoThreads, newestFirst } from './threads';

/**
 * A date as the rep's locale writes it, in their time zone; '' when unknown.
 * @param {string|null} iso
 * @param {string} locale e.g. "en-US"
 * @param {string} timeZone e.g. "America/New_York"
 */
export function formatSentAt(iso, locale, timeZone) {
    if (!iso) {
        return '';
    }
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) {
        return '';
    }
    try {
        return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
    } catch {
        return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(
            date
        );
    }
}

function emailView(email, expandedIds, locale, timeZone) {
    const expanded = expandedIds.has(email.id);
    const sender = formatParty(email.from) || 'Unknown sender';
    const directionLabel = email.direction === 'inbound' ? 'Received' : 'Sent';
    const sentAtLabel = formatSentAt(email.sentAt, locale, timeZone);
    return {
        id: email.id,
        subject: email.subject || '(no subject)',
        directionLabel,
        isInbound: email.direction === 'inbound',
        senderLabel: sender,
        toLabel: formatParties(email.to) || '—',
        ccLabel: formatParties(email.cc),
        sentAtIso: email.sentAt ?? '',
        sentAtLabel,
        snippet: plainSnippet(email.body) || '(empty message)',
        body: displayBody(email.body),
        explanation: email.explanation || 'No explanation was recorded.',
        dealName: email.dealName ?? '',
        expanded,
        expandedAttr: expanded ? 'true' : 'false',
        toggleLabel: expanded ? 'Show less' : 'Show full email',
        ariaLabel: `${directionLabel} ${sentAtLabel} from ${sender}: ${email.subject || '(no subject)'}`
    };
}

/**
 * The timeline as shown: filtered, emails grouped into threads, meetings one entry each, all
 * newest first (a thread by its latest email, a meeting by its start), with every label.
 * @param {object[]} emails surface-neutral emails
 * @param {{ contactId?: string, dealId?: string }} filters
 * @param {Set<string>} expandedIds emails and meetings whose full text is open
 * @param {{ locale: string, timeZone: string }} format
 * @param {object[]} [meetings] surface-neutral meetings (see fromApexMeeting)
 */
export function buildTimelineView(emails, filters, expandedIds, format, meetings = []) {
    const visible = filterEmails(emails, filters);
    const threads = groupIntoThreads(visible).map((thread) => ({
        key: thread.key,
        isMeeting: false,
        subject: thread.subject,
        countLabel: thread.emails.length === 1 ? '1 email' : `${thread.emails.length} emails`,
        latestAt: thread.latestAt,
        emails: thread.emails.map((email) => emailView(email, expandedIds, format.locale, format.timeZone))
    }));
    const visibleMeetings = filterEmails(meetings, filters);
    const entries = visibleMeetings.map((meeting) => {
        const view = meetingView(meeting, expandedIds, format.locale, format.timeZone, formatSentAt);
        return {
            key: `meeting-${meeting.id}`,
            isMeeting: true,
            subject: view.title,
            countLabel: view.statusLabel,
            latestAt: meeting.start,
            emails: [],
            meeting: view
        };
    });
    const all = [...threads, ...entries].sort((a, b) =>
        newestFirst({ id: a.key, sentAt: a.latestAt }, { id: b.key, sentAt: b.latestAt })
    );
    let summary =
        visible.length === emails.length
            ? `${emails.length} ${emails.length === 1 ? 'email' : 'emails'} in ${threads.length} ${threads.length === 1 ? 'thread' : 'threads'}`
            : `${visible.length} of ${emails.length} emails in ${threads.length} ${threads.length === 1 ? 'thread' : 'threads'}`;
    if (meetings.length) {
        const count =
            visibleMeetings.length === meetings.length
                ? `${meetings.length}`
                : `${visibleMeetings.length} of ${meetings.length}`;
        summary += `, ${count} ${meetings.length === 1 ? 'meeting' : 'meetings'}`;
    }
    return { threads: all, summary, visibleCount: visible.length + visibleMeetings.length };
}
