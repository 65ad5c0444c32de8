import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../src/core/classify.js';
import { cleanHeaderValue } from '../../src/core/header-value.js';
import { parseRawMessage } from '../../src/core/parse-message.js';
import { toMessageMeta as gmailMeta } from '../../src/providers/gmail/gmail-mapper.js';
import { toMessageMeta as graphMeta } from '../../src/providers/graph/graph-mapper.js';
import { engineFor } from '../helpers/engine.js';

// Issue 11: CR, LF and NUL in header values are cleaned at the provider edge.
describe('cleanHeaderValue', () => {
  it.each([
    ['<a@b>\r\nReferences: <x@y>', '<a@b> References: <x@y>'],
    ['jane@acme\u0000.com', 'jane@acme.com'],
    ['Re: a,\r\n\tb', 'Re: a, b'],
    ['one\rtwo\nthree', 'one two three'],
    ['tab\tkept', 'tab\tkept'],
  ])('%j → %j', (input, expected) => {
    expect(cleanHeaderValue(input)).toBe(expected);
  });
});

describe('provider metadata carries no CR, LF or NUL', () => {
  const ctx = engineFor({
    companyDomains: ['example-seller.com'],
    accounts: [{ id: 'a-acme', name: 'Acme', domains: ['acme.com'] }],
  });
  const opts = { mailboxOwner: null, now: new Date('2026-04-14') };

  // Graph hands addresses as typed properties, verbatim: a NUL made the From unreadable, the
  // only other participant was internal, and the mail was skipped as internal-only.
  it('Graph: a NUL inside the From address is removed and the mail is external', () => {
    const meta = graphMeta(
      {
        id: 'g1',
        subject: 'Hi\r\nthere',
        from: { emailAddress: { name: 'Jane', address: 'jane@acme\u0000.com' } },
        toRecipients: [{ emailAddress: { name: 'Alex', address: 'alex@example-seller.com' } }],
        internetMessageId: '<g1@acme.com>\r\nReferences: <hijack@x.example>',
        internetMessageHeaders: [{ name: 'In-Reply-To', value: '<p@acme.com>\r\nX-Evil: 1' }],
      },
      'inbox',
    );
    expect(meta.from?.address).toBe('jane@acme.com');
    expect(meta.subject).toBe('Hi there');
    expect(meta.messageId).toBe('<g1@acme.com> References: <hijack@x.example>');
    expect(meta.headers['in-reply-to']).toEqual(['<p@acme.com> X-Evil: 1']);
    expect(classifyMessage(meta, null, ctx, opts)).toMatchObject({ decision: 'import', accounts: ['a-acme'] });
  });

  it('Gmail: header values are on one line before they are parsed', () => {
    const meta = gmailMeta(
      {
        id: 'm1',
        payload: {
          headers: [
            { name: 'From', value: 'Jane <jane@acme\u0000.com>' },
            { name: 'To', value: 'alex@example-seller.com' },
            { name: 'Message-ID', value: '<m1@acme.com>\r\nReferences: <hijack@x.example>' },
            { name: 'Subject', value: 'Hi\u0000 there' },
          ],
        },
      },
      'inbox',
    );
    expect(meta.messageId).toBe('<m1@acme.com> References: <hijack@x.example>');
    expect(meta.subject).toBe('Hi there');
    expect(meta.from?.address).toBe('jane@acme.com');
    expect(classifyMessage(meta, null, ctx, opts)).toMatchObject({ decision: 'import' });
  });
});

describe('mail files (classify) carry no CR, LF or NUL', () => {
  it('a NUL in the Subject and a bare CR in Message-ID are cleaned', async () => {
    const raw = 'From: jane@acme.com\r\nTo: alex@example-seller.com\r\nSubject: a\u0000b\r\nMessage-ID: <a@b>\rReferences: <x@y>\r\n\r\nbody';
    const { meta } = await parseRawMessage(raw, 'x.eml');
    expect(meta.subject).toBe('ab');
    expect(meta.messageId).toBe('<a@b> References: <x@y>');
    expect(JSON.stringify(meta)).not.toMatch(/\\[rn]|\\u0000/);
  });
});
