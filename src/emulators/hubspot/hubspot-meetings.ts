/**
 * The meetings object of the HubSpot emulator (issue 15): which properties a meeting takes and
 * what a create or update must carry. Facts from HubSpot's meetings guide
 * (developers.hubspot.com/docs/api/crm/meetings): `hs_timestamp` is required (it defaults to
 * `hs_meeting_start_time` when missing), `hs_meeting_outcome` is one of scheduled, completed,
 * rescheduled, no show and canceled (internal values SCHEDULED, COMPLETED, RESCHEDULED, NO_SHOW,
 * CANCELED), associations use the HUBSPOT_DEFINED types 200 (contact), 188 (company), 212 (deal).
 * mailbridge's `mailbridge_key` is a unique-value property exactly as on emails.
 */

export const MEETING_PROPERTIES = new Set([
  'hs_timestamp',
  'hubspot_owner_id',
  'hs_meeting_title',
  'hs_meeting_body',
  'hs_internal_meeting_notes',
  'hs_meeting_external_url',
  'hs_meeting_location',
  'hs_meeting_start_time',
  'hs_meeting_end_time',
  'hs_meeting_outcome',
  'hs_activity_type',
  'hs_attachment_ids',
  'mailbridge_key',
  'mailbridge_explanation',
]);

export const MEETING_OUTCOMES = new Set(['SCHEDULED', 'COMPLETED', 'RESCHEDULED', 'NO_SHOW', 'CANCELED']);

type Fail = { category: string; message: string; property?: string };

/**
 * Checks one meeting's properties (`creating`: a create, where the timestamp must be known).
 * Fills `hs_timestamp` from the start time, as HubSpot does.
 */
export function checkMeeting(props: Record<string, string | null>, creating: boolean, isOwner: (id: string) => boolean): Fail | undefined {
  const unknown = Object.keys(props).filter((p) => !MEETING_PROPERTIES.has(p));
  if (unknown.length) return { category: 'VALIDATION_ERROR', message: `Property values were not valid: ${unknown.join(', ')} does not exist`, property: unknown[0] };
  if (creating && !props.hs_timestamp && props.hs_meeting_start_time) props.hs_timestamp = props.hs_meeting_start_time;
  if (creating && !props.hs_timestamp) return { category: 'VALIDATION_ERROR', message: 'Property values were not valid: hs_timestamp is required', property: 'hs_timestamp' };
  for (const name of ['hs_timestamp', 'hs_meeting_start_time', 'hs_meeting_end_time']) {
    const v = props[name];
    if (v && Number.isNaN(Date.parse(v)) && !/^\d+$/.test(v)) return { category: 'VALIDATION_ERROR', message: `${v} is not a valid datetime for ${name}`, property: name };
  }
  if (props.hs_meeting_outcome && !MEETING_OUTCOMES.has(props.hs_meeting_outcome)) {
    return { category: 'VALIDATION_ERROR', message: `${props.hs_meeting_outcome} was not a valid hs_meeting_outcome`, property: 'hs_meeting_outcome' };
  }
  if (props.hubspot_owner_id && !isOwner(props.hubspot_owner_id)) return { category: 'VALIDATION_ERROR', message: `${props.hubspot_owner_id} is not a valid owner id`, property: 'hubspot_owner_id' };
  return undefined;
}
