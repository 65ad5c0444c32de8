/**
 * The Event and EventRelation rules of the Salesforce emulator, as an org with Shared Activities
 * enabled applies them (Object Reference, "EventRelation" and "EventWhoRelation"):
 * - an event is related to up to 50 contacts or one lead (`IsParent` rows; the `WhoId` is one of
 *   them: setting it creates its relation row, changing it moves that row: ❓ the docs say only
 *   that deleting the WhoId's row promotes another Who, so the move is modelled as delete + add);
 * - a user or resource can be an invitee (`IsInvitee`), never a parent;
 * - one row per person and event;
 * - `WhatId` points at one other record (account, opportunity), never a person;
 * - deleting an event deletes its relations.
 * The error codes of a refused relation are not documented: FIELD_INTEGRITY_EXCEPTION is what the
 * org answers other integrity breaches with (❓ not verified against a live org).
 */
import { SF_OBJECTS } from './salesforce-schema.js';
import type { SalesforceStore, SfRecord, SfWriteError } from './salesforce-store.js';

/** Contacts one event may be related to (one lead instead). */
export const MAX_EVENT_CONTACTS = 50;

const err = (statusCode: string, message: string, fields: string[] = []): SfWriteError => ({ statusCode, message, fields });

const kindOf = (store: SalesforceStore, id: unknown): string | undefined => (typeof id === 'string' ? store.findById(id)?.object : undefined);

/** Live relation rows of an event. */
export function eventRelations(store: SalesforceStore, eventId: string): SfRecord[] {
  return [...store.table('EventRelation').values()].filter((r) => !r.IsDeleted && r.EventId === eventId);
}

/** Checks an Event create or update (`existing` set on update); fields hold stored values. */
export function checkEvent(store: SalesforceStore, fields: Record<string, unknown>, existing: SfRecord | undefined): SfWriteError | undefined {
  const start = 'StartDateTime' in fields ? fields.StartDateTime : existing?.StartDateTime;
  const end = 'EndDateTime' in fields ? fields.EndDateTime : existing?.EndDateTime;
  if (typeof start !== 'number') return err('REQUIRED_FIELD_MISSING', 'Required fields are missing: [StartDateTime]', ['StartDateTime']);
  if (typeof end !== 'number') return err('REQUIRED_FIELD_MISSING', 'Required fields are missing: [EndDateTime]', ['EndDateTime']);
  if (end < start) return err('FIELD_INTEGRITY_EXCEPTION', 'End Date Time: Event cannot end before it starts', ['EndDateTime']);
  // Object Reference, Event.DurationInMinutes: an event lasts at most 14 days.
  if (end - start > 14 * 86_400_000) return err('FIELD_INTEGRITY_EXCEPTION', 'Event duration cannot exceed 14 days', ['EndDateTime']);
  if ('WhoId' in fields && fields.WhoId != null && !['Contact', 'Lead'].includes(kindOf(store, fields.WhoId) ?? '')) {
    return err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['WhoId']);
  }
  if ('WhatId' in fields && fields.WhatId != null) {
    const what = kindOf(store, fields.WhatId);
    if (!what || ['Contact', 'Lead', 'User', 'Event', 'EventRelation'].includes(what)) return err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['WhatId']);
  }
  if ('OwnerId' in fields && fields.OwnerId != null && kindOf(store, fields.OwnerId) !== 'User') {
    return err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['OwnerId']);
  }
  const who = 'WhoId' in fields ? fields.WhoId : existing?.WhoId;
  if (existing && typeof who === 'string') {
    const others = eventRelations(store, existing.Id).filter((r) => r.IsParent && r.RelationId !== existing.WhoId && r.RelationId !== who);
    return relationCap(store, others, who);
  }
  return undefined;
}

/** Whether relating `relationId` as a parent to an event that already has `parents` breaks the cap. */
function relationCap(store: SalesforceStore, parents: SfRecord[], relationId: string): SfWriteError | undefined {
  const kinds = parents.map((r) => kindOf(store, r.RelationId));
  const kind = kindOf(store, relationId);
  if (kind === 'Lead' && parents.length) return err('FIELD_INTEGRITY_EXCEPTION', 'An event can be related to up to 50 contacts or one lead', ['RelationId']);
  if (kind === 'Contact' && kinds.includes('Lead')) return err('FIELD_INTEGRITY_EXCEPTION', 'An event can be related to up to 50 contacts or one lead', ['RelationId']);
  if (kind === 'Contact' && parents.length >= MAX_EVENT_CONTACTS) {
    return err('FIELD_INTEGRITY_EXCEPTION', `An event can be related to up to ${MAX_EVENT_CONTACTS} contacts or one lead`, ['RelationId']);
  }
  return undefined;
}

/** Checks an EventRelation create. */
export function checkEventRelation(store: SalesforceStore, fields: Record<string, unknown>): SfWriteError | undefined {
  const event = typeof fields.EventId === 'string' ? store.findById(fields.EventId) : undefined;
  if (event?.object !== 'Event') return err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['EventId']);
  const kind = kindOf(store, fields.RelationId);
  if (!kind || !['Contact', 'Lead', 'User'].includes(kind)) return err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['RelationId']);
  const rows = eventRelations(store, event.record.Id);
  const held = rows.find((r) => r.RelationId === fields.RelationId);
  if (held) return err('DUPLICATE_VALUE', `duplicate value found: RelationId duplicates value on record with id: ${held.Id}`, ['RelationId']);
  if (fields.IsParent === true) {
    if (kind === 'User') return err('FIELD_INTEGRITY_EXCEPTION', 'Only contacts and leads can be related to an event', ['IsParent']);
    const problem = relationCap(store, rows.filter((r) => r.IsParent), String(fields.RelationId));
    if (problem) return problem;
  } else if (fields.IsInvitee !== true) {
    return err('FIELD_INTEGRITY_EXCEPTION', 'A relation must be a parent or an invitee', ['IsParent', 'IsInvitee']);
  }
  fields.IsWhat = false;
  return undefined;
}

/**
 * After an Event write: the WhoId's relation row exists (created, or moved from the old WhoId).
 * Returns the rows touched, with their prior state, so an `allOrNone` rollback can undo them.
 */
export function syncWhoRelation(store: SalesforceStore, event: SfRecord, previousWho: unknown): { id: string; copy: SfRecord | null }[] {
  const touched: { id: string; copy: SfRecord | null }[] = [];
  const object = SF_OBJECTS.EventRelation!;
  const rows = eventRelations(store, event.Id);
  if (typeof previousWho === 'string' && previousWho !== event.WhoId) {
    const old = rows.find((r) => r.RelationId === previousWho && r.IsParent && !r.IsInvitee);
    if (old) {
      touched.push({ id: old.Id, copy: store.checkpoint(old) });
      store.softDelete(object, old);
    }
  }
  if (typeof event.WhoId === 'string' && !rows.some((r) => r.RelationId === event.WhoId && !r.IsDeleted)) {
    const row = store.insert(object, { EventId: event.Id, RelationId: event.WhoId, IsParent: true, IsInvitee: false, IsWhat: false });
    if (!('statusCode' in row)) touched.push({ id: (row as SfRecord).Id, copy: null });
  }
  return touched;
}
