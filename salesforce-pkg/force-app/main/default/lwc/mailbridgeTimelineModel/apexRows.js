// From the Apex controller's rows (MailbridgeTimelineController.TimelineEmail) to the
// surface-neutral email the timeline works with.
import { normalizeMessageId, parseThreadHeaders } from './messageIds';
import { mergeParties, parseAddressField } from './parties';

function partyOf(participant) {
    return {
        name: participant.name ?? '',
        address: participant.address ?? '',
        recordId: participant.recordId ?? null,
        objectType: participant.objectType ?? null
    };
}

/**
 * Converts one Apex row. Matched people come from EmailMessageRelation rows; unmatched
 * addresses from the To/Cc text fields; both are merged so each person appears once.
 * @param {object} row
 */
export function fromApexRow(row) {
    const participants = (row.participants ?? []).map((p) => ({ ...partyOf(p), role: p.role }));
    const withRole = (role) => participants.filter((p) => p.role === role).map(partyOf);
    const headers = parseThreadHeaders(row.headers);
    const fromRelation = withRole('FromAddress')[0];
    return {
        id: row.id,
        subject: row.subject ?? '',
        body: row.textBody ?? '',
        direction: row.incoming ? 'inbound' : 'outbound',
        sentAt: row.messageDate ?? null,
        from: {
            name: row.fromName || fromRelation?.name || '',
            address: row.fromAddress || fromRelation?.address || ''
        },
        to: mergeParties(withRole('ToAddress'), parseAddressField(row.toAddress)),
        cc: mergeParties(withRole('CcAddress'), parseAddressField(row.ccAddress)),
        messageId: normalizeMessageId(row.messageIdentifier) ?? headers.messageId,
        inReplyTo: headers.inReplyTo,
        references: headers.references,
        threadKey: row.threadIdentifier || null,
        explanation: row.explanation ?? '',
        contacts: participants.filter((p) => p.objectType === 'Contact' && p.recordId).map(partyOf),
        dealId: row.dealId ?? null,
        dealName: row.dealName ?? null
    };
}
