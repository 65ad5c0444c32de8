// From a HubSpot meeting engagement (as useAssociations returns it) to a TimelineMeeting
// (issue 15). The sync job marks a cancelled meeting with hs_meeting_outcome CANCELED instead of
// deleting it, and keeps it under its `mailbridge_key`.
import { timestampToIso, type EmailRecord } from './hubspot-email';
import type { TimelineMeeting } from './types';

/** The meeting properties the card asks HubSpot for. */
export const MEETING_PROPERTIES = [
  'hs_meeting_title',
  'hs_meeting_body',
  'hs_meeting_start_time',
  'hs_meeting_end_time',
  'hs_meeting_location',
  'hs_meeting_outcome',
  'hs_timestamp',
  'mailbridge_key',
  'mailbridge_explanation',
] as const;

export function fromHubSpotMeeting(record: EmailRecord): TimelineMeeting {
  const props = record.properties;
  return {
    id: String(record.toObjectId),
    title: props.hs_meeting_title ?? '',
    cancelled: props.hs_meeting_outcome === 'CANCELED',
    start: timestampToIso(props.hs_meeting_start_time) ?? timestampToIso(props.hs_timestamp),
    end: timestampToIso(props.hs_meeting_end_time),
    location: props.hs_meeting_location ?? '',
    description: props.hs_meeting_body ?? '',
    explanation: props.mailbridge_explanation ?? '',
    // Filled in by a CRM search when the rep filters by contact or deal (timeline-card.tsx).
    contacts: [],
    dealIds: [],
  };
}

/** Only meetings mailbridge logged (they carry its key) are shown. */
export function isMailbridgeMeeting(record: EmailRecord): boolean {
  return Boolean(record.properties.mailbridge_key);
}
