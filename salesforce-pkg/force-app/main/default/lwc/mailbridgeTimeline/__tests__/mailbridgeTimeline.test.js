import { createElement } from 'lwc';
import MailbridgeTimeline from 'c/mailbridgeTimeline';
import getTimeline from '@salesforce/apex/MailbridgeTimelineController.getTimeline';

jest.mock(
    '@salesforce/apex/MailbridgeTimelineController.getTimeline',
    () => {
        const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
        return { default: createApexTestWireAdapter(jest.fn()) };
    },
    { virtual: true }
);

function row(id, sentAt, subject, extra = {}) {
    return {
        id,
        subject,
        textBody: `Body of ${subject}`,
        incoming: false,
        messageDate: sentAt,
        fromName: 'Ann Lee',
        fromAddress: 'ann@ours.example',
        toAddress: 'jane@acme.example',
        ccAddress: null,
        messageIdentifier: `<${id}@x>`,
        threadIdentifier: null,
        headers: null,
        explanation: `explanation of ${id}`,
        dealId: null,
        dealName: null,
        participants: [],
        ...extra
    };
}

function mount() {
    const element = createElement('c-mailbridge-timeline', { is: MailbridgeTimeline });
    element.recordId = '001000000000001AAA';
    document.body.appendChild(element);
    return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];
const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();
const flush = () => Promise.resolve();

