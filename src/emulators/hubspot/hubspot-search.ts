/**
 * The CRM search API's filter semantics: groups are OR, filters in a group AND; operators
 * EQ NEQ LT LTE GT GTE BETWEEN IN NOT_IN HAS_PROPERTY NOT_HAS_PROPERTY CONTAINS_TOKEN
 * NOT_CONTAINS_TOKEN; string values compared case-insensitively; datetimes as epoch ms or ISO.
 * Limits as documented (configurable): 5 groups, 6 filters per group, 18 in all, one sort,
 * `limit` ≤ 200, and no paging past 10,000 results.
 */
import { DATETIME_PROPERTIES, type HsObject } from './hubspot-store.js';

export interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface SearchRequest {
  filterGroups?: { filters?: SearchFilter[] }[];
  sorts?: ({ propertyName: string; direction?: string } | string)[];
  properties?: string[];
  limit?: number;
  after?: string | number;
  query?: string;
}

export interface SearchLimits {
  maxGroups: number;
  maxFiltersPerGroup: number;
  maxFilters: number;
  maxResults: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = { maxGroups: 5, maxFiltersPerGroup: 6, maxFilters: 18, maxResults: 10_000 };

/** Why a request is refused (400 VALIDATION_ERROR), or undefined when it is acceptable. */
export function validateSearch(req: SearchRequest, limits: SearchLimits): string | undefined {
  const groups = req.filterGroups ?? [];
  if (groups.length > limits.maxGroups) return `Too many filter groups (${groups.length}); the maximum is ${limits.maxGroups}.`;
  let total = 0;
  for (const g of groups) {
    const n = g.filters?.length ?? 0;
    if (n > limits.maxFiltersPerGroup) return `Too many filters in a group (${n}); the maximum is ${limits.maxFiltersPerGroup}.`;
    total += n;
  }
  if (total > limits.maxFilters) return `Too many filters (${total}); the maximum is ${limits.maxFilters}.`;
  if ((req.sorts?.length ?? 0) > 1) return 'Only one sort is allowed.';
  const limit = req.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 0 || limit > 200) return `limit must be between 0 and 200, got ${String(req.limit)}.`;
  const after = Number(req.after ?? 0);
  if (!Number.isInteger(after) || after < 0) return `after must be a non-negative integer, got ${String(req.after)}.`;
  if (after + limit > limits.maxResults) return `Paging beyond ${limits.maxResults} results is not supported.`;
  if ((req.query?.length ?? 0) > 3000) return 'query is longer than 3000 characters.';
  return undefined;
}

function asInstant(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

type Scalar = string | number | null;

/** A property value in comparable form. */
export function comparableValue(property: string, value: string | null | undefined): Scalar {
  if (value === null || value === undefined || value === '') return null;
  if (DATETIME_PROPERTIES.has(property)) return asInstant(value);
  if (property === 'hs_object_id' && /^\d+$/.test(value)) return Number(value);
  return value.toLowerCase();
}

function cmp(a: Scalar, b: Scalar): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/** Modification properties: read from the object's numeric stamp instead of parsing its string. */
export const MODIFIED_PROPERTIES = new Set(['hs_lastmodifieddate', 'lastmodifieddate']);

/** An object's property in comparable form. */
export function propertyOf(o: HsObject, property: string): Scalar {
  return MODIFIED_PROPERTIES.has(property) ? o.updatedAt : comparableValue(property, o.properties[property]);
}

function filterMatches(o: HsObject, f: SearchFilter): boolean {
  const actual = propertyOf(o, f.propertyName);
  const value = comparableValue(f.propertyName, f.value);
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return actual !== null;
    case 'NOT_HAS_PROPERTY':
      return actual === null;
    case 'EQ':
      return actual !== null && cmp(actual, value) === 0;
    case 'NEQ':
      return cmp(actual, value) !== 0;
    case 'LT':
      return actual !== null && cmp(actual, value) < 0;
    case 'LTE':
      return actual !== null && cmp(actual, value) <= 0;
    case 'GT':
      return actual !== null && cmp(actual, value) > 0;
    case 'GTE':
      return actual !== null && cmp(actual, value) >= 0;
    case 'BETWEEN':
      return actual !== null && cmp(actual, value) >= 0 && cmp(actual, comparableValue(f.propertyName, f.highValue)) <= 0;
    case 'IN':
      return actual !== null && (f.values ?? []).some((v) => cmp(actual, comparableValue(f.propertyName, v)) === 0);
    case 'NOT_IN':
      return !(f.values ?? []).some((v) => cmp(actual, comparableValue(f.propertyName, v)) === 0);
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const pattern = new RegExp(`(^|\\W)${String(f.value ?? '').toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}(\\W|$)`);
      const hit = typeof actual === 'string' && pattern.test(actual);
      return f.operator === 'CONTAINS_TOKEN' ? hit : !hit;
    }
    default:
      throw new Error(`Unsupported operator ${f.operator}`);
  }
}

/** Whether an object matches the request's filter groups (no groups: everything). */
export function matchesGroups(o: HsObject, req: SearchRequest): boolean {
  const groups = req.filterGroups ?? [];
  if (groups.length === 0) return true;
  return groups.some((g) => (g.filters ?? []).every((f) => filterMatches(o, f)));
}

/** The sort rule: the request's, else creation date then id (oldest first). */
export function sortKey(req: SearchRequest): { property: string; descending: boolean } {
  const sort = req.sorts?.[0];
  if (!sort) return { property: 'createdate', descending: false };
  if (typeof sort === 'string') return sort.startsWith('-') ? { property: sort.slice(1), descending: true } : { property: sort, descending: false };
  return { property: sort.propertyName, descending: sort.direction === 'DESCENDING' };
}

/** Numeric-aware id order (HubSpot ids are numbers written as strings). */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length && /^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts objects by one property (keys computed once), ties by id. */
export function sortObjects(objects: HsObject[], property: string, descending: boolean): HsObject[] {
  const sign = descending ? -1 : 1;
  const keyed = objects.map((o) => ({ o, k: propertyOf(o, property) }));
  keyed.sort((a, b) => cmp(a.k, b.k) * sign || compareIds(a.o.id, b.o.id));
  return keyed.map((x) => x.o);
}

/**
 * The lowest value of `property` any match can have, when every filter group bounds it from
 * below (`GT`, `GTE`, `EQ`, `BETWEEN`): lets the emulator start from a sorted index.
 */
export function lowerBound(req: SearchRequest, property: string): number | null {
  const groups = req.filterGroups ?? [];
  if (!groups.length) return null;
  let lowest = Infinity;
  for (const g of groups) {
    const bound = (g.filters ?? [])
      .filter((f) => f.propertyName === property && ['GT', 'GTE', 'EQ', 'BETWEEN'].includes(f.operator))
      .map((f) => comparableValue(property, f.value))
      .filter((v): v is number => typeof v === 'number');
    if (!bound.length) return null;
    lowest = Math.min(lowest, Math.max(...bound));
  }
  return Number.isFinite(lowest) ? lowest : null;
}
