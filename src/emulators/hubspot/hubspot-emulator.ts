/**
 * A loopback HubSpot CRM API: private-app bearer auth, CRM search (filter groups, one sort,
 * offset paging, the 10,000-result cap returning 400), list with `archived`, batch read, email
 * engagements (single and batch create of 100 with inline associations, batch archive), v4
 * associations, owners, deal pipelines; ten-secondly, daily and search limits with
 * `X-HubSpot-RateLimit-*` headers and the real 429 bodies. Seeded from a snapshot or a generated
 * tenant; with an in-process and HTTP (`/__mock/`) control surface.
 */
import { randomUUID } from 'node:crypto';
import type { CrmSnapshot } from '../../core/types.js';
import type { FaultRule } from '../common/faults.js';
import { startHttpEmulator, type EmulatorRequest, type EmulatorResponse, type RunningEmulator } from '../common/http-emulator.js';
import { generateTenant, type TenantSource, type TenantSpec } from '../common/tenant-generator.js';
import { HubspotRateLimits, type HubspotLimitOptions } from './hubspot-rate-limits.js';
import {
  DEFAULT_SEARCH_LIMITS,
  MODIFIED_PROPERTIES,
  compareIds,
  lowerBound,
  matchesGroups,
  sortKey,
  sortObjects,
  validateSearch,
  type SearchLimits,
  type SearchRequest,
} from './hubspot-search.js';
import { seedHubspot } from './hubspot-seed.js';
import { ASSOCIATION_TYPES, HubspotStore, UNIQUE_PROPERTIES, objectType, type HsObject, type ObjectType } from './hubspot-store.js';
import { BATCH_CONFLICT_MODES, unknownPropertiesError, wholeBatchConflict, type BatchConflictMode, type UniqueCollision } from './hubspot-batch-create.js';
import { serveCrmControl } from '../common/crm-control-routes.js';
import { PageTokens } from '../common/page-tokens.js';
import { checkMeeting, MEETING_PROPERTIES } from './hubspot-meetings.js';

export interface HubspotEmulatorOptions {
  port?: number;
  snapshot?: CrmSnapshot;
  tenant?: TenantSource;
  generate?: TenantSpec;
  accessToken?: string;
  limits?: Partial<HubspotLimitOptions>;
  search?: Partial<SearchLimits>;
  /** Newly written objects stay out of search results this long (eventual consistency). */
  searchLagMs?: number;
  /** Base time source; `control.advanceClock` adds to it. */
  now?: () => number;
  /** Associations per input per page of a v4 read (live: 500). */
  associationPageSize?: number;
  /** How a batch create meeting an existing unique value is answered (default `reject-409`). */
  batchConflict?: BatchConflictMode;
  /** Whether the portal already has mailbridge's email properties (default true); false: `doctor --fix` must create them. */
  customProperties?: boolean;
  /** Call kinds (see `classifyHubspot`, e.g. `owners`) refused with 403 `MISSING_SCOPES`, as a scope the app lacks is. */
  deniedCalls?: string[];
}

/** An email engagement as written, with its associations: what read-back tests compare. */
export interface WrittenEngagement {
  id: string;
  properties: Record<string, string | null>;
  associations: { contacts: string[]; companies: string[]; deals: string[] };
  typeIds: number[];
}

export interface HubspotControl {
  store: HubspotStore;
  now(): number;
  advanceClock(ms: number): void;
  expireToken(): void;
  limits: HubspotRateLimits;
  createObject(type: ObjectType, properties: Record<string, string | null>): string;
  updateObject(type: ObjectType, id: string, properties: Record<string, string | null>): void;
  archiveObject(type: ObjectType, id: string): void;
  merge(type: ObjectType, winnerId: string, loserId: string): void;
  associate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, typeId: number): void;
  dissociate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): void;
  emails(): WrittenEngagement[];
  /** Every live meeting with its associations (issue 15). */
  meetings(): WrittenEngagement[];
  addFault(rule: FaultRule): void;
  /** Switches how batch creates meeting an existing unique value are answered. */
  setBatchConflictMode(mode: BatchConflictMode): void;
  /** Switches how long new writes stay out of search results. */
  setSearchLag(ms: number): void;
  /** Removes an email property (as an admin deleting it would); true when it existed. */
  removeEmailProperty(name: string): boolean;
  /** Refuses these call kinds with 403 `MISSING_SCOPES` from now on; `[]` grants all again. */
  denyCalls(kinds: string[]): void;
}

export interface RunningHubspotEmulator extends RunningEmulator {
  credentials: { accessToken: string; basePath: string };
  control: HubspotControl;
}

const DEFAULT_PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'lastname', 'lastmodifieddate', 'hs_object_id'],
  companies: ['createdate', 'domain', 'name', 'hs_lastmodifieddate', 'hs_object_id'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
  emails: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id', 'hs_timestamp'],
  meetings: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id', 'hs_timestamp'],
};

/** The granular scope a 403 names for a refused call kind. */
const SCOPE_OF_CALL: Record<string, string> = { owners: 'crm.objects.owners.read', properties: 'crm.schemas.emails.read', 'properties-create': 'crm.schemas.emails.write' };

/** The scope a refused call names: meetings calls need the contacts write scope (the meetings API's). */
const scopeOfCall = (kind: string): string => SCOPE_OF_CALL[kind] ?? (kind.includes('meetings') ? 'crm.objects.contacts.write' : 'crm.objects.emails.write');

/** mailbridge's own email properties, as `doctor --fix` (or an admin) creates them. */
const CUSTOM_EMAIL_PROPERTIES = new Set(['mailbridge_key', 'mailbridge_explanation']);

const EMAIL_PROPERTIES = new Set([
  'hs_timestamp',
  'hubspot_owner_id',
  'hs_email_direction',
  'hs_email_status',
  'hs_email_subject',
  'hs_email_text',
  'hs_email_html',
  'hs_email_headers',
  'hs_attachment_ids',
  'mailbridge_key',
  'mailbridge_explanation',
]);
/** HubSpot's object type ids, as v4 association results name them. */
const TYPE_IDS: Record<ObjectType, string> = { contacts: '0-1', companies: '0-2', deals: '0-3', emails: '0-49', meetings: '0-47' };

