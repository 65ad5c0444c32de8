// Meetings in the panel (issue 15): one timeline of email threads and meetings, newest first,
// each meeting with its explanation, a cancelled one shown as such.
import { createElement } from 'lwc';
import MailbridgeTimeline from 'c/mailbridgeTimeline';
import getTimeline from '@salesforce/apex/MailbridgeTimelineController.getTimeline';
import getMeetings from '@salesforce/apex/MailbridgeTimelineController.getMeetings';

jest.mock(
    '@salesforce/apex/MailbridgeTimelineController.getTimeline',
    () => {
        const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
        return { default: createApexTestWireAdapter(jest.fn()) };
    },
    { virtual: true }
);
jest.mock('@salesforce/apex/MailbridgeTimelineController.getMeetings', () => ({ default: jest.fn() }), {
    virtual: true
});

const email = (id, sentAt, subject) => ({
    id,
    subject,
    textBody: `Body of ${subject}`,
    incoming: true,
    messageDate: sentAt,
    fromName: 'Jane Doe',
    fromAddress: 'jane@acme.example',
    toAddress: 'ann@ours.example',
    messageIdentifier: `<${id}@x>`,
    explanation: `explanation of ${id}`,
    participants: []
});

const MEETINGS = [
    {
        id: '00U000000000001AAA',
        subject: 'Acme QBR',
        cancelled: false,
        startDateTime: '2026-03-10T17:00:00.000Z',
        endDateTime: '2026-03-10T18:00:00.000Z',
        location: 'Acme HQ, room 4',
        description: 'Organizer: ann@ours.example',
        explanation: 'contact jane@acme.example → deal Renewal 2027',
        dealId: '006000000000001AAA',
        dealName: 'Renewal 2027',
        contacts: [{ recordId: '003000000000001AAA', name: 'Jane Doe' }]
    },
    {
        id: '00U000000000002AAA',
        subject: 'Cancelled: Kick-off',
        cancelled: true,
        startDateTime: '2026-03-01T17:00:00.000Z',
        endDateTime: '2026-03-01T17:30:00.000Z',
        explanation: 'contact jane@acme.example → account Acme',
        contacts: []
    }
];

const text = (node) => (node ? node.textContent.replace(/\s+/g, ' ').trim() : null);
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('c-mailbridge-timeline with meetings', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('shows meetings and email threads in one timeline, newest first, cancelled marked, with explanations', async () => {
        getMeetings.mockResolvedValue(MEETINGS);
        const element = createElement('c-mailbridge-timeline', { is: MailbridgeTimeline });
        element.recordId = '001000000000001AAA';
        document.body.appendChild(element);
        getTimeline.emit([
            email('e-late', '2026-03-12T09:00:00.000Z', 'Minutes'),
            email('e-early', '2026-03-05T09:00:00.000Z', 'Agenda')
        ]);
        await flush();
        expect(getMeetings).toHaveBeenCalledWith({ recordId: '001000000000001AAA' });
        const entries = [...element.shadowRoot.querySelectorAll('.thread')].map((thread) => [
            text(thread.querySelector('.thread-subject')),
            text(thread.querySelector('.meeting .status')) ?? text(thread.querySelector('.thread-count'))
        ]);
        expect(entries).toEqual([
            ['Minutes', '1 email'],
            ['Acme QBR', 'Meeting'],
            ['Agenda', '1 email'],
            ['Kick-off', 'Cancelled meeting']
        ]);
        const qbr = element.shadowRoot.querySelector('.meeting');
        expect(text(qbr.querySelector('.location'))).toBe('Acme HQ, room 4');
        expect(text(qbr.querySelector('.explanation'))).toBe(
            'Why it is here: contact jane@acme.example → deal Renewal 2027'
        );
        expect(text(element.shadowRoot.querySelector('[data-id="summary"]'))).toBe('2 emails in 2 threads, 2 meetings');
    });

    it('still shows the emails when the meetings cannot be read', async () => {
        getMeetings.mockRejectedValue(new Error('no access to Event'));
        const element = createElement('c-mailbridge-timeline', { is: MailbridgeTimeline });
        element.recordId = '001000000000001AAA';
        document.body.appendChild(element);
        getTimeline.emit([email('e-1', '2026-03-12T09:00:00.000Z', 'Minutes')]);
        await flush();
        expect(element.shadowRoot.querySelectorAll('.thread')).toHaveLength(1);
        expect(element.shadowRoot.querySelector('.meeting')).toBeNull();
    });
});
