/**
 * Meetings to HubSpot (issue 15): one meeting engagement per meeting occurrence, idempotent on
 * `mailbridge_key` (the unique-value property, as on emails):
 * 1. read which keys already exist (batch read by the unique property);
 * 2. existing meetings are updated (a moved meeting takes its new times, a cancelled one
 *    `hs_meeting_outcome = CANCELED`: marked, not deleted), and their associations made again
 *    with the v4 default association (associating twice changes nothing);
 * 3. the missing ones are created with inline associations, through the same create → read back
 *    → create the rest steps as emails (`createByKey`), so a batch 409 or a lost answer never
 *    makes a second meeting.
 */
import type { MeetingActivityDraft, MeetingWriteOutcome } from '../../core/meeting.js';
import { EXPLANATION_PROPERTY, KEY_PROPERTY } from './hubspot-mapping.js';
import { createByKey, idsByKey, type EngagementInput, type HsWriteApi, type ItemError } from './hubspot-write.js';

/** HUBSPOT_DEFINED association type ids from a meeting. */
export const MEETING_TO_CONTACT = 200;
export const MEETING_TO_COMPANY = 188;
export const MEETING_TO_DEAL = 212;

/** The outcome a cancelled meeting is marked with (docs/rules.md, "Calendar meetings in the CRM"). */
export const CANCELLED_OUTCOME = 'CANCELED';

export interface HsMeetingApi extends HsWriteApi {
  /** Batch update by id; the ids not in `results` failed (207 items in `errors`). */
  updateBatch(inputs: { id: string; properties: Record<string, string> }[]): Promise<{ results: unknown[]; errors: ItemError[] }>;
  /** v4 default associations from meetings to `toType`, one per pair. */
  associate(toType: 'contacts' | 'companies' | 'deals', pairs: { from: string; to: string }[]): Promise<void>;
}

/** The meeting engagement (properties and inline associations) for one occurrence. */
export function toMeeting(draft: MeetingActivityDraft): EngagementInput {
  const properties: Record<string, string> = {
    hs_timestamp: draft.start,
    hs_meeting_title: draft.title,
    hs_meeting_body: draft.description,
    hs_meeting_start_time: draft.start,
    hs_meeting_end_time: draft.end,
    hs_meeting_outcome: draft.status === 'cancelled' ? CANCELLED_OUTCOME : 'SCHEDULED',
    [KEY_PROPERTY]: draft.key,
    [EXPLANATION_PROPERTY]: draft.explanation,
  };
  if (draft.location || draft.onlineMeetingUrl) properties.hs_meeting_location = draft.location || draft.onlineMeetingUrl!;
  if (draft.onlineMeetingUrl) properties.hs_meeting_external_url = draft.onlineMeetingUrl;
  if (draft.ownerId) properties.hubspot_owner_id = draft.ownerId;
  const link = (typeId: number) => (id: string) => ({ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId: typeId }] });
  return {
    properties,
    // Leads are lead-stage contacts in HubSpot: they take the contact association.
    associations: [
      ...unique([...draft.contactIds, ...draft.leadIds]).map(link(MEETING_TO_CONTACT)),
      ...unique(draft.accountIds).map(link(MEETING_TO_COMPANY)),
      ...unique(draft.dealIds).map(link(MEETING_TO_DEAL)),
    ],
  };
}

const unique = (ids: readonly string[]) => [...new Set(ids.filter(Boolean))];

/** Writes up to 100 meetings; outcomes in draft order. */
export async function writeHubspotMeetings(api: HsMeetingApi, drafts: readonly MeetingActivityDraft[]): Promise<MeetingWriteOutcome[]> {
  // The same key twice in a chunk: the later draft is the newer state of the meeting.
  const latest = [...new Map(drafts.map((d) => [d.key, d])).values()];
  const ids = await idsByKey(api, latest.map((d) => d.key));
  const existing = latest.filter((d) => ids.has(d.key));
  const failed = new Map<string, { error: string; retryable: boolean }>();

  if (existing.length) {
    const answer = await api.updateBatch(existing.map((d) => ({ id: ids.get(d.key)!, properties: toMeeting(d).properties })));
    const updated = new Set(answer.results.map((r) => String((r as { id?: unknown }).id)));
    const first = answer.errors[0];
    for (const d of existing) {
      if (updated.has(ids.get(d.key)!)) continue;
      // Deleted in HubSpot since the read: the next run creates it again.
      failed.set(d.key, { error: `${first?.category ?? 'ERROR'}: ${first?.message ?? 'not updated'}`, retryable: first?.category === 'OBJECT_NOT_FOUND' });
    }
    const pairs = { contacts: [] as { from: string; to: string }[], companies: [] as { from: string; to: string }[], deals: [] as { from: string; to: string }[] };
    for (const d of existing) {
      if (failed.has(d.key)) continue;
      const from = ids.get(d.key)!;
      for (const to of unique([...d.contactIds, ...d.leadIds])) pairs.contacts.push({ from, to });
      for (const to of unique(d.accountIds)) pairs.companies.push({ from, to });
      for (const to of unique(d.dealIds)) pairs.deals.push({ from, to });
    }
    for (const [toType, list] of Object.entries(pairs) as ['contacts' | 'companies' | 'deals', { from: string; to: string }[]][]) {
      if (list.length) await api.associate(toType, list);
    }
  }

  const missing = latest.filter((d) => !ids.has(d.key));
  const created = missing.length ? await createByKey(api, missing, 'unique-property', toMeeting) : [];
  for (const o of created) {
    if (o.ok) ids.set(o.key, o.crmId);
    else failed.set(o.key, { error: o.error, retryable: o.retryable });
  }
  return drafts.map((d): MeetingWriteOutcome => {
    const failure = failed.get(d.key);
    if (failure) return { key: d.key, ok: false, ...failure };
    return { key: d.key, ok: true, crmId: ids.get(d.key)! };
  });
}
