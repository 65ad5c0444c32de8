/**
 * Runs a parsed SOQL query against the emulator's store: filter, order, limit, and projection
 * of the selected fields into the wire format (`attributes`, `+0000` datetimes).
 */
import { findField, findObject, formatSfDatetime, parseSfDatetime, type SfField, type SfObject } from './salesforce-schema.js';
import type { SalesforceStore, SfRecord } from './salesforce-store.js';
import { SoqlSyntaxError, type SoqlCondition, type SoqlQuery, type SoqlValue } from './soql-parser.js';

/** A query checked against the schema: field names resolved to their canonical spelling. */
export interface ResolvedQuery {
  object: SfObject;
  fields: SfField[];
  query: SoqlQuery;
}

/** Resolves object and field names; unknown ones fail like Salesforce's `INVALID_FIELD`. */
export function resolveQuery(query: SoqlQuery): ResolvedQuery {
  const object = findObject(query.object);
  if (!object) throw new SoqlSyntaxError(`sObject type '${query.object}' is not supported.`);
  const resolve = (name: string): SfField => {
    const field = findField(object, name);
    if (!field) throw new SoqlSyntaxError(`No such column '${name}' on entity '${object.name}'.`);
    return field;
  };
  const walk = (c: SoqlCondition | null): void => {
    if (!c) return;
    if (c.kind === 'compare' || c.kind === 'in') resolve(c.field);
    else if (c.kind === 'not') walk(c.inner);
    else {
      walk(c.left);
      walk(c.right);
    }
  };
  walk(query.where);
  for (const o of query.orderBy) resolve(o.field);
  return { object, fields: query.fields.map(resolve), query };
}

function comparable(field: SfField, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (field.type === 'datetime') return typeof value === 'number' ? value : parseSfDatetime(String(value));
  if (typeof value === 'string') return value.toLowerCase();
  return value as number | boolean;
}

function compare(a: string | number | boolean | null, b: string | number | boolean | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** IN lists as sets, built once per parsed condition. */
const inSets = new WeakMap<SoqlCondition, Set<string | number | boolean | null>>();

function matches(object: SfObject, record: SfRecord, c: SoqlCondition): boolean {
  switch (c.kind) {
    case 'and':
      return matches(object, record, c.left) && matches(object, record, c.right);
    case 'or':
      return matches(object, record, c.left) || matches(object, record, c.right);
    case 'not':
      return !matches(object, record, c.inner);
    case 'in': {
      const field = findField(object, c.field)!;
      let set = inSets.get(c);
      if (!set) inSets.set(c, (set = new Set(c.values.map((v: SoqlValue) => comparable(field, v)))));
      const hit = set.has(comparable(field, record[field.name]));
      return c.negated ? !hit : hit;
    }
    case 'compare': {
      const field = findField(object, c.field)!;
      const actual = comparable(field, record[field.name]);
      if (c.op === 'LIKE') return typeof actual === 'string' && likeToRegExp(String(c.value)).test(actual);
      const expected = comparable(field, c.value);
      if (c.op === '=') return compare(actual, expected) === 0;
      if (c.op === '!=') return compare(actual, expected) !== 0;
      // Null never orders against a value in SOQL.
      if (actual === null || expected === null) return false;
      const order = compare(actual, expected);
      return c.op === '<' ? order < 0 : c.op === '<=' ? order <= 0 : c.op === '>' ? order > 0 : order >= 0;
    }
  }
}

/**
 * The matching rows in query order. `includeDeleted` is `queryAll`; otherwise deleted rows are
 * invisible, as in the `query` resource.
 */
export function runQuery(store: SalesforceStore, resolved: ResolvedQuery, includeDeleted: boolean): SfRecord[] {
  const { object, query } = resolved;
  const out: SfRecord[] = [];
  for (const record of store.table(object.name).values()) {
    if (record.IsDeleted && !includeDeleted) continue;
    if (query.where && !matches(object, record, query.where)) continue;
    out.push(record);
  }
  if (query.orderBy.length) {
    const keys = query.orderBy.map((o) => ({ field: findField(object, o.field)!, sign: o.descending ? -1 : 1 }));
    out.sort((a, b) => {
      for (const { field, sign } of keys) {
        const order = compare(comparable(field, a[field.name]), comparable(field, b[field.name]));
        if (order !== 0) return order * sign;
      }
      return 0;
    });
  }
  return query.limit === null ? out : out.slice(0, query.limit);
}

/** Formats a stored value for the wire. */
export function wireValue(field: SfField, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (field.type === 'datetime' && typeof value === 'number') return formatSfDatetime(value);
  return value;
}

/** One row as the query resource returns it. */
export function projectRecord(resolved: ResolvedQuery, record: SfRecord, basePath: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: resolved.object.name, url: `${basePath}/sobjects/${resolved.object.name}/${record.Id}` },
  };
  for (const field of resolved.fields) out[field.name] = wireValue(field, record[field.name]);
  return out;
}
