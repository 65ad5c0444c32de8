// The Salesforce panel's model (salesforce-pkg lwc/mailbridgeTimelineModel) renders one timeline
// of email threads and meetings (issue 15), run from the root suite: the model is plain ES
// modules, so it runs here even where the package's own jest suite is not installed.
import { describe, expect, it } from 'vitest';

type Row = Record<string, unknown>;
interface Model {
  fromApexRow(row: Row): Row;
  fromApexMeeting(row: Row): Row;
  buildTimelineView(
    emails: Row[],
    filters: { contactId?: string; dealId?: string },
    expanded: Set<string>,
    format: { locale: string; timeZone: string },
    meetings?: Row[],
  ): { threads: { subject: string; countLabel: string; isMeeting: boolean; meeting?: Record<string, string | boolean> }[]; summary: string; visibleCount: number };
}

const modelUrl = new URL('../../salesforce-pkg/force-app/main/default/lwc/mailbridgeTimelineModel/mailbridgeTimelineModel.js', import.meta.url).href;
const load = async () => (await import(modelUrl)) as Model;

const email = (id: string, sentAt: string, subject: string, extra: Row = {}): Row => ({
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
  participants: [],
  ...extra,
});

const meetings: Row[] = [
  {
    id: '00U1',
    subject: 'Acme QBR',
    cancelled: false,
    startDateTime: '2026-03-10T14:00:00.000Z',
    endDateTime: '2026-03-10T15:00:00.000Z',
    location: 'Acme HQ, room 4',
    description: 'Organizer: ann@ours.example',
    explanation: 'contact jane@acme.example → deal Renewal 2027',
    dealId: '006R',
    dealName: 'Renewal 2027',
    contacts: [{ recordId: '003J', name: 'Jane Doe' }],
  },
  { id: '00U2', subject: 'Cancelled: Kick-off', startDateTime: '2026-03-01T14:00:00.000Z', endDateTime: '2026-03-01T14:30:00.000Z', explanation: '', contacts: [] },
];

describe('Salesforce panel model: meetings in the timeline', () => {
  const format = { locale: 'en-US', timeZone: 'UTC' };

  it('sorts meetings among email threads by time, marks the cancelled one, keeps each explanation', async () => {
    const m = await load();
    const emails = [email('e-late', '2026-03-12T09:00:00.000Z', 'Minutes'), email('e-early', '2026-03-05T09:00:00.000Z', 'Agenda')].map(m.fromApexRow);
    const view = m.buildTimelineView(emails, {}, new Set(), format, meetings.map(m.fromApexMeeting));
    expect(view.threads.map((t) => [t.subject, t.countLabel])).toEqual([
      ['Minutes', '1 email'],
      ['Acme QBR', 'Meeting'],
      ['Agenda', '1 email'],
      ['Kick-off', 'Cancelled meeting'],
    ]);
    const qbr = view.threads[1]!.meeting!;
    expect(qbr).toMatchObject({ whenLabel: 'Mar 10, 2026, 2:00 PM – 3:00 PM', locationLabel: 'Acme HQ, room 4', isCancelled: false });
    expect(qbr.explanation).toBe('contact jane@acme.example → deal Renewal 2027');
    expect(view.threads[3]!.meeting).toMatchObject({ isCancelled: true, explanation: 'No explanation was recorded.' });
    expect(view.summary).toBe('2 emails in 2 threads, 2 meetings');
    expect(view.visibleCount).toBe(4);
  });

  it('filters meetings with the emails, and shows the old summary when there are none', async () => {
    const m = await load();
    const emails = [email('e-1', '2026-03-12T09:00:00.000Z', 'Minutes')].map(m.fromApexRow);
    const onDeal = m.buildTimelineView(emails, { dealId: '006R' }, new Set(), format, meetings.map(m.fromApexMeeting));
    expect(onDeal.threads.map((t) => t.subject)).toEqual(['Acme QBR']);
    expect(onDeal.summary).toBe('0 of 1 emails in 0 threads, 1 of 2 meetings');
    expect(m.buildTimelineView(emails, {}, new Set(), format).summary).toBe('1 email in 1 thread');
  });
});
