// The mailbridge timeline card on contact, company and deal records: the emails mailbridge
// logged (companies also get their contacts' and deals' emails, because the sync job
// associates each email with the company too), threaded, and the meetings it logged, in one
// timeline, filterable by contact and deal.
import React, { useState } from 'react';
import {
  Button,
  EmptyState,
  ErrorState,
  Flex,
  LoadingSpinner,
  Select,
  Text,
  useCrmSearch,
  useExtensionContext,
} from '@hubspot/ui-extensions';
import { useAssociations } from '@hubspot/ui-extensions/crm';
import { TimelineList } from './timeline-list';
import { contactOptions, dealOptions } from './timeline/filters';
import { EMAIL_PROPERTIES, fromHubSpotEmail, isMailbridgeEmail, type RecordContact } from './timeline/hubspot-email';
import { fromHubSpotMeeting, isMailbridgeMeeting, MEETING_PROPERTIES } from './timeline/hubspot-meeting';
import type { TimelineEmail, TimelineMeeting } from './timeline/types';
import { buildTimelineView } from './timeline/view';

/** HubSpot object type ids. */
export const OBJECT_TYPE = { contact: '0-1', deal: '0-3', email: '0-49', meeting: '0-47' } as const;
const PAGE = 100;

function useToggleSet(): [ReadonlySet<string>, (id: string) => void] {
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setIds((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return [ids, toggle];
}

interface ShownProps {
  emails: TimelineEmail[];
  meetings: TimelineMeeting[];
  contactId: string;
  dealId: string;
  expandedIds: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onClear: () => void;
  locale: string;
  timeZone: string;
}

function ShownTimeline({ emails, meetings, contactId, dealId, expandedIds, onToggle, onClear, locale, timeZone }: ShownProps) {
  const view = buildTimelineView(emails, { contactId, dealId }, expandedIds, { locale, timeZone }, meetings);
  return (
    <Flex direction="column" gap="sm">
      <Text testId="summary" variant="microcopy">
        {view.summary}
      </Text>
      {view.visibleCount > 0 ? (
        <TimelineList threads={view.threads} onToggle={onToggle} />
      ) : (
        <EmptyState title="No email matches these filters" layout="vertical" imageWidth={80}>
          <Button testId="clear-filters" onClick={onClear}>
            Clear filters
          </Button>
        </EmptyState>
      )}
    </Flex>
  );
}

/** The deal filter asks HubSpot which emails are associated with the chosen deal. */
function DealScopedTimeline(props: ShownProps) {
  const search = useCrmSearch({
    objectType: OBJECT_TYPE.email,
    properties: ['hs_object_id'],
    filterGroups: [{ filters: [{ propertyName: 'associations.deal', operator: 'EQ', value: props.dealId }] }],
    pageLength: PAGE,
  });
  if (search.isLoading) return <LoadingSpinner label="Loading the deal's emails" />;
  if (search.error) {
    return (
      <ErrorState title="The deal's emails could not be loaded">
        <Text>{search.error.message}</Text>
      </ErrorState>
    );
  }
  const onDeal = new Set(search.results.map((item) => String(item.objectId)));
  const emails = props.emails.map((email) => (onDeal.has(email.id) ? { ...email, dealIds: [props.dealId] } : email));
  return <ShownTimeline {...props} emails={emails} />;
}

/**
 * Meetings list no participants the card can read, so with a filter set HubSpot is asked which
 * of them are associated with the chosen contact and deal; the others are filtered out as
 * emails are. If the search fails, the meetings are hidden rather than shown unfiltered.
 */
function MeetingScopedTimeline(props: ShownProps) {
  const filters = [
    ...(props.contactId ? [{ propertyName: 'associations.contact', operator: 'EQ' as const, value: props.contactId }] : []),
    ...(props.dealId ? [{ propertyName: 'associations.deal', operator: 'EQ' as const, value: props.dealId }] : []),
  ];
  const search = useCrmSearch({ objectType: OBJECT_TYPE.meeting, properties: ['hs_object_id'], filterGroups: [{ filters }], pageLength: PAGE });
  if (search.isLoading) return <LoadingSpinner label="Loading the meetings" />;
  const matched = new Set(search.error ? [] : search.results.map((item) => String(item.objectId)));
  const meetings = props.meetings.map((meeting) =>
    matched.has(meeting.id)
      ? {
          ...meeting,
          contacts: props.contactId ? [{ name: '', address: '', recordId: props.contactId }] : meeting.contacts,
          dealIds: props.dealId ? [props.dealId] : meeting.dealIds,
        }
      : meeting,
  );
  return props.dealId ? <DealScopedTimeline {...props} meetings={meetings} /> : <ShownTimeline {...props} meetings={meetings} />;
}

function FilteredTimeline(props: ShownProps) {
  if ((props.contactId || props.dealId) && props.meetings.length > 0) return <MeetingScopedTimeline {...props} />;
  return props.dealId ? <DealScopedTimeline {...props} /> : <ShownTimeline {...props} />;
}

export function TimelineCard() {
  const context = useExtensionContext<'crm.record.tab'>();
  const emailResults = useAssociations({ toObjectType: OBJECT_TYPE.email, properties: [...EMAIL_PROPERTIES], pageLength: PAGE });
  const contactResults = useAssociations({ toObjectType: OBJECT_TYPE.contact, properties: ['firstname', 'lastname', 'email'], pageLength: PAGE });
  const dealResults = useAssociations({ toObjectType: OBJECT_TYPE.deal, properties: ['dealname'], pageLength: PAGE });
  // Meetings that cannot be read (loading, refused) leave the emails shown.
  const meetingResults = useAssociations({ toObjectType: OBJECT_TYPE.meeting, properties: [...MEETING_PROPERTIES], pageLength: PAGE });
  const [contactId, setContactId] = useState('');
  const [dealId, setDealId] = useState('');
  const [expandedIds, toggle] = useToggleSet();

  if (emailResults.isLoading) return <LoadingSpinner label="Loading emails" layout="centered" />;
  if (emailResults.error) {
    return (
      <ErrorState title="The emails could not be loaded">
        <Text>{emailResults.error.message}</Text>
      </ErrorState>
    );
  }

  const contacts: RecordContact[] = contactResults.results
    .filter((result) => result.properties.email)
    .map((result) => ({
      id: String(result.toObjectId),
      email: result.properties.email ?? '',
      name: [result.properties.firstname, result.properties.lastname].filter(Boolean).join(' '),
    }));
  const emails = emailResults.results.filter(isMailbridgeEmail).map((result) => fromHubSpotEmail(result, contacts));
  const meetings = meetingResults.error ? [] : meetingResults.results.filter(isMailbridgeMeeting).map(fromHubSpotMeeting);
  if (emails.length === 0 && meetings.length === 0) {
    return (
      <EmptyState title="No emails yet" layout="vertical" imageWidth={80}>
        <Text testId="empty">No emails have been logged by mailbridge for this record yet.</Text>
      </EmptyState>
    );
  }

  const contactChoices = contactOptions(emails);
  const dealChoices = dealOptions(
    dealResults.results.map((result) => ({ id: String(result.toObjectId), name: result.properties.dealname ?? '' })),
  );
  const shown: ShownProps = {
    emails,
    meetings,
    contactId,
    dealId,
    expandedIds,
    onToggle: toggle,
    onClear: () => {
      setContactId('');
      setDealId('');
    },
    locale: context.user.locale || 'en-US',
    timeZone: context.portal.timezone || 'UTC',
  };
  return (
    <Flex direction="column" gap="md">
      <Flex direction="row" gap="sm" wrap="wrap">
        {contactChoices.length > 2 ? (
          <Select
            testId="contact-filter"
            name="contact"
            label="Contact"
            value={contactId}
            options={contactChoices}
            onChange={(value) => setContactId(String(value))}
          />
        ) : null}
        {dealChoices.length > 2 ? (
          <Select
            testId="deal-filter"
            name="deal"
            label="Deal"
            value={dealId}
            options={dealChoices}
            onChange={(value) => setDealId(String(value))}
          />
        ) : null}
      </Flex>
      <FilteredTimeline {...shown} />
    </Flex>
  );
}
