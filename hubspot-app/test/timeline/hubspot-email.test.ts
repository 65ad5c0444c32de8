import { describe, expect, it } from 'vitest';
import {
  fromHubSpotEmail,
  isMailbridgeEmail,
  parseEmailHeaders,
  timestampToIso,
} from '../../src/app/cards/timeline/hubspot-email';
import { plainSnippet, displayBody } from '../../src/app/cards/timeline/snippet';
import { stripSubjectPrefixes } from '../../src/app/cards/timeline/subject';
import { parseMessageIdList } from '../../src/app/cards/timeline/message-ids';
import { formatParty } from '../../src/app/cards/timeline/parties';

describe('hs_email_headers', () => {
  it('reads from, to and cc, never bcc', () => {
    const headers = parseEmailHeaders(
      JSON.stringify({
        from: { email: 'ann@ours.example', firstName: 'Ann', lastName: 'Lee' },
        to: [{ email: 'bob@client.example', firstName: 'Bob' }],
        cc: [{ email: 'eve@client.example' }],
        bcc: [{ email: 'hidden@ours.example' }],
      }),
    );
    expect(headers.from).toEqual({ name: 'Ann Lee', address: 'ann@ours.example' });
    expect(headers.to).toEqual([{ name: 'Bob', address: 'bob@client.example' }]);
    expect(headers.cc).toEqual([{ name: '', address: 'eve@client.example' }]);
    expect(JSON.stringify(headers)).not.toContain('hidden');
  });

  it('tolerates missing or broken JSON and reads optional thread keys', () => {
    expect(parseEmailHeaders('{not json').to).toEqual([]);
    expect(parseEmailHeaders(null).from).toBeNull();
    const threaded = parseEmailHeaders(JSON.stringify({ messageId: '<m2@x>', inReplyTo: '<m1@x>', references: ['<m0@x>', 'm1@x'] }));
    expect([threaded.messageId, threaded.inReplyTo, threaded.references]).toEqual(['m2@x', ['m1@x'], ['m0@x', 'm1@x']]);
  });
});

describe('fromHubSpotEmail', () => {
  const contacts = [{ id: '601', name: 'Jane Doe', email: 'jane@acme.example' }];
  const record = {
    toObjectId: 42,
    properties: {
      hs_email_subject: 'Re: Hi',
      hs_email_text: 'Body',
      hs_email_direction: 'INCOMING_EMAIL',
      hs_timestamp: '1772442900000',
      hs_email_headers: JSON.stringify({ from: { email: 'JANE@acme.example' }, to: [{ email: 'ann@ours.example' }] }),
      mailbridge_key: 'k',
      mailbridge_explanation: 'contact jane@acme.example → company Acme',
    },
  };

  it('maps properties and marks record contacts by address, case-insensitively', () => {
    const email = fromHubSpotEmail(record, contacts);
    expect(email).toMatchObject({
      id: '42',
      direction: 'inbound',
      sentAt: '2026-03-02T09:15:00.000Z',
      from: { name: 'Jane Doe', address: 'JANE@acme.example', recordId: '601' },
      explanation: 'contact jane@acme.example → company Acme',
    });
    expect(email.contacts.map((c) => c.recordId)).toEqual(['601']);
  });

  it('treats EMAIL and FORWARDED_EMAIL as sent and keeps only mailbridge emails', () => {
    const sent = fromHubSpotEmail({ ...record, properties: { ...record.properties, hs_email_direction: 'FORWARDED_EMAIL' } }, []);
    expect(sent.direction).toBe('outbound');
    expect(isMailbridgeEmail(record)).toBe(true);
    expect(isMailbridgeEmail({ ...record, properties: { ...record.properties, mailbridge_key: null } })).toBe(false);
  });

  it.each([
    ['2026-03-02T09:15:00Z', '2026-03-02T09:15:00.000Z'],
    ['1772442900000', '2026-03-02T09:15:00.000Z'],
    ['garbage', null],
    [null, null],
  ])('reads hs_timestamp %j', (value, expected) => {
    expect(timestampToIso(value)).toBe(expected);
  });
});

describe('text helpers', () => {
  it.each([
    ['RE: Fwd: Pricing', 'Pricing'],
    ['SV: Offert', 'Offert'],
    ['Return of goods', 'Return of goods'],
  ])('strips %j', (subject, expected) => expect(stripSubjectPrefixes(subject)).toBe(expected));

  it('builds snippets without quoted history and keeps markup as characters', () => {
    expect(plainSnippet('Thanks!\n\nOn Tue, Bob wrote:\n> earlier')).toBe('Thanks!');
    expect(plainSnippet('<b>bold</b> and <script>x()</script>')).toBe('<b>bold</b> and <script>x()</script>');
    expect(plainSnippet('long '.repeat(60), 40)).toMatch(/^(long ){6,}long…$/);
    expect(displayBody('a\r\nb\u0007')).toBe('a\nb');
  });

  it('parses id lists and formats parties', () => {
    expect(parseMessageIdList('<a@x> <b@x> <a@x>')).toEqual(['a@x', 'b@x']);
    expect(formatParty({ name: 'Jane', address: 'jane@x' })).toBe('Jane <jane@x>');
    expect(formatParty({ name: '', address: 'jane@x' })).toBe('jane@x');
  });
});
