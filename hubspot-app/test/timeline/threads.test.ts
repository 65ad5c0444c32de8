import { describe, expect, it } from 'vitest';
import { groupIntoThreads } from '../../src/app/cards/timeline/threads';

const email = (id: string, sentAt: string | null, subject: string, extra: Partial<{ messageId: string; inReplyTo: string[]; references: string[] }> = {}) => ({
  id,
  sentAt,
  subject,
  messageId: extra.messageId ?? null,
  inReplyTo: extra.inReplyTo ?? [],
  references: extra.references ?? [],
});

describe('groupIntoThreads', () => {
  it('links replies through In-Reply-To and References, newest first', () => {
    const threads = groupIntoThreads([
      email('a', '2026-03-01T10:00:00Z', 'Pricing', { messageId: 'a@x' }),
      email('b', '2026-03-02T10:00:00Z', 'Other words', { inReplyTo: ['a@x'] }),
      email('c', '2026-03-03T10:00:00Z', 'More words', { references: ['a@x'] }),
    ]);
    expect(threads.map((t) => t.emails.map((e) => e.id))).toEqual([['c', 'b', 'a']]);
    expect(threads[0]?.subject).toBe('Pricing');
  });

  it('groups by subject when HubSpot kept no thread headers', () => {
    const threads = groupIntoThreads([
      email('1', '2026-03-05T10:00:00Z', 'Security questionnaire'),
      email('2', '2026-03-09T10:00:00Z', 'Re: Security questionnaire'),
      email('3', '2026-03-10T10:00:00Z', 'AW: Re: security  questionnaire'),
      email('4', '2026-03-11T10:00:00Z', 'Kickoff'),
    ]);
    expect(threads.map((t) => [t.subject, t.emails.length])).toEqual([
      ['Kickoff', 1],
      ['Security questionnaire', 3],
    ]);
  });

  it('keeps header-linked emails with equal subjects apart when their chains differ', () => {
    const threads = groupIntoThreads([
      email('a', '2026-03-01T10:00:00Z', 'Hello', { references: ['r1@x'] }),
      email('b', '2026-03-02T10:00:00Z', 'Hello', { references: ['r2@x'] }),
    ]);
    expect(threads).toHaveLength(2);
  });

  it('puts undated emails last', () => {
    const threads = groupIntoThreads([email('u', null, 'Undated'), email('d', '2026-01-01T00:00:00Z', 'Dated')]);
    expect(threads.map((t) => t.subject)).toEqual(['Dated', 'Undated']);
  });
});
