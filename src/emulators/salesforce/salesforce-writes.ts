/**
 * sObject writes as the collections resources perform them: per-record validation and results
 * in request order, `allOrNone` rollback, upsert by external id with the `created` flag, and the
 * EmailMessage rules (Status picklist, read-only once sent, relations resolved to their object).
 */
import { findField, findObject, parseSfDatetime, type SfObject } from './salesforce-schema.js';
import type { SalesforceStore, SfRecord, SfWriteError } from './salesforce-store.js';
import { checkEvent, checkEventRelation, eventRelations, syncWhoRelation } from './salesforce-event-rules.js';

export type SaveResult =
  | { id: string; success: true; errors: []; created?: boolean }
  | { id?: string; success: false; errors: SfWriteError[] };

const EMAIL_STATUSES = new Set(['0', '1', '2', '3', '4', '5']);
const RELATION_TYPES = new Set(['FromAddress', 'ToAddress', 'CcAddress', 'BccAddress', 'OtherAddress']);
/** Fields an EmailMessage keeps writable after it is no longer a draft (custom fields too). */
const EMAIL_UPDATABLE_AFTER_SEND = new Set(['IsExternallyVisible']);
const SYSTEM_FIELDS = new Set(['Id', 'IsDeleted', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp']);

const err = (statusCode: string, message: string, fields: string[] = []): SfWriteError => ({ statusCode, message, fields });

/** Converts wire values to stored ones and checks names, types and lengths. */
function convertFields(object: SfObject, input: Record<string, unknown>): Record<string, unknown> | SfWriteError {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name === 'attributes') continue;
    const field = findField(object, name);
    if (!field) return err('INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`, [name]);
    if (SYSTEM_FIELDS.has(field.name) || field.createable === false) {
      return err('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${field.name}.`, [field.name]);
    }
    if (value === null || value === undefined) {
      out[field.name] = null;
      continue;
    }
    if (field.type === 'boolean') {
      if (typeof value !== 'boolean') return err('INVALID_TYPE_ON_FIELD_IN_RECORD', `${field.name}: value not of required type: ${String(value)}`, [field.name]);
      out[field.name] = value;
    } else if (field.type === 'datetime') {
      const ms = parseSfDatetime(String(value));
      if (Number.isNaN(ms)) return err('INVALID_TYPE_ON_FIELD_IN_RECORD', `${field.name}: value not of required type: ${String(value)}`, [field.name]);
      out[field.name] = ms;
    } else {
      if (typeof value !== 'string') return err('INVALID_TYPE_ON_FIELD_IN_RECORD', `${field.name}: value not of required type: ${String(value)}`, [field.name]);
      if (field.length && value.length > field.length) {
        return err('STRING_TOO_LONG', `${field.name}: data value too large: ${value.slice(0, 40)}… (max length=${field.length})`, [field.name]);
      }
      out[field.name] = value;
    }
  }
  return out;
}

function checkEmailMessage(store: SalesforceStore, fields: Record<string, unknown>, creating: boolean): SfWriteError | undefined {
  if (creating && !('Status' in fields)) return err('REQUIRED_FIELD_MISSING', 'Required fields are missing: [Status]', ['Status']);
  if ('Status' in fields && !EMAIL_STATUSES.has(String(fields.Status))) {
    return err('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `Status: bad value for restricted picklist field: ${String(fields.Status)}`, ['Status']);
  }
  const related = fields.RelatedToId;
  if (typeof related === 'string' && !store.findById(related)) {
    return err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['RelatedToId']);
  }
  return undefined;
}

function checkRelation(store: SalesforceStore, fields: Record<string, unknown>): SfWriteError | undefined {
  const message = typeof fields.EmailMessageId === 'string' ? store.findById(fields.EmailMessageId) : undefined;
  if (message?.object !== 'EmailMessage') return err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['EmailMessageId']);
  if (!RELATION_TYPES.has(String(fields.RelationType))) {
    return err('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `RelationType: bad value for restricted picklist field: ${String(fields.RelationType)}`, ['RelationType']);
  }
  if (typeof fields.RelationId === 'string') {
    const target = store.findById(fields.RelationId);
    if (!target || !['Contact', 'Lead', 'User'].includes(target.object)) {
      return err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['RelationId']);
    }
    fields.RelationObjectType = target.object;
    if (!fields.RelationAddress) fields.RelationAddress = target.record.Email ?? null;
  } else if (!fields.RelationAddress) {
    return err('REQUIRED_FIELD_MISSING', 'Required fields are missing: [RelationAddress]', ['RelationAddress']);
  }
  return undefined;
}

/** Whether a sent EmailMessage would have a read-only field changed by `fields`. */
function lockedChange(existing: SfRecord, fields: Record<string, unknown>): string | undefined {
  if (existing.Status === '5') return undefined;
  for (const [name, value] of Object.entries(fields)) {
    if (name.endsWith('__c') || EMAIL_UPDATABLE_AFTER_SEND.has(name)) continue;
    if ((existing[name] ?? null) !== value) return name;
  }
  return undefined;
}

/** How to put one row back if the request it was part of is rolled back. */
export type Undo = { object: SfObject; id: string; copy: SfRecord | null };

/** One record of a create / update / upsert collection. */
export type WriteOp =
  | { kind: 'create'; record: Record<string, unknown> }
  | { kind: 'update'; record: Record<string, unknown> }
  | { kind: 'upsert'; record: Record<string, unknown>; type: string; extField: string };

/** A per-record failure to inject (lock contention, duplicate rule), if any. */
export type ItemFault = (object: string, record: Record<string, unknown>) => SfWriteError | undefined;

export function applyOne(store: SalesforceStore, op: WriteOp, undo: Undo[], itemFault?: ItemFault): SaveResult {
  const attributes = op.record.attributes as { type?: string } | undefined;
  const typeName = op.kind === 'upsert' ? op.type : attributes?.type;
  if (!typeName) return { success: false, errors: [err('INVALID_TYPE', 'Must send a concrete entity type.')] };
  const object = findObject(typeName);
  if (!object) return { success: false, errors: [err('INVALID_TYPE', `sObject type '${typeName}' is not supported.`)] };
  const injected = itemFault?.(object.name, op.record);
  if (injected) return { success: false, errors: [injected] };
  const { Id: rawId, ...rest } = op.record;
  const fields = convertFields(object, rest);
  if ('statusCode' in fields) return { success: false, errors: [fields as SfWriteError] };

  let existing: SfRecord | undefined;
  if (op.kind === 'update') {
    const found = typeof rawId === 'string' ? store.table(object.name).get(rawId) : undefined;
    if (!found) return { success: false, errors: [err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')] };
    if (found.IsDeleted) return { id: found.Id, success: false, errors: [err('ENTITY_IS_DELETED', 'entity is deleted')] };
    existing = found;
  } else if (op.kind === 'create') {
    if (rawId !== undefined) return { success: false, errors: [err('INVALID_FIELD', 'Id not allowed on create', ['Id'])] };
  } else {
    const extField = findField(object, op.extField);
    if (!extField?.externalId) return { success: false, errors: [err('INVALID_FIELD', `Field ${op.extField} is not an external id field`, [op.extField])] };
    const value = fields[extField.name];
    if (typeof value !== 'string' || !value) return { success: false, errors: [err('REQUIRED_FIELD_MISSING', `Required fields are missing: [${extField.name}]`, [extField.name])] };
    existing = store.findByUnique(object.name, extField.name, value);
  }

  if (object.name === 'EmailMessage') {
    const problem = checkEmailMessage(store, fields, !existing);
    if (problem) return { success: false, errors: [problem] };
    const locked = existing ? lockedChange(existing, fields) : undefined;
    if (locked) return { id: existing!.Id, success: false, errors: [err('FIELD_INTEGRITY_EXCEPTION', `${locked}: field is not editable once the email is sent`, [locked])] };
  }
  if (object.name === 'EmailMessageRelation' && !existing) {
    const problem = checkRelation(store, fields);
    if (problem) return { success: false, errors: [problem] };
  }

  if (object.name === 'Event') {
    const problem = checkEvent(store, fields, existing);
    if (problem) return { ...(existing ? { id: existing.Id } : {}), success: false, errors: [problem] };
  }
  if (object.name === 'EventRelation' && !existing) {
    const problem = checkEventRelation(store, fields);
    if (problem) return { success: false, errors: [problem] };
  }
  const relationUndo = (event: SfRecord, previousWho: unknown) => {
    if (object.name !== 'Event') return;
    for (const t of syncWhoRelation(store, event, previousWho)) undo.push({ object: findObject('EventRelation')!, id: t.id, copy: t.copy });
  };

  if (existing) {
    const copy = store.checkpoint(existing);
    const problem = store.update(object, existing, fields);
    if (problem) return { id: existing.Id, success: false, errors: [problem] };
    undo.push({ object, id: existing.Id, copy });
    relationUndo(existing, copy.WhoId);
    return op.kind === 'upsert' ? { id: existing.Id, success: true, errors: [], created: false } : { id: existing.Id, success: true, errors: [] };
  }
  const inserted = store.insert(object, fields);
  if ('statusCode' in inserted) return { success: false, errors: [inserted as SfWriteError] };
  undo.push({ object, id: inserted.Id, copy: null });
  relationUndo(inserted as SfRecord, undefined);
  return op.kind === 'upsert' ? { id: inserted.Id, success: true, errors: [], created: true } : { id: inserted.Id, success: true, errors: [] };
}

const ROLLED_BACK = err(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header',
);

function finish(store: SalesforceStore, results: SaveResult[], undo: Undo[], allOrNone: boolean): SaveResult[] {
  if (!allOrNone || results.every((r) => r.success)) return results;
  for (const u of undo.reverse()) store.rollback(u.object, u.id, u.copy);
  return results.map((r) => (r.success ? { success: false, errors: [ROLLED_BACK] } : r));
}

/** Applies a collection request; results are in request order. */
export function applyWrites(store: SalesforceStore, ops: WriteOp[], allOrNone: boolean, itemFault?: ItemFault): SaveResult[] {
  const undo: Undo[] = [];
  const results = ops.map((op) => applyOne(store, op, undo, itemFault));
  return finish(store, results, undo, allOrNone);
}

/** Undoes every change of a request, newest first. */
export function rollBack(store: SalesforceStore, undo: Undo[]): void {
  for (const u of [...undo].reverse()) store.rollback(u.object, u.id, u.copy);
  undo.length = 0;
}

/** Deletes one record by id; deleting an EmailMessage deletes its relations too. */
export function deleteOne(store: SalesforceStore, id: string, undo: Undo[]): SaveResult {
  const hit = store.findById(id);
  if (!hit) {
    const deleted = ['EmailMessage', 'EmailMessageRelation', 'Event', 'EventRelation', 'Contact', 'Account', 'Lead', 'Opportunity', 'OpportunityContactRole', 'User'].some((o) => store.table(o).get(id)?.IsDeleted);
    return { id, success: false, errors: [deleted ? err('ENTITY_IS_DELETED', 'entity is deleted') : err('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')] };
  }
  const object = findObject(hit.object)!;
  const targets: SfRecord[] = [hit.record];
  if (hit.object === 'EmailMessage') {
    for (const rel of store.table('EmailMessageRelation').values()) if (!rel.IsDeleted && rel.EmailMessageId === id) targets.push(rel);
  }
  // Deleting an event deletes its relations (Shared Activities).
  if (hit.object === 'Event') targets.push(...eventRelations(store, id));
  for (const record of targets) {
    const recordObject = record === hit.record ? object : findObject(hit.object === 'Event' ? 'EventRelation' : 'EmailMessageRelation')!;
    undo.push({ object: recordObject, id: record.Id, copy: store.checkpoint(record) });
    store.softDelete(recordObject, record);
  }
  return { id, success: true, errors: [] };
}

/** Deletes records by id (see deleteOne). */
export function applyDeletes(store: SalesforceStore, ids: string[], allOrNone: boolean): SaveResult[] {
  const undo: Undo[] = [];
  const results = ids.map((id) => deleteOne(store, id, undo));
  return finish(store, results, undo, allOrNone);
}
