import {
    buildTimelineView,
    contactOptions,
    dealOptions,
    filterEmails,
    formatSentAt,
    fromApexRow
} from 'c/mailbridgeTimelineModel';

const jane = { recordId: '003A', name: 'Jane Doe', address: 'jane@acme.example' };
const raj = { recordId: '003B', name: 'Raj Patel', address: 'raj@acme.example' };
const base = {
    subject: 's',
    body: 'b',
    messageId: null,
    inReplyTo: [],
    references: [],
    threadKey: null,
    from: { name: '', address: 'x@y' },
    to: [],
    cc: [],
    explanation: ''
};
const emails = [
    { ...base, id: '1', sentAt: '2026-03-01T10:00:00Z', contacts: [jane], dealId: 'D1', dealName: 'Renewal' },
    {
        ...base,
        id: '2',
        sentAt: '2026-03-02T10:00:00Z',
        subject: 't',
        contacts: [jane, raj],
        dealId: null,
        dealName: null
    },
    {
        ...base,
        id: '3',
        sentAt: '2026-03-03T10:00:00Z',
        subject: 'u',
        contacts: [raj],
        dealId: 'D1',
        dealName: 'Renewal'
    }
];

describe('filters', () => {
    it('offers each contact and deal once with counts', () => {
        expect(contactOptions(emails)).toEqual([
            { value: '', label: 'All contacts' },
            { value: '003A', label: 'Jane Doe (2)' },
            { value: '003B', label: 'Raj Patel (2)' }
        ]);
        expect(dealOptions(emails)).toEqual([
            { value: '', label: 'All deals' },
            { value: 'D1', label: 'Renewal (2)' }
        ]);
    });

    it.each([
        [{}, ['1', '2', '3']],
        [{ contactId: '003A' }, ['1', '2']],
        [{ dealId: 'D1' }, ['1', '3']],
        [{ contactId: '003A', dealId: 'D1' }, ['1']],
        [{ contactId: 'nobody' }, []]
    ])('filters %o', (filters, ids) => {
        expect(filterEmails(emails, filters).map((e) => e.id)).toEqual(ids);
    });
});

describe('view', () => {
    it('summarises filtered and unfiltered timelines', () => {
        const format = { locale: 'en-US', timeZone: 'UTC' };
        expect(buildTimelineView(emails, {}, new Set(), format).summary).toBe('3 emails in 3 threads');
        expect(buildTimelineView(emails, { dealId: 'D1' }, new Set(), format).summary).toBe(
            '2 of 3 emails in 2 threads'
        );
    });

    it('labels expanded and collapsed emails', () => {
        const view = buildTimelineView(emails, {}, new Set(['3']), { locale: 'en-US', timeZone: 'UTC' });
        const [first, second] = view.threads.map((t) => t.emails[0]);
        expect([first.id, first.expandedAttr, first.toggleLabel]).toEqual(['3', 'true', 'Show less']);
        expect([second.expandedAttr, second.toggleLabel]).toEqual(['false', 'Show full email']);
    });

    it('formats dates in the given zone and tolerates bad input', () => {
        expect(formatSentAt('2026-03-02T09:15:00Z', 'en-US', 'UTC')).toBe('Mar 2, 2026, 9:15 AM');
        expect(formatSentAt('2026-03-02T09:15:00Z', 'en-US', 'America/New_York')).toBe('Mar 2, 2026, 4:15 AM');
        expect(formatSentAt('not a date', 'en-US', 'UTC')).toBe('');
        expect(formatSentAt(null, 'en-US', 'UTC')).toBe('');
    });
});

describe('fromApexRow', () => {
    it('merges relation rows with address fields and reads thread headers', () => {
        const email = fromApexRow({
            id: '02s1',
            subject: 'Re: Hi',
            textBody: 'Body',
            incoming: true,
            messageDate: '2026-03-02T09:15:00.000Z',
            fromName: null,
            fromAddress: null,
            toAddress: 'ann@ours.example; JANE@acme.example',
            ccAddress: null,
            messageIdentifier: null,
            threadIdentifier: null,
            headers: 'Message-ID: <m2@x>\nIn-Reply-To: <m1@x>',
            explanation: 'contact jane@acme.example → account Acme',
            dealId: null,
            dealName: null,
            participants: [
                {
                    recordId: '003B',
                    name: 'Raj Patel',
                    address: 'raj@acme.example',
                    role: 'FromAddress',
                    objectType: 'Contact'
                },
                {
                    recordId: '003A',
                    name: 'Jane Doe',
                    address: 'jane@acme.example',
                    role: 'ToAddress',
                    objectType: 'Contact'
                }
            ]
        });
        expect(email.direction).toBe('inbound');
        expect(email.from).toEqual({ name: 'Raj Patel', address: 'raj@acme.example' });
        expect(email.to.map((p) => p.address)).toEqual(['jane@acme.example', 'ann@ours.example']);
        expect(email.messageId).toBe('m2@x');
        expect(email.inReplyTo).toEqual(['m1@x']);
        expect(email.contacts.map((c) => c.recordId)).toEqual(['003B', '003A']);
    });
});
