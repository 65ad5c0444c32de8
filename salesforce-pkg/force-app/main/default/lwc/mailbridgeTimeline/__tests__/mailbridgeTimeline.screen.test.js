// "Screenshot-like" check: the Account page of Northwind Traders with 20 logged emails,
// asserted as the text a rep reads, top to bottom (dates in the org's default time zone
// as the test runner mocks it: America/Los_Angeles, en-US).
import { createElement } from 'lwc';
import MailbridgeTimeline from 'c/mailbridgeTimeline';
import getTimeline from '@salesforce/apex/MailbridgeTimelineController.getTimeline';

const NORTHWIND = require('./data/northwindTimeline.json');

jest.mock(
    '@salesforce/apex/MailbridgeTimelineController.getTimeline',
    () => {
        const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
        return { default: createApexTestWireAdapter(jest.fn()) };
    },
    { virtual: true }
);

const text = (node) => (node ? node.textContent.replace(/\s+/g, ' ').trim() : null);
const flush = () => Promise.resolve();

/** The screen as lines of text: one block per thread, one line per email. */
function readScreen(element) {
    return [...element.shadowRoot.querySelectorAll('.thread')].map((thread) => ({
        subject: text(thread.querySelector('.thread-subject')),
        count: text(thread.querySelector('.thread-count')),
        emails: [...thread.querySelectorAll('.email')].map((email) =>
            [
                text(email.querySelector('.direction')),
                text(email.querySelector('.sender')),
                text(email.querySelector('.date'))
            ].join(' | ')
        )
    }));
}

describe('c-mailbridge-timeline with a realistic account (20 emails)', () => {
    let element;

    beforeEach(async () => {
        element = createElement('c-mailbridge-timeline', { is: MailbridgeTimeline });
        element.recordId = '001000000000009AAA';
        document.body.appendChild(element);
        getTimeline.emit(NORTHWIND);
        await flush();
    });

    afterEach(() => {
        document.body.removeChild(element);
    });

    it('fixture is the 20-email account', () => {
        expect(NORTHWIND).toHaveLength(20);
    });

    it('reads as 8 threads, newest conversation first', () => {
        expect(text(element.shadowRoot.querySelector('[data-id="summary"]'))).toBe('20 emails in 8 threads');
        const screen = readScreen(element);
        expect(screen.map((t) => `${t.subject} (${t.count})`)).toEqual([
            'Quarterly business review — April (1 email)',
            'Team offsite photos <img src=x onerror=alert(1)> (1 email)',
            'Purchase order 4500012345 (2 emails)',
            'EU expansion: kickoff agenda (3 emails)',
            'Quick question about SSO (2 emails)',
            'Vendor registration forms (3 emails)',
            'Renewal 2027 pricing (5 emails)',
            'Security questionnaire for EU rollout (3 emails)'
        ]);
        expect(screen[6].emails).toEqual([
            'Sent | Ann Lee <ann.lee@ourco.example> | Mar 11, 2026, 2:00 AM',
            'Received | Jane Doe <jane.doe@northwind.example> | Mar 6, 2026, 8:20 AM',
            'Sent | Ann Lee <ann.lee@ourco.example> | Mar 4, 2026, 12:40 AM',
            'Received | Jane Doe <jane.doe@northwind.example> | Mar 3, 2026, 6:02 AM',
            'Sent | Ann Lee <ann.lee@ourco.example> | Mar 2, 2026, 1:15 AM'
        ]);
    });

    it('shows recipients, snippet and the reason on the latest email', () => {
        const first = element.shadowRoot.querySelector('.email');
        expect(text(first.querySelector('.recipients'))).toBe(
            'To: Jane Doe <jane.doe@northwind.example>, Lena Fischer <lena.fischer@northwind.example>'
        );
        expect(text(first.querySelector('.snippet'))).toBe(
            'Hi Jane, hi Lena, proposing April 15 or 16 for the QBR. Which works better? Ann'
        );
        expect(text(first.querySelector('.explanation'))).toBe(
            'Why it is here: contact jane.doe@northwind.example → account Northwind Traders'
        );
    });

    it('keeps quoted history out of snippets and shows a header-less reply in its thread', () => {
        const vendor = [...element.shadowRoot.querySelectorAll('.thread')][5];
        expect([...vendor.querySelectorAll('.subject')].map(text)).toEqual([
            'RE: Vendor registration forms',
            'Re: Vendor registration forms',
            'Vendor registration forms'
        ]);
        const security = [...element.shadowRoot.querySelectorAll('.thread')][7];
        expect(text(security.querySelector('.snippet'))).toBe('Danke Tom, our team has signed off.');
    });

    it('lets a rep narrow to Raj Patel, then to the EU expansion deal', async () => {
        const contactFilter = element.shadowRoot.querySelector('[data-id="contact-filter"]');
        expect(contactFilter.options.map((o) => o.label)).toEqual([
            'All contacts',
            'Jane Doe (9)',
            'Lena Fischer (7)',
            'Raj Patel (7)'
        ]);
        contactFilter.dispatchEvent(new CustomEvent('change', { detail: { value: '003000000000002AAA' } }));
        await flush();
        expect(text(element.shadowRoot.querySelector('[data-id="summary"]'))).toBe('7 of 20 emails in 3 threads');
        expect(readScreen(element).map((t) => t.subject)).toEqual([
            'Purchase order 4500012345',
            'Vendor registration forms',
            'Renewal 2027 pricing'
        ]);

        contactFilter.dispatchEvent(new CustomEvent('change', { detail: { value: '' } }));
        const dealFilter = element.shadowRoot.querySelector('[data-id="deal-filter"]');
        dealFilter.dispatchEvent(new CustomEvent('change', { detail: { value: '006000000000002AAA' } }));
        await flush();
        expect(text(element.shadowRoot.querySelector('[data-id="summary"]'))).toBe('6 of 20 emails in 2 threads');
        expect(readScreen(element).map((t) => t.subject)).toEqual([
            'EU expansion: kickoff agenda',
            'Security questionnaire for EU rollout'
        ]);
    });

    it('never turns email text into markup', () => {
        expect(element.shadowRoot.querySelectorAll('script, img, b')).toHaveLength(0);
    });
});
