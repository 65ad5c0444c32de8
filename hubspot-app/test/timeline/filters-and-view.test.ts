import { describe, expect, it } from 'vitest';
import { contactOptions, dealOptions, filterEmails } from '../../src/app/cards/timeline/filters';
import type { TimelineEmail } from '../../src/app/cards/timeline/types';
import { buildTimelineView, formatSentAt } from '../../src/app/cards/timeline/view';

const base: Omit<TimelineEmail, 'id' | 'sentAt' | 'subject' | 'contacts' | 'dealIds'> = {
  body: 'b',
  direction: 'outbound',
  from: { name: 'Ann', address: 'ann@ours.example' },
  to: [],
  cc: [],
  messageId: null,
  inReplyTo: [],
  references: [],
  explanation: '',
};
const jane = { name: 'Jane Doe', address: 'jane@acme.example', recordId: '601' };
const raj = { name: 'Raj Patel', address: 'raj@acme.example', recordId: '602' };
const emails: TimelineEmail[] = [
  { ...base, id: '1', sentAt: '2026-03-01T10:00:00Z', subject: 's', contacts: [jane], dealIds: ['9001'] },
  { ...base, id: '2', sentAt: '2026-03-02T10:00:00Z', subject: 't', contacts: [jane, raj], dealIds: [] },
  { ...base, id: '3', sentAt: '2026-03-03T10:00:00Z', subject: 'u', contacts: [raj], dealIds: ['9001'] },
];

describe('filters', () => {
  it('offers contacts with counts and deals by name', () => {
    expect(contactOptions(emails).map((o) => o.label)).toEqual(['All contacts', 'Jane Doe (2)', 'Raj Patel (2)']);
    expect(dealOptions([{ id: '2', name: 'Zeta' }, { id: '1', name: 'Alpha' }, { id: '3', name: '' }])).toEqual([
      { value: '', label: 'All deals' },
      { value: '1', label: 'Alpha' },
      { value: '3', label: 'Deal 3' },
      { value: '2', label: 'Zeta' },
    ]);
  });

  it.each([
    [{}, ['1', '2', '3']],
    [{ contactId: '601' }, ['1', '2']],
    [{ dealId: '9001' }, ['1', '3']],
    [{ contactId: '602', dealId: '9001' }, ['3']],
  ])('filters %o', (filters, ids) => {
    expect(filterEmails(emails, filters).map((e) => e.id)).toEqual(ids);
  });
});

describe('view', () => {
  it('summarises and labels', () => {
    const format = { locale: 'en-US', timeZone: 'UTC' };
    expect(buildTimelineView(emails, {}, new Set(), format).summary).toBe('3 emails in 3 threads');
    const view = buildTimelineView(emails, { contactId: '602' }, new Set(['3']), format);
    expect(view.summary).toBe('2 of 3 emails in 2 threads');
    expect(view.threads[0]?.emails[0]).toMatchObject({ id: '3', expanded: true, toggleLabel: 'Show less', toLabel: '—' });
  });

  it('formats dates in the portal time zone', () => {
    expect(formatSentAt('2026-03-02T09:15:00Z', 'en-US', 'UTC')).toBe('Mar 2, 2026, 9:15 AM');
    expect(formatSentAt('2026-03-02T09:15:00Z', 'de-DE', 'Europe/Berlin')).toBe('02.03.2026, 10:15');
    expect(formatSentAt('2026-03-02T09:15:00Z', 'en-US', 'Not/AZone')).toBe('Mar 2, 2026, 9:15 AM');
    expect(formatSentAt(null, 'en-US', 'UTC')).toBe('');
  });
});
