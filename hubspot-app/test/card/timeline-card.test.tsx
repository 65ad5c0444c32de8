import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { Button, EmptyState, ErrorState, Heading, LoadingSpinner, Select, Tag, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { TimelineCard } from '../../src/app/cards/timeline-card';
import { choose, emailRecord, installCrmSearchHost, serveCrm, type CrmFixture } from './mock-crm';

let host: ReturnType<typeof installCrmSearchHost> | undefined;
afterEach(() => {
  host?.uninstall();
  host = undefined;
});

const jane = { toObjectId: 601, associationTypes: [], properties: { firstname: 'Jane', lastname: 'Doe', email: 'jane@acme.example' } };
const raj = { toObjectId: 602, associationTypes: [], properties: { firstname: 'Raj', lastname: 'Patel', email: 'raj@acme.example' } };
const rajAddress = { email: 'raj@acme.example', firstName: 'Raj', lastName: 'Patel' };

function crm(overrides: Partial<CrmFixture> = {}): CrmFixture {
  return { emails: [], contacts: [jane, raj], deals: [], dealEmails: {}, ...overrides };
}

function renderCard(data: CrmFixture, emailState: { isLoading?: boolean; error?: Error } = {}) {
  const renderer = createRenderer('crm.record.tab');
  renderer.mocks.context.portal.timezone = 'UTC';
  serveCrm(renderer, data, emailState);
  renderer.render(<TimelineCard />);
  return renderer;
}

describe('TimelineCard', () => {
  it('asks HubSpot for the record’s emails, meetings, contacts and deals', () => {
    const renderer = renderCard(crm());
    const asked = renderer.mocks.useAssociations.calls.map(([config]) => config.toObjectType);
    expect(new Set(asked)).toEqual(new Set(['0-49', '0-47', '0-1', '0-3']));
    const meetingCall = renderer.mocks.useAssociations.calls.find(([config]) => config.toObjectType === '0-47');
    expect(meetingCall?.[0].properties).toEqual(expect.arrayContaining(['hs_meeting_outcome', 'mailbridge_explanation']));
    const emailCall = renderer.mocks.useAssociations.calls.find(([config]) => config.toObjectType === '0-49');
    expect(emailCall?.[0].properties).toContain('mailbridge_explanation');
  });

  it('shows a spinner while loading', () => {
    const renderer = renderCard(crm(), { isLoading: true });
    expect(renderer.find(LoadingSpinner).props.label).toBe('Loading emails');
  });

  it('shows the error state with the message', () => {
    const renderer = renderCard(crm(), { error: new Error('Missing scope crm.objects.emails.read') });
    const error = renderer.find(ErrorState);
    expect(error.props.title).toBe('The emails could not be loaded');
    expect(error.find(Text).text).toBe('Missing scope crm.objects.emails.read');
  });

  it('shows the empty state when mailbridge logged nothing (hand-logged emails do not count)', () => {
    const renderer = renderCard(crm({ emails: [emailRecord(1, { key: null })] }));
    expect(renderer.find(EmptyState).props.title).toBe('No emails yet');
    expect(renderer.findByTestId(Text, 'empty').text).toBe('No emails have been logged by mailbridge for this record yet.');
  });

  it('groups by thread, newest first, with direction, people, date and reason; never shows Bcc', () => {
    const renderer = renderCard(
      crm({
        emails: [
          emailRecord(1, { subject: 'Pricing', at: '2026-03-01T10:00:00.000Z' }),
          emailRecord(2, {
            subject: 'RE: Pricing',
            at: '2026-03-02T10:00:00.000Z',
            incoming: true,
            from: { email: 'jane@acme.example', firstName: 'Jane', lastName: 'Doe' },
            to: [{ email: 'ann@ours.example', firstName: 'Ann', lastName: 'Lee' }],
            cc: [rajAddress],
          }),
          emailRecord(3, { subject: 'Onboarding', at: '2026-03-03T10:00:00.000Z' }),
        ],
      }),
    );
    expect(renderer.findAll(Heading).map((h) => h.text)).toEqual(['Onboarding', 'Pricing']);
    expect(renderer.findByTestId(Tag, 'direction-2').text).toBe('Received');
    expect(renderer.findByTestId(Tag, 'direction-1').text).toBe('Sent');
    expect(renderer.findByTestId(Text, 'sender-2').text).toBe('Jane Doe <jane@acme.example>');
    expect(renderer.findByTestId(Text, 'to-2').text).toBe('To: Ann Lee <ann@ours.example>');
    expect(renderer.findByTestId(Text, 'cc-2').text).toBe('Cc: Raj Patel <raj@acme.example>');
    expect(renderer.findByTestId(Text, 'date-2').text).toBe('Mar 2, 2026, 10:00 AM');
    expect(renderer.findByTestId(Text, 'why-2').text).toBe('Why it is here: explanation 2');
    expect(renderer.findByTestId(Text, 'summary').text).toBe('3 emails in 2 threads');
    expect(renderer.getRootNode().toString()).not.toContain('secret@ours.example');
    expect(renderer.getRootNode().toString()).toContain('raj@acme.example');
  });

  it('expands to the full body and collapses again', () => {
    const body = 'First line of the answer.\n\nOn Mon, Jane wrote:\n> the question';
    const renderer = renderCard(crm({ emails: [emailRecord(1, { text: body })] }));
    expect(renderer.findByTestId(Text, 'snippet-1').text).toBe('First line of the answer.');
    expect(renderer.maybeFindByTestId(Text, 'body-1')).toBeNull();
    renderer.findByTestId(Button, 'toggle-1').trigger('onClick');
    expect(renderer.findByTestId(Text, 'body-1').text).toBe(body);
    expect(renderer.findByTestId(Button, 'toggle-1').text).toBe('Show less');
    renderer.findByTestId(Button, 'toggle-1').trigger('onClick');
    expect(renderer.maybeFindByTestId(Text, 'body-1')).toBeNull();
    expect(renderer.findByTestId(Button, 'toggle-1').text).toBe('Show full email');
  });

  it('filters by contact, by deal (asking HubSpot which emails are on it), and clears', async () => {
    host = installCrmSearchHost({ '9001': [1], '9002': [2] });
    const renderer = renderCard(
      crm({
        emails: [
          emailRecord(1, { subject: 'One', at: '2026-03-01T10:00:00.000Z' }),
          emailRecord(2, { subject: 'Two', at: '2026-03-02T10:00:00.000Z', to: [rajAddress] }),
          emailRecord(3, { subject: 'Three', at: '2026-03-03T10:00:00.000Z', cc: [rajAddress] }),
        ],
        deals: [
          { toObjectId: 9001, associationTypes: [], properties: { dealname: 'Renewal' } },
          { toObjectId: 9002, associationTypes: [], properties: { dealname: 'Expansion' } },
        ],
        dealEmails: { '9001': [1], '9002': [2] },
      }),
    );
    const contactFilter = renderer.findByTestId(Select, 'contact-filter');
    expect(contactFilter.props.label).toBe('Contact');
    expect(contactFilter.props.options.map((o) => o.label)).toEqual(['All contacts', 'Jane Doe (2)', 'Raj Patel (2)']);
    expect(renderer.findByTestId(Select, 'deal-filter').props.options.map((o) => o.label)).toEqual([
      'All deals',
      'Expansion',
      'Renewal',
    ]);

    choose(contactFilter, '602');
    expect(renderer.findAll(Heading).map((h) => h.text)).toEqual(['Three', 'Two']);
    expect(renderer.findByTestId(Text, 'summary').text).toBe('2 of 3 emails in 2 threads');

    choose(renderer.findByTestId(Select, 'deal-filter'), '9002');
    await renderer.waitFor(() => expect(renderer.findAll(Heading).map((h) => h.text)).toEqual(['Two']));
    expect(host.requests.at(-1)).toMatchObject({
      objectType: '0-49',
      filterGroups: [{ filters: [{ propertyName: 'associations.deal', operator: 'EQ', value: '9002' }] }],
    });

    choose(renderer.findByTestId(Select, 'deal-filter'), '9001');
    await renderer.waitFor(() => expect(renderer.maybeFindByTestId(Button, 'clear-filters')).not.toBeNull());
    expect(renderer.findAll(Heading)).toHaveLength(0);
    renderer.findByTestId(Button, 'clear-filters').trigger('onClick');
    expect(renderer.findAll(Heading)).toHaveLength(3);
  });

  it('passes script-bearing text through as characters', () => {
    const hostile = '<script>globalThis.pwned = true</script><img src=x onerror="globalThis.pwned = true">';
    const renderer = renderCard(crm({ emails: [emailRecord(1, { subject: `Hi ${hostile}`, text: `Hello ${hostile}`, why: hostile })] }));
    renderer.findByTestId(Button, 'toggle-1').trigger('onClick');
    expect(renderer.findByTestId(Text, 'subject-1').text).toBe(`Hi ${hostile}`);
    expect(renderer.findByTestId(Text, 'body-1').text).toBe(`Hello ${hostile}`);
    expect(renderer.findByTestId(Text, 'why-1').text).toBe(`Why it is here: ${hostile}`);
    const names = new Set<string>();
    const visit = (node: { nodeType: string; name?: string; childNodes?: unknown[] }) => {
      if (node.name) names.add(node.name);
      for (const child of node.childNodes ?? []) visit(child as typeof node);
    };
    visit(renderer.getRootNode() as unknown as { nodeType: string; childNodes: unknown[] });
    expect([...names].filter((name) => /^(script|img)$/i.test(name))).toEqual([]);
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined();
  });
});
