// Meetings in the timeline (issue 15): from the Apex controller's rows
// (MailbridgeTimelineController.TimelineMeeting) to a surface-neutral meeting, and its labels.
import { displayBody } from './snippet';

/** The subject prefix the sync job marks a cancelled meeting's Event with. */
const CANCELLED_PREFIX = 'Cancelled: ';

/**
 * Converts one Apex row. The title loses the "Cancelled: " prefix; `cancelled` says it instead.
 * @param {object} row
 */
export function fromApexMeeting(row) {
    const subject = row.subject ?? '';
    const cancelled = row.cancelled === true || subject.startsWith(CANCELLED_PREFIX);
    return {
        id: row.id,
        title: subject.startsWith(CANCELLED_PREFIX) ? subject.slice(CANCELLED_PREFIX.length) : subject,
        cancelled,
        start: row.startDateTime ?? null,
        end: row.endDateTime ?? null,
        location: row.location ?? '',
        description: row.description ?? '',
        explanation: row.explanation ?? '',
        contacts: (row.contacts ?? [])
            .filter((c) => c.recordId)
            .map((c) => ({ recordId: c.recordId, name: c.name ?? '', address: '' })),
        dealId: row.dealId ?? null,
        dealName: row.dealName ?? null
    };
}

/** The end time alone when the meeting ends the day it starts (in the rep's zone). */
function endLabel(start, end, locale, timeZone, formatSentAt) {
    if (!end) {
        return '';
    }
    const day = (iso) => {
        try {
            return new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(iso));
        } catch {
            return new Date(iso).toISOString().slice(0, 10);
        }
    };
    if (start && day(start) === day(end)) {
        try {
            return new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(new Date(end));
        } catch {
            return formatSentAt(end, locale, timeZone);
        }
    }
    return formatSentAt(end, locale, timeZone);
}

/**
 * Every label of one meeting, as plain strings.
 * @param {ReturnType<typeof fromApexMeeting>} meeting
 * @param {Set<string>} expandedIds
 * @param {string} locale
 * @param {string} timeZone
 * @param {(iso: string|null, locale: string, timeZone: string) => string} formatSentAt
 */
export function meetingView(meeting, expandedIds, locale, timeZone, formatSentAt) {
    const expanded = expandedIds.has(meeting.id);
    const startLabel = formatSentAt(meeting.start, locale, timeZone);
    const end = endLabel(meeting.start, meeting.end, locale, timeZone, formatSentAt);
    const whenLabel = end ? `${startLabel} – ${end}` : startLabel;
    const title = meeting.title || '(no title)';
    const statusLabel = meeting.cancelled ? 'Cancelled meeting' : 'Meeting';
    return {
        id: meeting.id,
        title,
        statusLabel,
        isCancelled: meeting.cancelled,
        badgeClass: meeting.cancelled ? 'slds-badge slds-theme_error status' : 'slds-badge status',
        whenLabel,
        startIso: meeting.start ?? '',
        locationLabel: meeting.location,
        description: displayBody(meeting.description),
        explanation: meeting.explanation || 'No explanation was recorded.',
        dealName: meeting.dealName ?? '',
        expanded,
        expandedAttr: expanded ? 'true' : 'false',
        toggleLabel: expanded ? 'Hide details' : 'Show details',
        ariaLabel: `${statusLabel} ${whenLabel}: ${title}`
    };
}
