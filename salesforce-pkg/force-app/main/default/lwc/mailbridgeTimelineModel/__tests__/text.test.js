import {
    displayBody,
    formatParties,
    formatParty,
    hasReplyPrefix,
    mergeParties,
    normalizeMessageId,
    parseAddressField,
    parseMessageIdList,
    parseThreadHeaders,
    plainSnippet,
    stripSubjectPrefixes
} from 'c/mailbridgeTimelineModel';

describe('subjects', () => {
    it.each([
        ['Re: Pricing', 'Pricing'],
        ['RE: Fwd: Pricing', 'Pricing'],
        ['AW: WG:  Angebot   2027', 'Angebot 2027'],
        ['Re[2]: Pricing', 'Pricing'],
        ['Return policy', 'Return policy'],
        ['  ', '']
    ])('strips prefixes of %j', (subject, expected) => {
        expect(stripSubjectPrefixes(subject)).toBe(expected);
    });

    it('detects a reply prefix', () => {
        expect(hasReplyPrefix('Fwd: x')).toBe(true);
        expect(hasReplyPrefix('Regarding x')).toBe(false);
    });
});

describe('message ids', () => {
    it('normalises brackets and space', () => {
        expect(normalizeMessageId('  <abc@x>  ')).toBe('abc@x');
        expect(normalizeMessageId('<>')).toBeNull();
        expect(normalizeMessageId(undefined)).toBeNull();
    });

    it('parses reference lists with or without brackets', () => {
        expect(parseMessageIdList('<a@x> <b@x>\r\n <a@x>')).toEqual(['a@x', 'b@x']);
        expect(parseMessageIdList('a@x, b@x')).toEqual(['a@x', 'b@x']);
        expect(parseMessageIdList('')).toEqual([]);
    });

    it('reads folded thread headers from a header block', () => {
        const headers =
            'Subject: Hi\r\nMessage-ID: <m3@x>\r\nIn-Reply-To: <m2@x>\r\nReferences: <m1@x>\r\n <m2@x>\r\nX-Other: y';
        expect(parseThreadHeaders(headers)).toEqual({
            messageId: 'm3@x',
            inReplyTo: ['m2@x'],
            references: ['m1@x', 'm2@x']
        });
        expect(parseThreadHeaders(null)).toEqual({ messageId: null, inReplyTo: [], references: [] });
    });
});

describe('snippets and bodies', () => {
    it('drops quoted history and signatures and collapses space', () => {
        const body = 'Hi Ann,\n\nSigned copy attached.\n\nOn Mon, Mar 2, 2026 at 9:15 AM Bob wrote:\n> old text';
        expect(plainSnippet(body)).toBe('Hi Ann, Signed copy attached.');
        expect(plainSnippet('Thanks!\n-- \nAnn Lee | AE')).toBe('Thanks!');
        expect(plainSnippet('> only quoted\nreal line')).toBe('real line');
    });

    it('cuts long text at a word boundary', () => {
        const snippet = plainSnippet('word '.repeat(100), 30);
        expect(snippet.endsWith('…')).toBe(true);
        expect(snippet.length).toBeLessThanOrEqual(31);
        expect(snippet).not.toMatch(/wor…$/);
    });

    it('keeps markup as literal characters and removes control characters', () => {
        expect(plainSnippet('<script>alert(1)</script> hi')).toBe('<script>alert(1)</script> hi');
        expect(displayBody('a\r\nb\u0000c\u200b')).toBe('a\nbc');
    });
});

describe('parties', () => {
    it('parses address fields', () => {
        expect(parseAddressField('"Bob Ng" <bob@acme.example>; eve@acme.example,')).toEqual([
            { name: 'Bob Ng', address: 'bob@acme.example' },
            { name: '', address: 'eve@acme.example' }
        ]);
    });

    it('merges parties case-insensitively and fills names', () => {
        expect(
            mergeParties([{ name: '', address: 'Eve@Acme.example' }], [{ name: 'Eve', address: 'eve@acme.example' }])
        ).toEqual([{ name: 'Eve', address: 'Eve@Acme.example' }]);
    });

    it('formats parties', () => {
        expect(formatParty({ name: 'Jane Doe', address: 'jane@acme.example' })).toBe('Jane Doe <jane@acme.example>');
        expect(formatParty({ name: '', address: 'jane@acme.example' })).toBe('jane@acme.example');
        expect(
            formatParties([
                { name: 'A', address: 'a@x' },
                { name: '', address: 'b@x' }
            ])
        ).toBe('A <a@x>, b@x');
    });
});