/** Associations per page of a v4 read, batch or single (live: 500). */
const ASSOCIATION_PAGE = 500;
const EMAIL_DIRECTIONS = new Set(['EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL']);
const EMAIL_STATUSES = new Set(['BOUNCED', 'FAILED', 'SCHEDULED', 'SENDING', 'SENT']);

const hsError = (status: number, category: string, message: string, extra: Record<string, unknown> = {}): EmulatorResponse => ({
  status,
  body: { status: 'error', message, correlationId: randomUUID(), category, ...extra },
});

/** Request kinds, for counters and fault targeting. */
export function classifyHubspot(req: EmulatorRequest): string {
  const p = req.path;
  if (p.startsWith('/__mock/')) return 'control';
  if (p.startsWith('/crm/v3/owners')) return 'owners';
  if (p.startsWith('/crm/v3/pipelines')) return 'pipelines';
  if (p.startsWith('/crm/v3/properties/')) return req.method === 'POST' ? 'properties-create' : 'properties';
  if (/^\/crm\/v4\/associations\/[^/]+\/[^/]+\/labels/.test(p)) return 'association-labels';
  const v4 = /^\/crm\/v4\/associations\/[^/]+\/[^/]+\/batch\/(\w+)/.exec(p);
  if (v4) return `associations-batch-${v4[1]}`;
  if (p.startsWith('/crm/v4/')) return 'associations';
  const m = /^\/crm\/v3\/objects\/([^/]+)(\/.*)?$/.exec(p);
  if (!m) return 'other';
  const type = objectType(m[1]!) ?? m[1]!;
  const rest = m[2] ?? '';
  if (rest === '/search') return `search-${type}`;
  if (rest.startsWith('/batch/')) return `batch-${rest.slice(7)}-${type}`;
  if (rest === '') return req.method === 'GET' ? `list-${type}` : `create-${type}`;
  return `${req.method.toLowerCase()}-${type}`;
}

/**
 * The page HubSpot's edge serves for a gateway failure: HTML, not the JSON error envelope
 * (airbytehq/airbyte#15729 shows a HubSpot 502 surfacing as a whole HTML page).
 */
