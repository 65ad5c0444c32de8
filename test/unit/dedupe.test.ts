import { describe, expect, it } from 'vitest';
import { dedupeKey, normalizeMessageId } from '../../src/core/dedupe.js';
import type { MessageMeta } from '../../src/core/types.js';

const meta = (over: Partial<MessageMeta>): MessageMeta => ({
  id: 'x',
  folder: 'inbox',
  isDraft: false,
  messageId: null,
  from: { name: 'Jane', address: 'jane@acme.com' },
  sender: null,
  replyTo: [],
  to: [{ name: '', address: 'rep@seller.com' }],
  cc: [],
  bcc: [],
  subject: 'Renewal',
  sentAt: '2026-03-01T10:00:00.000Z',
  inReplyTo: null,
  references: [],
  headers: {},
  ...over,
});

// DESIGN §1.5: "Dedupe by normalized Message-ID (angle brackets stripped, trimmed); without one,
// a hash of From, date, subject and the recipient set."
describe('dedupe key', () => {
  it('strips brackets and whitespace from the Message-ID', () => {
    expect(normalizeMessageId('  <abc@host>  ')).toBe('abc@host');
    expect(dedupeKey(meta({ messageId: '<abc@host>' }))).toBe(dedupeKey(meta({ messageId: 'abc@host', id: 'other' })));
  });
  it('falls back to a hash that ignores recipient order and case', () => {
    const a = meta({ to: [{ name: '', address: 'A@x.com' }, { name: '', address: 'b@y.com' }] });
    const b = meta({ id: 'y', to: [{ name: 'B', address: 'b@y.com' }], cc: [{ name: '', address: 'a@x.com' }] });
    expect(dedupeKey(a)).toMatch(/^hash:[0-9a-f]{40}$/);
    expect(dedupeKey(a)).toBe(dedupeKey(b));
  });
  it('a different subject, date or sender is a different email', () => {
    const base = dedupeKey(meta({}));
    expect(dedupeKey(meta({ subject: 'Other' }))).not.toBe(base);
    expect(dedupeKey(meta({ sentAt: '2026-03-01T10:00:01.000Z' }))).not.toBe(base);
    expect(dedupeKey(meta({ from: { name: '', address: 'bob@acme.com' } }))).not.toBe(base);
  });
});
