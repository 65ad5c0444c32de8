// "Screenshot-like" check: the Northwind Traders company record with 20 logged emails (plus
// one a rep logged by hand, which the card leaves out), read as a rep reads it: dates in the
// portal's time zone (America/New_York, the testing renderer's default).
import React from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Heading, Select, Tag, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { TimelineCard } from '../../src/app/cards/timeline-card';
import northwind from '../fixtures/northwind-company.json';
import { choose, installCrmSearchHost, serveCrm, type CrmFixture } from './mock-crm';

const fixture = northwind as unknown as CrmFixture;
type Renderer = ReturnType<typeof createRenderer<'crm.record.tab'>>;

/** The screen as text: one block per thread, one line per email. */
function readScreen(renderer: Renderer) {
  return renderer.findAll(Heading).map((heading) => heading.text);
}

function emailLine(renderer: Renderer, id: number): string {
  const read = (testId: string) => renderer.maybeFindByTestId(Text, testId)?.text ?? null;
  return [renderer.findByTestId(Tag, `direction-${id}`).text, read(`sender-${id}`), read(`date-${id}`)].join(' | ');
}

describe('TimelineCard with a realistic company (20 emails)', () => {
  let renderer: Renderer;
  let host: ReturnType<typeof installCrmSearchHost>;

  beforeEach(() => {
    host = installCrmSearchHost(fixture.dealEmails);
    renderer = createRenderer('crm.record.tab');
    serveCrm(renderer, fixture);
    renderer.render(<TimelineCard />);
  });

  afterEach(() => host.uninstall());

  it('reads as 8 threads of 20 emails, newest conversation first', () => {
    expect(fixture.emails).toHaveLength(21);
    expect(renderer.findByTestId(Text, 'summary').text).toBe('20 emails in 8 threads');
    expect(readScreen(renderer)).toEqual([
      'Quarterly business review — April',
      'Team offsite photos <img src=x onerror=alert(1)>',
      'Purchase order 4500012345',
      'EU expansion: kickoff agenda',
      'Quick question about SSO',
      'Vendor registration forms',
      'Renewal 2027 pricing',
      'Security questionnaire for EU rollout',
    ]);
    expect(renderer.getRootNode().toString()).not.toContain('Logged by hand in HubSpot');
  });

  it('shows each email of the renewal thread newest first with sender and local date', () => {
    expect([70009, 70004, 70003, 70002, 70001].map((id) => emailLine(renderer, id))).toEqual([
      'Sent | Ann Lee <ann.lee@ourco.example> | Mar 11, 2026, 5:00 AM',
      'Received | Jane Doe <jane.doe@northwind.example> | Mar 6, 2026, 11:20 AM',
      'Sent | Ann Lee <ann.lee@ourco.example> | Mar 4, 2026, 3:40 AM',
      'Received | Jane Doe <jane.doe@northwind.example> | Mar 3, 2026, 9:02 AM',
      'Sent | Ann Lee <ann.lee@ourco.example> | Mar 2, 2026, 4:15 AM',
    ]);
  });

  it('shows recipients, snippet and reason on the latest email', () => {
    expect(renderer.findByTestId(Text, 'to-70020').text).toBe(
      'To: Jane Doe <jane.doe@northwind.example>, Lena Fischer <lena.fischer@northwind.example>',
    );
    expect(renderer.findByTestId(Text, 'snippet-70020').text).toBe(
      'Hi Jane, hi Lena, proposing April 15 or 16 for the QBR. Which works better? Ann',
    );
    expect(renderer.findByTestId(Text, 'why-70020').text).toBe(
      'Why it is here: contact jane.doe@northwind.example → account Northwind Traders',
    );
    expect(renderer.findByTestId(Text, 'snippet-70007').text).toBe('Danke Tom, our team has signed off.');
  });

  it('lets a rep narrow to Raj Patel, then to the EU expansion deal', async () => {
    const contactFilter = renderer.findByTestId(Select, 'contact-filter');
    expect(contactFilter.props.options.map((o) => o.label)).toEqual([
      'All contacts',
      'Jane Doe (9)',
      'Lena Fischer (7)',
      'Raj Patel (7)',
    ]);
    choose(contactFilter, '602');
    expect(renderer.findByTestId(Text, 'summary').text).toBe('7 of 20 emails in 3 threads');
    expect(readScreen(renderer)).toEqual(['Purchase order 4500012345', 'Vendor registration forms', 'Renewal 2027 pricing']);

    choose(renderer.findByTestId(Select, 'contact-filter'), '');
    choose(renderer.findByTestId(Select, 'deal-filter'), '9002');
    await renderer.waitFor(() =>
      expect(renderer.findByTestId(Text, 'summary').text).toBe('6 of 20 emails in 2 threads'),
    );
    expect(readScreen(renderer)).toEqual(['EU expansion: kickoff agenda', 'Security questionnaire for EU rollout']);
  });
});
