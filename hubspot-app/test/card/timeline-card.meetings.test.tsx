// Meetings in the card (issue 15): one timeline of email threads and meetings, newest first,
// each meeting with its explanation, a cancelled one (hs_meeting_outcome CANCELED) shown as such.
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { Button, EmptyState, Heading, Select, Tag, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { TimelineCard } from '../../src/app/cards/timeline-card';
import { choose, emailRecord, installCrmSearchHost, meetingRecord, serveCrm, type CrmFixture } from './mock-crm';

let host: ReturnType<typeof installCrmSearchHost> | undefined;
afterEach(() => {
  host?.uninstall();
  host = undefined;
});

function renderCard(data: Partial<CrmFixture>) {
  const renderer = createRenderer('crm.record.tab');
  renderer.mocks.context.portal.timezone = 'UTC';
  serveCrm(renderer, { emails: [], contacts: [], deals: [], dealEmails: {}, ...data });
  renderer.render(<TimelineCard />);
  return renderer;
}

describe('TimelineCard with meetings', () => {
  it('shows meetings among the email threads by time, cancelled marked, each with its reason', () => {
    const renderer = renderCard({
      emails: [
        emailRecord(1, { subject: 'Agenda', at: '2026-03-05T09:00:00.000Z' }),
        emailRecord(2, { subject: 'Minutes', at: '2026-03-12T09:00:00.000Z' }),
      ],
      meetings: [
        meetingRecord(11, { title: 'Acme QBR', start: '2026-03-10T14:00:00.000Z', end: '2026-03-10T15:00:00.000Z', location: 'Acme HQ', why: 'deal Renewal 2027 open' }),
        meetingRecord(12, { title: 'Kick-off', start: '2026-03-01T14:00:00.000Z', end: '2026-03-01T14:30:00.000Z', outcome: 'CANCELED' }),
        meetingRecord(13, { title: 'Typed by hand', key: null }),
      ],
    });
    expect(renderer.findAll(Heading).map((h) => h.text)).toEqual(['Minutes', 'Acme QBR', 'Agenda', 'Kick-off']);
    expect(renderer.findByTestId(Tag, 'status-11').text).toBe('Meeting');
    expect(renderer.findByTestId(Tag, 'status-12').text).toBe('Cancelled meeting');
    expect(renderer.findByTestId(Text, 'when-11').text).toBe('Mar 10, 2026, 2:00 PM – 3:00 PM');
    expect(renderer.findByTestId(Text, 'location-11').text).toBe('Acme HQ');
    expect(renderer.findByTestId(Text, 'why-11').text).toBe('Why it is here: deal Renewal 2027 open');
    expect(renderer.findByTestId(Text, 'summary').text).toBe('2 emails in 2 threads, 2 meetings');
    renderer.findByTestId(Button, 'toggle-11').trigger('onClick');
    expect(renderer.findByTestId(Text, 'details-11').text).toBe('Agenda of meeting 11');
  });

  it('shows a record with meetings only, and the empty state when neither was logged', () => {
    const onlyMeetings = renderCard({ meetings: [meetingRecord(11, { title: 'Acme QBR' })] });
    expect(onlyMeetings.findAll(Heading).map((h) => h.text)).toEqual(['Acme QBR']);
    expect(onlyMeetings.findByTestId(Text, 'summary').text).toBe('0 emails in 0 threads, 1 meeting');
    const nothing = renderCard({ meetings: [meetingRecord(13, { key: null })] });
    expect(nothing.find(EmptyState).props.title).toBe('No emails yet');
  });

  it('keeps the meetings associated with the chosen contact and deal, asking HubSpot which they are', async () => {
    // HubSpot's CRM search finds records through their associations with the pseudo-property
    // `associations.<object>` (developers.hubspot.com, CRM search guide, "Search through associations").
    host = installCrmSearchHost(
      { '9001': [1] },
      { '0-47': { 'associations.contact': { '602': [11, 12] }, 'associations.deal': { '9001': [11] } } },
    );
    const raj = { email: 'raj@acme.example', firstName: 'Raj', lastName: 'Patel' };
    const renderer = renderCard({
      contacts: [
        { toObjectId: 601, associationTypes: [], properties: { firstname: 'Jane', lastname: 'Doe', email: 'jane@acme.example' } },
        { toObjectId: 602, associationTypes: [], properties: { firstname: 'Raj', lastname: 'Patel', email: 'raj@acme.example' } },
      ],
      deals: [
        { toObjectId: 9001, associationTypes: [], properties: { dealname: 'Renewal' } },
        { toObjectId: 9002, associationTypes: [], properties: { dealname: 'Expansion' } },
      ],
      emails: [
        emailRecord(1, { subject: 'To Jane', at: '2026-03-05T09:00:00.000Z' }),
        emailRecord(2, { subject: 'To Raj', at: '2026-03-06T09:00:00.000Z', to: [raj] }),
      ],
      meetings: [
        meetingRecord(11, { title: 'QBR with Raj', start: '2026-03-10T14:00:00.000Z' }),
        meetingRecord(12, { title: 'Demo for Raj', start: '2026-03-08T14:00:00.000Z' }),
        meetingRecord(13, { title: 'Jane only', start: '2026-03-09T14:00:00.000Z' }),
      ],
    });
    expect(renderer.findAll(Heading).map((h) => h.text)).toEqual(['QBR with Raj', 'Jane only', 'Demo for Raj', 'To Raj', 'To Jane']);

    choose(renderer.findByTestId(Select, 'contact-filter'), '602');
    await renderer.waitFor(() => expect(renderer.findAll(Heading).map((h) => h.text)).toEqual(['QBR with Raj', 'Demo for Raj', 'To Raj']));
    expect(host.requests.at(-1)).toMatchObject({
      objectType: '0-47',
      filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: '602' }] }],
    });
    expect(renderer.findByTestId(Text, 'summary').text).toBe('1 of 2 emails in 1 thread, 2 of 3 meetings');

    choose(renderer.findByTestId(Select, 'contact-filter'), '');
    choose(renderer.findByTestId(Select, 'deal-filter'), '9001');
    await renderer.waitFor(() => expect(renderer.findAll(Heading).map((h) => h.text)).toEqual(['QBR with Raj', 'To Jane']));
  });
});