describe('c-mailbridge-timeline', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('asks the controller for the record it sits on and shows a spinner meanwhile', async () => {
        const element = mount();
        await flush();
        expect(getTimeline.getLastConfig()).toEqual({ recordId: '001000000000001AAA' });
        expect($(element, 'lightning-spinner').alternativeText).toBe('Loading emails');
        expect($(element, '[data-id="empty"]')).toBeNull();
    });

    it('shows the empty state when nothing was logged', async () => {
        const element = mount();
        getTimeline.emit([]);
        await flush();
        expect(text($(element, '[data-id="empty"]'))).toBe(
            'No emails have been logged by mailbridge for this record yet.'
        );
        expect($(element, 'lightning-spinner')).toBeNull();
    });

    it('shows the error state with the server message', async () => {
        const element = mount();
        getTimeline.error({ message: 'Insufficient access to EmailMessage' });
        await flush();
        const alert = $(element, '[role="alert"]');
        expect(text(alert)).toBe('The emails could not be loaded: Insufficient access to EmailMessage');
        expect($$(element, '.thread')).toHaveLength(0);
    });

    it('groups by thread, newest first, with direction, people, date, subject and explanation', async () => {
        const element = mount();
        getTimeline.emit([
            row('b', '2026-03-02T10:00:00.000Z', 'Re: Pricing', {
                incoming: true,
                fromName: 'Jane Doe',
                fromAddress: 'jane@acme.example',
                toAddress: 'ann@ours.example',
                headers: 'In-Reply-To: <a@x>'
            }),
            row('c', '2026-03-03T10:00:00.000Z', 'Onboarding', { ccAddress: 'tom@ours.example' }),
            row('a', '2026-03-01T10:00:00.000Z', 'Pricing')
        ]);
        await flush();
        const threads = $$(element, '.thread');
        expect(threads.map((t) => text(t.querySelector('.thread-subject')))).toEqual(['Onboarding', 'Pricing']);
        expect(text(threads[1].querySelector('.thread-count'))).toBe('2 emails');
        const [reply, original] = [...threads[1].querySelectorAll('.email')];
        expect(text(reply.querySelector('.direction'))).toBe('Received');
        expect(text(original.querySelector('.direction'))).toBe('Sent');
        expect(text(reply.querySelector('.sender'))).toBe('Jane Doe <jane@acme.example>');
        expect(text(reply.querySelector('.recipients'))).toBe('To: ann@ours.example');
        expect(text(reply.querySelector('.date'))).toBe('Mar 2, 2026, 2:00 AM');
        expect(reply.querySelector('.date').getAttribute('datetime')).toBe('2026-03-02T10:00:00.000Z');
        expect(text(reply.querySelector('.explanation'))).toBe('Why it is here: explanation of b');
        expect(text(threads[0].querySelector('.cc'))).toBe('Cc: tom@ours.example');
        expect(reply.querySelector('.cc')).toBeNull();
        expect(text($(element, '[data-id="summary"]'))).toBe('3 emails in 2 threads');
    });

    it('expands to the full body and collapses again, keyboard-reachable and announced', async () => {
        const element = mount();
        const body = 'First line of the answer.\n\nOn Mon, Jane wrote:\n> the question';
        getTimeline.emit([row('a', '2026-03-01T10:00:00.000Z', 'Pricing', { textBody: body })]);
        await flush();
        const toggle = $(element, 'button.toggle');
        expect(toggle.tagName).toBe('BUTTON');
        expect(toggle.getAttribute('aria-expanded')).toBe('false');
        expect(text($(element, '.snippet'))).toBe('First line of the answer.');
        expect($(element, '.body')).toBeNull();
        toggle.click();
        await flush();
        expect(toggle.getAttribute('aria-expanded')).toBe('true');
        expect(text(toggle)).toBe('Show less');
        expect($(element, '.body').textContent).toBe(body);
        expect($(element, '.snippet')).toBeNull();
        toggle.click();
        await flush();
        expect($(element, '.body')).toBeNull();
        expect(text(toggle)).toBe('Show full email');
    });

    it('filters by contact and by deal, and clears filters that match nothing', async () => {
        const jane = {
            recordId: '003A',
            name: 'Jane Doe',
            address: 'jane@acme.example',
            role: 'ToAddress',
            objectType: 'Contact'
        };
        const raj = {
            recordId: '003B',
            name: 'Raj Patel',
            address: 'raj@acme.example',
            role: 'ToAddress',
            objectType: 'Contact'
        };
        const element = mount();
        getTimeline.emit([
            row('a', '2026-03-01T10:00:00.000Z', 'One', { participants: [jane], dealId: '006A', dealName: 'Renewal' }),
            row('b', '2026-03-02T10:00:00.000Z', 'Two', { participants: [raj], dealId: '006B', dealName: 'Expansion' }),
            row('c', '2026-03-03T10:00:00.000Z', 'Three', { participants: [jane, raj] })
        ]);
        await flush();
        const contactFilter = $(element, '[data-id="contact-filter"]');
        const dealFilter = $(element, '[data-id="deal-filter"]');
        expect(contactFilter.label).toBe('Contact');
        expect(contactFilter.options.map((o) => o.label)).toEqual(['All contacts', 'Jane Doe (2)', 'Raj Patel (2)']);
        expect(dealFilter.options.map((o) => o.label)).toEqual(['All deals', 'Expansion (1)', 'Renewal (1)']);

        contactFilter.dispatchEvent(new CustomEvent('change', { detail: { value: '003A' } }));
        await flush();
        expect($$(element, '.subject').map(text)).toEqual(['Three', 'One']);
        expect(text($(element, '[data-id="summary"]'))).toBe('2 of 3 emails in 2 threads');

        dealFilter.dispatchEvent(new CustomEvent('change', { detail: { value: '006B' } }));
        await flush();
        expect($$(element, '.email')).toHaveLength(0);
        expect(text($(element, '[data-id="no-match"] p'))).toBe('No email matches these filters.');

        $(element, '[data-id="no-match"] button').click();
        await flush();
        expect($$(element, '.email')).toHaveLength(3);
    });

    it('renders script-bearing subjects and bodies as text, never as markup', async () => {
        const element = mount();
        const hostile = '<script>window.pwned = true</script><img src=x onerror="window.pwned = true">';
        getTimeline.emit([
            row('a', '2026-03-01T10:00:00.000Z', `Hi ${hostile}`, {
                textBody: `Hello ${hostile}`,
                explanation: hostile
            })
        ]);
        await flush();
        $(element, 'button.toggle').click();
        await flush();
        expect(element.shadowRoot.querySelectorAll('script, img')).toHaveLength(0);
        expect($(element, '.subject').textContent).toBe(`Hi ${hostile}`);
        expect($(element, '.body').textContent).toBe(`Hello ${hostile}`);
        expect($(element, '.explanation').textContent).toContain(hostile);
        expect(window.pwned).toBeUndefined();
    });
});
