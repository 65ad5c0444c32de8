import { groupIntoThreads, newestFirst } from 'c/mailbridgeTimelineModel';

const email = (id, sentAt, subject, extra = {}) => ({
    id,
    sentAt,
    subject,
    messageId: null,
    inReplyTo: [],
    references: [],
    threadKey: null,
    ...extra
});

describe('groupIntoThreads', () => {
    it('links replies through In-Reply-To and References, newest first', () => {
        const emails = [
            email('a', '2026-03-01T10:00:00Z', 'Pricing', { messageId: 'a@x' }),
            email('b', '2026-03-02T10:00:00Z', 'Re: Pricing', { messageId: 'b@x', inReplyTo: ['a@x'] }),
            email('c', '2026-03-03T10:00:00Z', 'Re: Pricing', { messageId: 'c@x', references: ['a@x', 'b@x'] })
        ];
        const threads = groupIntoThreads(emails);
        expect(threads).toHaveLength(1);
        expect(threads[0].emails.map((e) => e.id)).toEqual(['c', 'b', 'a']);
        expect(threads[0].subject).toBe('Pricing');
        expect(threads[0].latestAt).toBe('2026-03-03T10:00:00Z');
    });

    it('joins two replies that only share a References root', () => {
        const threads = groupIntoThreads([
            email('x', '2026-03-02T10:00:00Z', 'Re: Plan', { messageId: 'x@x', references: ['root@x'] }),
            email('y', '2026-03-03T10:00:00Z', 'Different words', { messageId: 'y@x', references: ['root@x'] })
        ]);
        expect(threads).toHaveLength(1);
    });

    it('falls back to the subject for an email without thread headers', () => {
        const threads = groupIntoThreads([
            email('a', '2026-03-01T10:00:00Z', 'Vendor forms', { messageId: 'a@x' }),
            email('b', '2026-03-02T10:00:00Z', 'RE: Fwd: vendor   FORMS'),
            email('c', '2026-03-02T11:00:00Z', 'Something else')
        ]);
        expect(threads.map((t) => t.emails.map((e) => e.id))).toEqual([['c'], ['b', 'a']]);
    });

    it('keeps a header-linked original apart from an unrelated email that shares its subject', () => {
        const threads = groupIntoThreads([
            email('a', '2026-03-01T10:00:00Z', 'Hello', { messageId: 'a@x', references: ['old@x'] }),
            email('b', '2026-03-05T10:00:00Z', 'Hello', { messageId: 'b@x', references: ['other@x'] })
        ]);
        expect(threads).toHaveLength(2);
    });

    it('uses the thread identifier when present', () => {
        const threads = groupIntoThreads([
            email('a', '2026-03-01T10:00:00Z', 'One', { threadKey: 'T1', references: ['q@x'] }),
            email('b', '2026-03-02T10:00:00Z', 'Two', { threadKey: 'T1', references: ['r@x'] })
        ]);
        expect(threads).toHaveLength(1);
    });

    it('orders threads by their latest email and puts undated emails last', () => {
        const threads = groupIntoThreads([
            email('old', '2026-01-01T00:00:00Z', 'Old topic'),
            email('undated', null, 'No date'),
            email('new', '2026-02-01T00:00:00Z', 'New topic')
        ]);
        expect(threads.map((t) => t.subject)).toEqual(['New topic', 'Old topic', 'No date']);
    });

    it('names a thread without subject', () => {
        expect(groupIntoThreads([email('a', null, '')])[0].subject).toBe('(no subject)');
    });
});

describe('newestFirst', () => {
    it.each([
        [{ id: 'a', sentAt: '2026-01-02T00:00:00Z' }, { id: 'b', sentAt: '2026-01-01T00:00:00Z' }, -1],
        [{ id: 'a', sentAt: null }, { id: 'b', sentAt: '2026-01-01T00:00:00Z' }, 1],
        [{ id: 'a', sentAt: '2026-01-01T00:00:00Z' }, { id: 'b', sentAt: '2026-01-01T00:00:00Z' }, -1]
    ])('orders %o before/after %o', (a, b, sign) => {
        expect(Math.sign(newestFirst(a, b))).toBe(sign);
    });
});
