/**
 * Meetings to Salesforce (issue 15): one `Event` per meeting occurrence, idempotent on the
 * Activity external id `Mailbridge_Key__c`:
 * 1. upsert up to 200 Events on the key (a moved meeting updates its times, a cancelled one gets
 *    `Cancelled: ` before its subject: marked, not deleted);
 * 2. read the EventRelation rows the events that already existed have;
 * 3. create the missing ones: the matched contacts beyond the `WhoId`, as `IsParent` true and
 *    `IsInvitee` false (relating, never inviting: Salesforce would e-mail invitations).
 * With Shared Activities an event relates to up to 50 contacts or one lead (Object Reference,
 * EventRelation): contacts win over leads, the first 50 are kept. The `WhoId`'s own row is made
 * by Salesforce itself when the event is saved.
 */
import type { MeetingActivityDraft, MeetingWriteOutcome } from '../../core/meeting.js';
import { EXPLANATION_FIELD, KEY_FIELD } from './salesforce-mapping.js';
import { SF_BATCH, createRelations, saveOutcomes, saveWithItemRetry, type ItemRetry, type SfWriteApi } from './salesforce-write.js';
import { soqlList } from './soql-literal.js';

/** Contacts one Event may be related to with Shared Activities (or one lead). */
export const MAX_EVENT_CONTACTS = 50;
/** Prefix marking a cancelled meeting's Event (docs/rules.md, "Calendar meetings in the CRM"). */
export const CANCELLED_PREFIX = 'Cancelled: ';
/** The Event and EventRelation fields the writer sets (`doctor` can check they are createable). */
export const EVENT_FIELDS = ['Subject', 'StartDateTime', 'EndDateTime', 'Location', 'Description', 'WhatId', 'WhoId', 'OwnerId', KEY_FIELD, EXPLANATION_FIELD] as const;
export const EVENT_RELATION_FIELDS = ['EventId', 'RelationId', 'IsParent', 'IsInvitee'] as const;

const cut = (value: string, max: number) => (value.length > max ? value.slice(0, max) : value);
const unique = (ids: readonly string[]) => [...new Set(ids.filter(Boolean))];

/** Who the event is about: its `WhoId` and the other people related to it. */
export function eventPeople(draft: MeetingActivityDraft): { whoId: string | null; others: string[] } {
  const contacts = unique(draft.contactIds).slice(0, MAX_EVENT_CONTACTS);
  if (contacts.length) return { whoId: contacts[0]!, others: contacts.slice(1) };
  const lead = unique(draft.leadIds)[0];
  return { whoId: lead ?? null, others: [] };
}

/** The Event upserted for one meeting occurrence. */
export function toEvent(draft: MeetingActivityDraft): Record<string, unknown> {
  const title = draft.status === 'cancelled' ? `${CANCELLED_PREFIX}${draft.title}` : draft.title;
  const event: Record<string, unknown> = {
    [KEY_FIELD]: draft.key,
    Subject: cut(title, 255),
    StartDateTime: draft.start,
    EndDateTime: draft.end,
    Location: draft.location || draft.onlineMeetingUrl ? cut(draft.location || draft.onlineMeetingUrl!, 255) : null,
    Description: cut(draft.description, 32000),
    // One "what": the deal when there is one, else the account.
    WhatId: draft.dealIds[0] ?? draft.accountIds[0] ?? null,
    WhoId: eventPeople(draft).whoId,
    [EXPLANATION_FIELD]: cut(draft.explanation, 32768),
  };
  if (draft.ownerId) event.OwnerId = draft.ownerId;
  return event;
}

/** Writes up to 200 meetings; outcomes in draft order. */
export async function writeSalesforceMeetings(api: SfWriteApi, drafts: readonly MeetingActivityDraft[], retry?: ItemRetry): Promise<MeetingWriteOutcome[]> {
  const results = await saveWithItemRetry((records) => api.upsert('Event', records, KEY_FIELD), drafts.map(toEvent), retry);
  const outcomes: MeetingWriteOutcome[] = saveOutcomes(drafts, results);

  // Events that existed (a re-run, a moved meeting, a retry after a lost reply) may hold relations already.
  const existingIds = results.filter((r) => r.success && r.created === false && r.id).map((r) => r.id!);
  const have = new Set<string>();
  for (let i = 0; i < existingIds.length; i += SF_BATCH) {
    const rows = await api.query(`SELECT Id, EventId, RelationId FROM EventRelation WHERE EventId IN ${soqlList(existingIds.slice(i, i + SF_BATCH))}`);
    for (const row of rows) have.add(`${String(row.EventId)}|${String(row.RelationId)}`);
  }
  const rows: Record<(typeof EVENT_RELATION_FIELDS)[number], string | boolean>[] = [];
  const owners: number[] = [];
  outcomes.forEach((outcome, i) => {
    if (!outcome.ok) return;
    for (const relationId of eventPeople(drafts[i]!).others) {
      if (have.has(`${outcome.crmId}|${relationId}`)) continue;
      rows.push({ EventId: outcome.crmId, RelationId: relationId, IsParent: true, IsInvitee: false });
      owners.push(i);
    }
  });
  await createRelations(api, 'EventRelation', rows, owners, outcomes, retry);
  return outcomes;
}