export function gatewayPage(status: 502 | 503 | 504): string {
  const title = { 502: '502 Bad Gateway', 503: '503 Service Temporarily Unavailable', 504: '504 Gateway Time-out' }[status];
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`;
}

function faultBody(status: number): unknown {
  if (status === 502 || status === 504) return gatewayPage(status);
  if (status === 401) return { status: 'error', message: 'Authentication credentials not found.', correlationId: randomUUID(), category: 'INVALID_AUTHENTICATION' };
  if (status === 429) {
    return {
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      category: 'RATE_LIMITS',
      correlationId: randomUUID(),
      policyName: 'TEN_SECONDLY_ROLLING',
    };
  }
  return { status: 'error', message: 'internal error', correlationId: randomUUID(), category: 'INTERNAL_ERROR' };
}

/** Every answer carries `X-HubSpot-Correlation-Id`, the same id an error body names. */
function withCorrelationId(answer: EmulatorResponse): EmulatorResponse {
  const body = answer.body as { correlationId?: unknown } | undefined;
  const id = body && typeof body === 'object' && typeof body.correlationId === 'string' ? body.correlationId : randomUUID();
  return { ...answer, headers: { ...(answer.headers ?? {}), 'X-HubSpot-Correlation-Id': id } };
}

/** Starts a seeded HubSpot emulator on 127.0.0.1. */
export async function startHubspotEmulator(opts: HubspotEmulatorOptions = {}): Promise<RunningHubspotEmulator> {
  let offset = 0;
  const baseNow = opts.now ?? Date.now;
  const now = () => baseNow() + offset;
  let token = opts.accessToken ?? `pat-na1-${randomUUID()}`;
  const store = new HubspotStore(now);
  const tenant = opts.tenant ?? opts.snapshot ?? generateTenant(opts.generate ?? { accounts: 5, contactsPerAccount: 3, dealsPerAccount: 2 });
  const seededAt = now() - 86_400_000;
  seedHubspot(store, tenant, seededAt);
  const limits = new HubspotRateLimits(
    { tenSecondlyMax: 190, intervalMs: 10_000, daily: 1_000_000, searchPerSecond: 5, searchCountsTenSecondly: false, ...opts.limits },
    Date.now,
  );
  const searchLimits: SearchLimits = { ...DEFAULT_SEARCH_LIMITS, ...opts.search };
  const denied = new Set(opts.deniedCalls ?? []);
  // Email properties of the portal: name → definition (the properties API's shape).
  const emailProperties = new Map<string, Record<string, unknown>>();
  const defineProperty = (input: { name: string; label?: string; type?: string; fieldType?: string; groupName?: string; hasUniqueValue?: boolean; description?: string }, custom: boolean) => {
    const stamp = new Date(now()).toISOString();
    const property = {
      name: input.name,
      label: input.label ?? input.name,
      type: input.type ?? 'string',
      fieldType: input.fieldType ?? 'text',
      description: input.description ?? '',
      groupName: input.groupName ?? 'emailinformation',
      options: [],
      displayOrder: -1,
      calculated: false,
      externalOptions: false,
      hasUniqueValue: input.hasUniqueValue ?? false,
      hidden: false,
      formField: false,
      // HubSpot's own properties cannot be redefined; their values stay writable.
      modificationMetadata: { archivable: custom, readOnlyDefinition: !custom, readOnlyValue: false },
      createdAt: stamp,
      updatedAt: stamp,
      archived: false,
    };
    emailProperties.set(input.name, property);
    return property;
  };
  for (const name of EMAIL_PROPERTIES) {
    if (!CUSTOM_EMAIL_PROPERTIES.has(name)) defineProperty({ name }, false);
  }
  if (opts.customProperties ?? true) {
    defineProperty({ name: 'mailbridge_key', label: 'mailbridge key', hasUniqueValue: true }, true);
    defineProperty({ name: 'mailbridge_explanation', label: 'mailbridge explanation', fieldType: 'textarea' }, true);
  }

  /** `/crm/v3/properties/{objectType}[/{name}]`: list, read and create (emails; other objects list their default set). */
  const propertiesApi = (req: EmulatorRequest): EmulatorResponse => {
    const m = /^\/crm\/v3\/properties\/([^/]+)(?:\/([^/]+))?\/?$/.exec(req.path);
    const type = m ? objectType(m[1]!) : undefined;
    if (!m || !type) return hsError(404, 'NOT_FOUND', 'Unable to infer object type from: ' + (m?.[1] ?? ''));
    const all = type === 'emails' ? [...emailProperties.values()] : DEFAULT_PROPERTIES[type].map((name) => ({ name, label: name, type: 'string', fieldType: 'text', groupName: `${type.slice(0, -1)}information`, modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: false } }));
    if (req.method === 'GET' && !m[2]) return { status: 200, body: { results: all } };
    if (req.method === 'GET') {
      const found = all.find((p) => p.name === m[2]);
      return found ? { status: 200, body: found } : hsError(404, 'OBJECT_NOT_FOUND', `Unable to find property with name: ${m[2]}`);
    }
    if (req.method === 'POST' && !m[2]) {
      if (type !== 'emails') return hsError(400, 'VALIDATION_ERROR', 'the emulator creates email properties only');
      const input = req.json<{ name?: string; label?: string; type?: string; fieldType?: string; groupName?: string; hasUniqueValue?: boolean }>() ?? {};
      const missing = (['name', 'label', 'type', 'fieldType', 'groupName'] as const).filter((k) => !input[k]);
      if (missing.length) return hsError(400, 'VALIDATION_ERROR', `Invalid input JSON: missing ${missing.join(', ')}`);
      if (emailProperties.has(input.name!)) return hsError(409, 'OBJECT_ALREADY_EXISTS', `A property named '${input.name}' already exists.`);
      return { status: 201, body: defineProperty(input as { name: string }, true) };
    }
    return hsError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
  };
  const searchCache = new Map<string, { version: number; results: HsObject[] }>();
  let conflictMode: BatchConflictMode = opts.batchConflict ?? 'reject-409';
  let searchLagMs = opts.searchLagMs ?? 0;
  const associationPageSize = opts.associationPageSize ?? ASSOCIATION_PAGE;
  const associationTokens = new PageTokens<{ key: string; offset: number }>('hsa_');
  const sortedIndex = new Map<string, { version: number; objects: HsObject[] }>();

  const view = (type: ObjectType, o: HsObject, requested: readonly string[] | undefined) => {
    const properties: Record<string, string | null> = {};
    for (const p of [...DEFAULT_PROPERTIES[type], ...(requested ?? [])]) properties[p] = o.properties[p] ?? null;
    return {
      id: o.id,
      properties,
      createdAt: new Date(o.createdAt).toISOString(),
      updatedAt: new Date(o.updatedAt).toISOString(),
      archived: o.archived,
      ...(o.archived ? { archivedAt: new Date(o.archivedAt ?? o.updatedAt).toISOString() } : {}),
    };
  };

  /** Live objects sorted by modification stamp, rebuilt only after a change. */
  const byModified = (type: ObjectType): HsObject[] => {
    const cached = sortedIndex.get(type);
    if (cached?.version === store.version) return cached.objects;
    const objects = [...store.objects[type].values()].filter((o) => !o.archived).sort((a, b) => a.updatedAt - b.updatedAt || compareIds(a.id, b.id));
    sortedIndex.set(type, { version: store.version, objects });
    return objects;
  };

  const runSearch = (type: ObjectType, req: SearchRequest): HsObject[] => {
    const lag = searchLagMs;
    const key = `${type}|${JSON.stringify([req.filterGroups ?? [], req.sorts ?? [], req.query ?? ''])}`;
    const cached = searchCache.get(key);
    if (!lag && cached?.version === store.version) return cached.results;
    const sort = sortKey(req);
    const visibleBefore = now() - lag;
    const visible = (o: HsObject) => !o.archived && (!lag || o.updatedAt <= visibleBefore);
    let results: HsObject[];
    const bound = MODIFIED_PROPERTIES.has(sort.property) && !sort.descending ? lowerBound(req, sort.property) : null;
    if (bound !== null) {
      const sorted = byModified(type);
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]!.updatedAt < bound) lo = mid + 1;
        else hi = mid;
      }
      results = [];
      // The incremental-sync shape (one GT/GTE filter on the sort property) needs no matching.
      const groups = req.filterGroups ?? [];
      const only = groups.length === 1 && groups[0]?.filters?.length === 1 ? groups[0].filters[0] : undefined;
      const plain = only?.propertyName === sort.property && (only.operator === 'GTE' || only.operator === 'GT') ? only.operator : null;
      for (let i = lo; i < sorted.length; i++) {
        const o = sorted[i]!;
        if (!visible(o)) continue;
        if (plain === 'GTE' || (plain === 'GT' && o.updatedAt > bound) || (!plain && matchesGroups(o, req))) results.push(o);
      }
    } else {
      results = sortObjects([...store.objects[type].values()].filter((o) => visible(o) && matchesGroups(o, req)), sort.property, sort.descending);
    }
    if (searchCache.size > 50) searchCache.clear();
    if (!lag) searchCache.set(key, { version: store.version, results });
    return results;
  };

  const search = (type: ObjectType, req: EmulatorRequest): EmulatorResponse => {
    let body: SearchRequest;
    try {
      body = req.json<SearchRequest>() ?? {};
    } catch {
      return hsError(400, 'VALIDATION_ERROR', 'Invalid input JSON');
    }
    const problem = validateSearch(body, searchLimits);
    if (problem) return hsError(400, 'VALIDATION_ERROR', problem);
    let results: HsObject[];
    try {
      results = runSearch(type, body);
    } catch (error) {
      return hsError(400, 'VALIDATION_ERROR', String((error as Error).message));
    }
    const limit = body.limit ?? 10;
    const after = Number(body.after ?? 0);
    const page = results.slice(after, after + limit);
    const next = after + page.length;
    return {
      status: 200,
      body: {
        total: results.length,
        results: page.map((o) => view(type, o, body.properties)),
        ...(next < results.length ? { paging: { next: { after: String(next) } } } : {}),
      },
    };
  };

  const list = (type: ObjectType, req: EmulatorRequest): EmulatorResponse => {
    const limit = Math.min(Number(req.query.get('limit') ?? 10), 100);
    const after = Number(req.query.get('after') ?? 0);
    const archived = req.query.get('archived') === 'true';
    const properties = (req.query.get('properties') ?? '').split(',').filter(Boolean);
    const all = [...store.objects[type].values()].filter((o) => o.archived === archived).sort((a, b) => compareIds(a.id, b.id));
    const page = all.slice(after, after + limit);
    const next = after + page.length;
    return { status: 200, body: { results: page.map((o) => view(type, o, properties)), ...(next < all.length ? { paging: { next: { after: String(next), link: '' } } } : {}) } };
  };

  type Input = { properties?: Record<string, unknown>; associations?: { to?: { id?: string }; types?: { associationCategory?: string; associationTypeId?: number }[] }[] };

  /** Validates and creates one input; returns the object or a StandardError. */
  const createOne = (type: ObjectType, input: Input): HsObject | Record<string, unknown> => {
    const props: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(input.properties ?? {})) props[k] = v === null || v === undefined ? null : String(v);
    // StandardError as the SDK's model requires it: status, category, message, context, errors, links.
    const fail = (category: string, message: string, context: Record<string, string[]> = {}) => ({ status: 'error', category, message, context, errors: [], links: {} });
    if (type === 'emails') {
      const unknown = Object.keys(props).filter((p) => !emailProperties.has(p));
      if (unknown.length) return fail('VALIDATION_ERROR', `Property values were not valid: ${unknown.join(', ')} does not exist`, { propertyName: unknown });
      if (!props.hs_timestamp) return fail('VALIDATION_ERROR', 'Property values were not valid: hs_timestamp is required', { propertyName: ['hs_timestamp'] });
      if (props.hs_email_direction && !EMAIL_DIRECTIONS.has(props.hs_email_direction)) return fail('VALIDATION_ERROR', `${props.hs_email_direction} was not a valid hs_email_direction`);
      if (props.hs_email_status && !EMAIL_STATUSES.has(props.hs_email_status)) return fail('VALIDATION_ERROR', `${props.hs_email_status} was not a valid hs_email_status`);
      if (props.hubspot_owner_id && !store.owners.has(props.hubspot_owner_id)) return fail('VALIDATION_ERROR', `${props.hubspot_owner_id} is not a valid owner id`);
      const existing = props.mailbridge_key ? store.byUnique('emails', 'mailbridge_key', props.mailbridge_key) : undefined;
      if (existing) return fail('CONFLICT', `An object with mailbridge_key ${props.mailbridge_key} already exists. Existing ID: ${existing.id}`, { id: [existing.id] });
    }
    if (type === 'meetings') {
      const problem = checkMeeting(props, true, (id) => store.owners.has(id));
      if (problem) return fail(problem.category, problem.message, problem.property ? { propertyName: [problem.property] } : {});
      const existing = props.mailbridge_key ? store.byUnique('meetings', 'mailbridge_key', props.mailbridge_key) : undefined;
      if (existing) return fail('CONFLICT', `An object with mailbridge_key ${props.mailbridge_key} already exists. Existing ID: ${existing.id}`, { id: [existing.id] });
    }
    const links: { toType: ObjectType; toId: string; typeId: number }[] = [];
    for (const a of input.associations ?? []) {
      for (const t of a.types ?? []) {
        const toId = a.to?.id ?? '';
        const entry = Object.entries(ASSOCIATION_TYPES).find(([pair, types]) => pair.startsWith(`${type}→`) && types.some((x) => x.id === t.associationTypeId));
        const toType = entry?.[0].split('→')[1] as ObjectType | undefined;
        if (!toType || t.associationCategory !== 'HUBSPOT_DEFINED') return fail('VALIDATION_ERROR', `invalid association type ${String(t.associationTypeId)}`);
        if (!store.live(toType, toId)) return fail('VALIDATION_ERROR', `${toType} ${toId} is not valid`, { id: [toId] });
        links.push({ toType, toId, typeId: t.associationTypeId! });
      }
    }
    const object = store.create(type, props);
    for (const l of links) store.associate(type, object.id, l.toType, l.toId, l.typeId);
    return object;
  };

  /** Inputs whose unique values are already held, or repeat an earlier input's, in input order. */
  const uniqueCollisions = (type: ObjectType, inputs: Input[]): UniqueCollision[] => {
    const out: UniqueCollision[] = [];
    const seen = new Set<string>();
    inputs.forEach((input, index) => {
      for (const property of UNIQUE_PROPERTIES[type] ?? []) {
        const raw = input.properties?.[property];
        if (raw === undefined || raw === null || raw === '') continue;
        const value = String(raw);
        const existingId = store.byUnique(type, property, value)?.id;
        const key = `${property}:${value.toLowerCase()}`;
        if (existingId || seen.has(key)) out.push({ index, property, value, existingId });
        seen.add(key);
      }
    });
    return out;
  };

  /**
   * `POST /crm/v3/objects/{type}/batch/update`: up to 100 `{ id, properties }`. A missing id or a
   * unique value held by another object fails that input (207), the others are saved
   * (❓ per-input vs whole-batch not verified against a live portal for updates).
   */
  const batchUpdate = (type: ObjectType, req: EmulatorRequest): EmulatorResponse => {
    const inputs = req.json<{ inputs?: { id?: string; properties?: Record<string, unknown> }[] }>()?.inputs;
    if (!Array.isArray(inputs) || inputs.length === 0) return hsError(400, 'VALIDATION_ERROR', 'inputs is required');
    if (inputs.length > 100) return hsError(400, 'VALIDATION_ERROR', 'Batch input limit exceeded: 100');
    const known = type === 'emails' ? EMAIL_PROPERTIES : type === 'meetings' ? MEETING_PROPERTIES : null;
    const unknown = known ? [...new Set(inputs.flatMap((i) => Object.keys(i.properties ?? {}).filter((p) => !known.has(p))))] : [];
    if (unknown.length) return unknownPropertiesError(unknown);
    const startedAt = new Date(now()).toISOString();
    const updated: HsObject[] = [];
    const errors: Record<string, unknown>[] = [];
    const fail = (category: string, message: string, id: string) => errors.push({ status: 'error', category, message, context: { id: [id] }, errors: [], links: {} });
    for (const input of inputs) {
      const id = String(input.id ?? '');
      const o = store.live(type, id);
      if (!o) {
        fail('OBJECT_NOT_FOUND', `Object not found. objectId are usually numeric. id: ${id}`, id);
        continue;
      }
      const props: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(input.properties ?? {})) props[k] = v === null || v === undefined ? null : String(v);
      const problem = type === 'meetings' ? checkMeeting(props, false, (owner) => store.owners.has(owner)) : undefined;
      if (problem) {
        fail(problem.category, problem.message, id);
        continue;
      }
      const taken = (UNIQUE_PROPERTIES[type] ?? []).find((p) => props[p] && store.byUnique(type, p, props[p]!)?.id !== undefined && store.byUnique(type, p, props[p]!)!.id !== id);
      if (taken) {
        fail('CONFLICT', `An object with ${taken} ${props[taken]} already exists. Existing ID: ${store.byUnique(type, taken, props[taken]!)!.id}`, id);
        continue;
      }
      store.update(type, o, props);
      updated.push(o);
    }
    const results = updated.map((o) => view(type, o, Object.keys(o.properties)));
    const body = { status: 'COMPLETE', results, startedAt, completedAt: new Date(now()).toISOString(), ...(errors.length ? { numErrors: errors.length, errors } : {}) };
    return { status: errors.length ? 207 : 200, body };
  };

  const objects = (req: EmulatorRequest, type: ObjectType, rest: string): EmulatorResponse => {
    if (rest === '/search' && req.method === 'POST') return search(type, req);
    if (rest === '' && req.method === 'GET') return list(type, req);
    if (rest === '' && req.method === 'POST') {
      const result = createOne(type, req.json<Input>());
      if ('id' in result && 'properties' in result) return { status: 201, body: view(type, result as HsObject, Object.keys((result as HsObject).properties)) };
      return { status: result.category === 'CONFLICT' ? 409 : 400, body: { ...result, correlationId: randomUUID() } };
    }
    if (rest === '/batch/create' && req.method === 'POST') {
      const inputs = req.json<{ inputs?: Input[] }>()?.inputs;
      if (!Array.isArray(inputs) || inputs.length === 0) return hsError(400, 'VALIDATION_ERROR', 'inputs is required');
      if (inputs.length > 100) return hsError(400, 'VALIDATION_ERROR', 'Batch input limit exceeded: 100');
      // A property the portal does not define refuses the whole batch, not one item.
      const known = type === 'emails' ? EMAIL_PROPERTIES : type === 'meetings' ? MEETING_PROPERTIES : null;
      const unknown = known ? [...new Set(inputs.flatMap((i) => Object.keys(i.properties ?? {}).filter((p) => !known.has(p))))] : [];
      if (unknown.length) return unknownPropertiesError(unknown);
      const collisions = uniqueCollisions(type, inputs);
      const mode = conflictMode;
      if (collisions.length && mode !== 'partial-207' && mode !== 'reject-409-after-saving') return wholeBatchConflict(mode, collisions[0]!);
      const startedAt = new Date(now()).toISOString();
      const created: HsObject[] = [];
      const errors: Record<string, unknown>[] = [];
      for (const input of inputs) {
        const result = createOne(type, input);
        if ('id' in result && 'properties' in result) created.push(result as HsObject);
        else errors.push(result);
      }
      if (collisions.length && mode === 'reject-409-after-saving') return wholeBatchConflict(mode, collisions[0]!);
      // HubSpot does not promise input order in batch results; newest first makes that visible.
      const results = created.reverse().map((o) => view(type, o, Object.keys(o.properties)));
      const body = { status: 'COMPLETE', results, startedAt, completedAt: new Date(now()).toISOString(), ...(errors.length ? { numErrors: errors.length, errors } : {}) };
      return { status: errors.length ? 207 : 201, body };
    }
    if (rest === '/batch/update' && req.method === 'POST') return batchUpdate(type, req);
    if (rest === '/batch/read' && req.method === 'POST') {
      const body = req.json<{ inputs?: { id: string }[]; properties?: string[]; idProperty?: string }>();
      const inputs = body?.inputs ?? [];
      if (inputs.length > 100) return hsError(400, 'VALIDATION_ERROR', 'Batch input limit exceeded: 100');
      const found = inputs.map((i) => (body.idProperty ? store.byUnique(type, body.idProperty, i.id) : store.live(type, i.id))).filter((o): o is HsObject => !!o);
      return { status: 200, body: { status: 'COMPLETE', results: found.map((o) => view(type, o, body.properties)), startedAt: new Date(now()).toISOString(), completedAt: new Date(now()).toISOString() } };
    }
    if (rest === '/batch/update' && req.method === 'POST') {
      // Properties of existing objects by id; a property the portal does not define refuses the batch.
      const inputs = req.json<{ inputs?: { id: string; properties?: Record<string, string | null> }[] }>()?.inputs;
      if (!Array.isArray(inputs) || inputs.length === 0) return hsError(400, 'VALIDATION_ERROR', 'inputs is required');
      if (inputs.length > 100) return hsError(400, 'VALIDATION_ERROR', 'Batch input limit exceeded: 100');
      const unknown = type === 'emails' ? [...new Set(inputs.flatMap((i) => Object.keys(i.properties ?? {}).filter((p) => !EMAIL_PROPERTIES.has(p))))] : [];
      if (unknown.length) return unknownPropertiesError(unknown);
      const startedAt = new Date(now()).toISOString();
      const results: unknown[] = [];
      const errors: Record<string, unknown>[] = [];
      for (const input of inputs) {
        const o = store.live(type, String(input.id));
        if (!o) {
          errors.push({ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Object not found.', context: { id: [String(input.id)] }, errors: [], links: {} });
          continue;
        }
        store.update(type, o, input.properties ?? {});
        results.push(view(type, o, Object.keys(input.properties ?? {})));
      }
      const body = { status: 'COMPLETE', results, startedAt, completedAt: new Date(now()).toISOString(), ...(errors.length ? { numErrors: errors.length, errors } : {}) };
      return { status: errors.length ? 207 : 200, body };
    }
    if (rest === '/batch/archive' && req.method === 'POST') {
      const inputs = req.json<{ inputs?: { id: string }[] }>()?.inputs ?? [];
      if (inputs.length > 100) return hsError(400, 'VALIDATION_ERROR', 'Batch input limit exceeded: 100');
      for (const { id } of inputs) {
        const o = store.live(type, String(id));
        if (o) store.archive(type, o);
      }
      return { status: 204 };
    }
    const one = /^\/([^/]+)$/.exec(rest);
    if (one) {
      const o = store.live(type, one[1]!);
      if (req.method === 'DELETE') {
        if (o) store.archive(type, o);
        return { status: 204 };
      }
      if (req.method === 'GET') {
        if (!o) return hsError(404, 'OBJECT_NOT_FOUND', 'resource not found');
        return { status: 200, body: view(type, o, (req.query.get('properties') ?? '').split(',').filter(Boolean)) };
      }
    }
    return hsError(404, 'NOT_FOUND', 'Not found');
  };

  /**
   * One page (500 by default, as live) of an object's associations, from an opaque `after`;
   * with `paging.next` while more remain. The batch read pages each input on its own.
   */
  const associationPage = (from: ObjectType, id: string, to: ObjectType, links: { id: string; typeIds: number[] }[], after: string | undefined, limit = associationPageSize): { error: EmulatorResponse } | { to: unknown[]; paging: Record<string, unknown> } => {
    let offset = 0;
    if (after) {
      const state = associationTokens.resolve(after);
      if (!state || state.key !== `${from}:${id}:${to}`) return { error: hsError(400, 'VALIDATION_ERROR', `after ${after} is not a valid paging token`) };
      offset = state.offset;
    }
    const slice = links.slice(offset, offset + limit);
    const next = offset + slice.length;
    const toItems = slice.map((l) => ({ toObjectId: l.id, associationTypes: l.typeIds.map((typeId) => ({ category: 'HUBSPOT_DEFINED', typeId, label: null })) }));
    if (next >= links.length) return { to: toItems, paging: {} };
    const token = associationTokens.issue({ key: `${from}:${id}:${to}`, offset: next });
    return { to: toItems, paging: { paging: { next: { after: token, link: `${running.url}/crm/v4/objects/${from}/${id}/associations/${to}?after=${token}` } } } };
  };

  /**
   * `POST /crm/v4/associations/{from}/{to}/batch/associate/default`: the default (unlabelled)
   * association for each `{ from: { id }, to: { id } }`; associating twice changes nothing.
   */
  const associateDefault = (fromName: string, toName: string, req: EmulatorRequest): EmulatorResponse => {
    const from = objectType(fromName);
    const to = objectType(toName);
    const type = from && to ? ASSOCIATION_TYPES[`${from}→${to}`]?.[0] : undefined;
    if (!from || !to || !type) return hsError(400, 'VALIDATION_ERROR', `no default association from ${fromName} to ${toName}`);
    const inputs = req.json<{ inputs?: { from?: { id?: string }; to?: { id?: string } }[] }>()?.inputs ?? [];
    if (inputs.length > 1000) return hsError(400, 'VALIDATION_ERROR', 'Batch input limit exceeded: 1000');
    const results: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const input of inputs) {
      const fromId = String(input.from?.id ?? '');
      const toId = String(input.to?.id ?? '');
      if (!store.live(from, fromId) || !store.live(to, toId)) {
        errors.push({ status: 'error', category: 'VALIDATION_ERROR', message: `${from} ${fromId} or ${to} ${toId} is not valid`, context: { id: [fromId, toId] }, errors: [], links: {} });
        continue;
      }
      store.associate(from, fromId, to, toId, type.id);
      results.push({ from: { id: fromId }, to: { id: toId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: type.id } });
    }
    const stamp = new Date(now()).toISOString();
    return { status: errors.length ? 207 : 200, body: { status: 'COMPLETE', results, startedAt: stamp, completedAt: stamp, ...(errors.length ? { numErrors: errors.length, errors } : {}) } };
  };

  const associationsApi = (req: EmulatorRequest): EmulatorResponse => {
    const labels = /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/labels$/.exec(req.path);
    if (labels && req.method === 'GET') {
      const from = objectType(labels[1]!);
      const to = objectType(labels[2]!);
      if (!from || !to) return hsError(400, 'VALIDATION_ERROR', 'unknown object type');
      const types = ASSOCIATION_TYPES[`${from}→${to}`] ?? [];
      return { status: 200, body: { results: types.map((t) => ({ category: 'HUBSPOT_DEFINED', typeId: t.id, label: null })) } };
    }
    const batch = /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/read$/.exec(req.path);
    if (batch && req.method === 'POST') {
      const from = objectType(batch[1]!);
      const to = objectType(batch[2]!);
      if (!from || !to) return hsError(400, 'VALIDATION_ERROR', 'unknown object type');
      const inputs = req.json<{ inputs?: { id: string; after?: string }[] }>()?.inputs ?? [];
      if (inputs.length > 1000) return hsError(400, 'VALIDATION_ERROR', 'Batch input limit exceeded: 1000');
      const results: Record<string, unknown>[] = [];
      const errors: Record<string, unknown>[] = [];
      for (const { id, after } of inputs) {
        const links = store.live(from, String(id)) ? store.associations(from, String(id), to) : [];
        if (!links.length) {
          errors.push({ status: 'error', category: 'OBJECT_NOT_FOUND', message: `No ${to} is associated with ${from} ${id}.`, context: { fromObjectId: [String(id)] }, errors: [], links: {} });
          continue;
        }
        const page = associationPage(from, String(id), to, links, after);
        if ('error' in page) return page.error;
        results.push({ from: { id: String(id) }, to: page.to, ...page.paging });
      }
      const stamp = new Date(now()).toISOString();
      return { status: errors.length ? 207 : 200, body: { status: 'COMPLETE', results, startedAt: stamp, completedAt: stamp, ...(errors.length ? { numErrors: errors.length, errors } : {}) } };
    }
    const associate = /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/associate\/default$/.exec(req.path);
    if (associate && req.method === 'POST') return associateDefault(associate[1]!, associate[2]!, req);
    // Batch create (labelled types) and archive (every type between each pair): v4 batch endpoints.
    const write = /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/(create|archive)$/.exec(req.path);
    if (write && req.method === 'POST') {
      const from = objectType(write[1]!);
      const to = objectType(write[2]!);
      if (!from || !to) return hsError(400, 'VALIDATION_ERROR', 'unknown object type');
      const stamp = new Date(now()).toISOString();
      if (write[3] === 'archive') {
        const inputs = req.json<{ inputs?: { from?: { id?: string }; to?: { id?: string }[] }[] }>()?.inputs ?? [];
        if (inputs.length > 2000) return hsError(400, 'VALIDATION_ERROR', 'Batch input limit exceeded: 2000');
        for (const input of inputs) for (const t of input.to ?? []) store.dissociate(from, String(input.from?.id), to, String(t.id));
        return { status: 204 };
      }
      const inputs = req.json<{ inputs?: { from?: { id?: string }; to?: { id?: string }; types?: { associationCategory?: string; associationTypeId?: number }[] }[] }>()?.inputs ?? [];
      if (!inputs.length) return hsError(400, 'VALIDATION_ERROR', 'inputs is required');
      if (inputs.length > 2000) return hsError(400, 'VALIDATION_ERROR', 'Batch input limit exceeded: 2000');
      const results: Record<string, unknown>[] = [];
      const errors: Record<string, unknown>[] = [];
      for (const input of inputs) {
        const fromId = String(input.from?.id);
        const toId = String(input.to?.id);
        const typeIds = (input.types ?? []).map((t) => t.associationTypeId);
        const known = typeIds.length > 0 && typeIds.every((id) => (ASSOCIATION_TYPES[`${from}→${to}`] ?? []).some((t) => t.id === id));
        if (!store.live(from, fromId) || !store.live(to, toId) || !known) {
          errors.push({ status: 'error', category: 'VALIDATION_ERROR', message: `Could not associate ${from} ${fromId} with ${to} ${toId}.`, context: {}, errors: [], links: {} });
          continue;
        }
        for (const id of typeIds) store.associate(from, fromId, to, toId, id!);
        results.push({ fromObjectTypeId: TYPE_IDS[from], fromObjectId: fromId, toObjectTypeId: TYPE_IDS[to], toObjectId: toId, labels: [] });
      }
      return { status: errors.length ? 207 : 201, body: { status: 'COMPLETE', results, startedAt: stamp, completedAt: stamp, ...(errors.length ? { numErrors: errors.length, errors } : {}) } };
    }
    const single = /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/([^/]+)$/.exec(req.path);
    if (single && req.method === 'GET') {
      const from = objectType(single[1]!);
      const to = objectType(single[3]!);
      if (!from || !to) return hsError(400, 'VALIDATION_ERROR', 'unknown object type');
      const links = store.associations(from, single[2]!, to);
      const limit = Math.min(Number(req.query.get('limit') ?? ASSOCIATION_PAGE), ASSOCIATION_PAGE);
      const page = associationPage(from, single[2]!, to, links, req.query.get('after') ?? undefined, limit);
      if ('error' in page) return page.error;
      return { status: 200, body: { results: page.to, ...page.paging } };
    }
    const put = /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/default\/([^/]+)\/([^/]+)$/.exec(req.path);
    if (put && req.method === 'PUT') {
      const from = objectType(put[1]!);
      const to = objectType(put[3]!);
      const type = from && to ? ASSOCIATION_TYPES[`${from}→${to}`]?.[0] : undefined;
      if (!from || !to || !type || !store.live(from, put[2]!) || !store.live(to, put[4]!)) return hsError(400, 'VALIDATION_ERROR', 'invalid association');
      store.associate(from, put[2]!, to, put[4]!, type.id);
      return { status: 200, body: { status: 'COMPLETE', results: [] } };
    }
    return hsError(404, 'NOT_FOUND', 'Not found');
  };

  const owners = (req: EmulatorRequest): EmulatorResponse => {
    const limit = Math.min(Number(req.query.get('limit') ?? 100), 500);
    const after = Number(req.query.get('after') ?? 0);
    const email = req.query.get('email');
    const all = [...store.owners.values()].filter((o) => !o.archived && (!email || o.email.toLowerCase() === email.toLowerCase()));
    const page = all.slice(after, after + limit);
    const next = after + page.length;
    return {
      status: 200,
      body: {
        // PublicOwner requires id, type, archived, createdAt and updatedAt.
        results: page.map((o) => ({
          ...o,
          type: 'PERSON',
          userIdIncludingInactive: o.userId,
          teams: [],
          createdAt: new Date(o.createdAt).toISOString(),
          updatedAt: new Date(o.updatedAt).toISOString(),
        })),
        ...(next < all.length ? { paging: { next: { after: String(next) } } } : {}),
      },
    };
  };

  const control = (req: EmulatorRequest): EmulatorResponse => {
    // `POST /__mock/hubspot/modes` `{ searchLagMs?, batchConflict? }` switches behaviours while running.
    if (req.method === 'POST' && req.path === '/__mock/hubspot/modes') {
      const body = req.json<{ searchLagMs?: unknown; batchConflict?: unknown }>() ?? {};
      if (body.searchLagMs !== undefined && !(Number.isInteger(body.searchLagMs) && Number(body.searchLagMs) >= 0)) return { status: 400, body: { error: 'searchLagMs: expected a whole number ≥ 0' } };
      if (body.batchConflict !== undefined && !(BATCH_CONFLICT_MODES as readonly unknown[]).includes(body.batchConflict)) {
        return { status: 400, body: { error: `batchConflict: expected one of ${BATCH_CONFLICT_MODES.join(', ')}` } };
      }
      if (body.searchLagMs !== undefined) searchLagMs = Number(body.searchLagMs);
      if (body.batchConflict !== undefined) conflictMode = body.batchConflict as BatchConflictMode;
      return { status: 200, body: { searchLagMs, batchConflict: conflictMode } };
    }
    // `POST /__mock/deny {"calls": [kinds]}`: refuse these call kinds with 403 MISSING_SCOPES ([] grants all again).
    if (req.method === 'POST' && req.path === '/__mock/deny') {
      controlSurface.denyCalls(req.json<{ calls?: string[] }>()?.calls ?? []);
      return { status: 204 };
    }
    return serveCrmControl(req, running, {
      emails: () => controlSurface.emails(),
      meetings: () => controlSurface.meetings(),
      advanceClock: (ms) => controlSurface.advanceClock(ms),
      now,
    });
  };

  const handler = (req: EmulatorRequest): EmulatorResponse => {
    if (req.path.startsWith('/__mock/')) return control(req);
    return withCorrelationId(serve(req));
  };

  const serve = (req: EmulatorRequest): EmulatorResponse => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      // Recorded live 401s carry X-HubSpot-Auth-Failure and no WWW-Authenticate (hubspot-api-ruby#181).
      return {
        ...hsError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication.'),
        headers: { 'X-HubSpot-Auth-Failure': '401 Unauthorized' },
      };
    }
    if (denied.has(classifyHubspot(req))) {
      return hsError(403, 'MISSING_SCOPES', "This app hasn't been granted all required scopes to make this call.", {
        errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: [scopeOfCall(classifyHubspot(req))] } }],
      });
    }
    const isSearch = req.path.endsWith('/search');
    const verdict = limits.admit(isSearch);
    if (!verdict.ok) return { status: verdict.status, body: verdict.body, headers: verdict.headers };
    const answer = route(req);
    return { ...answer, headers: { ...verdict.headers, ...(answer.headers ?? {}) } };
  };

  const route = (req: EmulatorRequest): EmulatorResponse => {
    if (req.path.startsWith('/crm/v3/owners')) return owners(req);
    if (req.path.startsWith('/crm/v3/properties/')) return propertiesApi(req);
    if (req.path === '/crm/v3/pipelines/deals') {
      // Pipeline and PipelineStage require id, label, displayOrder, archived, createdAt, updatedAt.
      const stamp = new Date(seededAt).toISOString();
      const stage = (id: string, label: string, displayOrder: number, isClosed: boolean, probability: string) => ({
        id,
        label,
        displayOrder,
        metadata: { isClosed: String(isClosed), probability },
        archived: false,
        createdAt: stamp,
        updatedAt: stamp,
        writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
      });
      return {
        status: 200,
        body: {
          results: [
            {
              id: 'default',
              label: 'Sales Pipeline',
              archived: false,
              displayOrder: 0,
              createdAt: stamp,
              updatedAt: stamp,
              stages: [
                stage('appointmentscheduled', 'Appointment Scheduled', 0, false, '0.2'),
                stage('closedwon', 'Closed Won', 1, true, '1.0'),
                stage('closedlost', 'Closed Lost', 2, true, '0.0'),
              ],
            },
          ],
        },
      };
    }
    if (req.path.startsWith('/crm/v4/')) return associationsApi(req);
    const m = /^\/crm\/v3\/objects\/([^/]+)(\/.*)?$/.exec(req.path);
    const type = m ? objectType(m[1]!) : undefined;
    if (!m || !type) return hsError(404, 'NOT_FOUND', 'Not found');
    return objects(req, type, m[2] ?? '');
  };

  const emulator = await startHttpEmulator({ name: 'hubspot', handler, port: opts.port, classify: classifyHubspot, faultBody });

  const must = (type: ObjectType, id: string) => {
    const o = store.live(type, id);
    if (!o) throw new Error(`${type} ${id} not found`);
    return o;
  };
  /** Live engagements of `type` with their associations, as read-back tests compare them. */
  const written = (type: 'emails' | 'meetings'): WrittenEngagement[] =>
    [...store.objects[type].values()]
      .filter((o) => !o.archived)
      .map((o) => {
        const of = (to: ObjectType) => store.associations(type, o.id, to);
        return {
          id: o.id,
          properties: { ...o.properties },
          associations: { contacts: of('contacts').map((l) => l.id), companies: of('companies').map((l) => l.id), deals: of('deals').map((l) => l.id) },
          typeIds: [...of('contacts'), ...of('companies'), ...of('deals')].flatMap((l) => l.typeIds).sort((a, b) => a - b),
        };
      });
  const controlSurface: HubspotControl = {
    store,
    now,
    advanceClock: (ms) => {
      offset += ms;
    },
    expireToken: () => {
      token = `expired-${randomUUID()}`;
    },
    limits,
    createObject: (type, properties) => store.create(type, properties).id,
    updateObject: (type, id, properties) => store.update(type, must(type, id), properties),
    archiveObject: (type, id) => store.archive(type, must(type, id)),
    merge: (type, winnerId, loserId) => store.merge(type, must(type, winnerId), must(type, loserId)),
    associate: (fromType, fromId, toType, toId, typeId) => {
      if (!store.associate(fromType, fromId, toType, toId, typeId)) throw new Error(`bad association type ${typeId}`);
      // An association change shows up as a modification of both records (❓ in the real API).
      store.update(fromType, must(fromType, fromId), {});
      store.update(toType, must(toType, toId), {});
    },
    dissociate: (fromType, fromId, toType, toId) => {
      store.dissociate(fromType, fromId, toType, toId);
      store.update(fromType, must(fromType, fromId), {});
      store.update(toType, must(toType, toId), {});
    },
    emails: () => written('emails'),
    meetings: () => written('meetings'),
    addFault: (rule) => running.faults.add(rule),
    setBatchConflictMode: (mode) => {
      conflictMode = mode;
    },
    setSearchLag: (ms) => {
      searchLagMs = ms;
    },
    removeEmailProperty: (name) => emailProperties.delete(name),
    denyCalls: (kinds) => {
      denied.clear();
      for (const k of kinds) denied.add(k);
    },
  };

  const running: RunningHubspotEmulator = {
    ...emulator,
    close: () => emulator.close(),
    credentials: { accessToken: token, basePath: emulator.url },
    control: controlSurface,
  };
  return running;
}
