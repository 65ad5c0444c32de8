/**
 * A loopback Salesforce REST API: OAuth token endpoint, SOQL query / queryMore / queryAll,
 * sObject collections (create, update, upsert by external id, delete), describe, retrieve,
 * `Sforce-Limit-Info` on every response and 403 `REQUEST_LIMIT_EXCEEDED` once the daily
 * allocation is spent. Seeded from a snapshot or a generated tenant; deterministic; with a
 * control surface (in process, and over HTTP under `/__mock/`) for tests, the demo and
 * `mailbridge emulate salesforce`.
 */
import { EventEmitter } from 'node:events';
import { startHttpEmulator, type EmulatorRequest, type EmulatorResponse, type RunningEmulator } from '../common/http-emulator.js';
import type { FaultRule } from '../common/faults.js';
import type { CrmSnapshot } from '../../core/types.js';
import { SalesforceTokens, type SalesforceCredentials } from './salesforce-auth.js';
import { SF_OBJECTS, findObject, formatSfDatetime, parseSfDatetime } from './salesforce-schema.js';
import { SfItemFaultPlan, type SfItemFaultRule } from './salesforce-item-faults.js';
import { seedSalesforce } from './salesforce-seed.js';
import { SalesforceStore, type SfRecord } from './salesforce-store.js';
import { applyDeletes, applyWrites, type WriteOp } from './salesforce-writes.js';
import { applyComposite, COMPOSITE_MAX_SUBREQUESTS, type CompositeSubrequest } from './salesforce-composite.js';
import { projectRecord, resolveQuery, runQuery, wireValue, type ResolvedQuery } from './soql-engine.js';
import { SoqlSyntaxError, parseSoql } from './soql-parser.js';
import { generateTenant, type TenantSource, type TenantSpec } from '../common/tenant-generator.js';
import { serveCrmControl } from '../common/crm-control-routes.js';

export interface SalesforceEmulatorOptions {
  port?: number;
  /** Seed: a snapshot, a lazy tenant, or a generator spec; default a small generated tenant. */
  snapshot?: CrmSnapshot;
  tenant?: TenantSource;
  generate?: TenantSpec;
  credentials?: Partial<SalesforceCredentials>;
  /** API calls allowed per daily window (Salesforce default allocation 100,000). */
  dailyLimit?: number;
  /** Length of the daily window; tests shrink it to seconds. */
  dailyWindowMs?: number;
  /** Records per query page (2,000 like Salesforce; `Sforce-Query-Options: batchSize` may lower it). */
  pageSize?: number;
  tokenTtlMs?: number;
  /**
   * How long a query locator (and its result set) lives: 2 days since API v56.0, with no cap on
   * open cursors (App Limits cheat sheet, "API Query Cursor Limits"). Tests shorten it.
   */
  queryLocatorTtlMs?: number;
  /**
   * Days a deleted record stays in the recycle bin, readable through `queryAll` and
   * getDeleted, before it is purged for good (Salesforce: 15).
   */
  recycleBinDays?: number;
  /**
   * Concurrent long-running requests allowed (Salesforce: 25 in production and sandboxes, 5 in
   * Developer Edition and trials); one more answers 403 `REQUEST_LIMIT_EXCEEDED`
   * "ConcurrentRequests". A request counts once it has run `longRunningMs` (Salesforce: 20 s).
   */
  concurrentRequestLimit?: number;
  longRunningMs?: number;
  /** Base time source; `control.advanceClock` adds to it. */
  now?: () => number;
  /**
   * What the integration user may see in `describe`, keyed `Object` or `Object.Field`: `hidden`
   * (no object permission: describe answers 404; no field-level access: the field is absent) or
   * `read-only` (`createable`/`updateable` false).
   */
  access?: Record<string, SfAccess>;
}

export type SfAccess = 'hidden' | 'read-only';

/** An EmailMessage as written, with its relations: the read-back tests compare against. */
export interface WrittenEmail {
  record: Record<string, unknown>;
  relations: Record<string, unknown>[];
}

export interface SalesforceControl {
  store: SalesforceStore;
  now(): number;
  advanceClock(ms: number): void;
  expireTokens(): void;
  setDailyLimit(limit: number): void;
  dailyUsage(): { used: number; limit: number };
  /** Creates a record as a CRM user would (wire values; datetimes as ISO strings). */
  createRecord(type: string, fields: Record<string, unknown>): string;
  updateRecord(type: string, id: string, fields: Record<string, unknown>): void;
  deleteRecord(id: string): void;
  /** Every live EmailMessage with its live relations, in creation order. */
  emails(): WrittenEmail[];
  /** Every live Event with its live EventRelation rows, in creation order (meetings, issue 15). */
  meetings(): WrittenEmail[];
  addFault(rule: FaultRule): void;
  /** Expires every open query locator: the next queryMore answers `INVALID_QUERY_LOCATOR`. */
  expireQueryLocators(): void;
  /** queryMore calls answered `INVALID_QUERY_LOCATOR` so far. */
  invalidLocatorAnswers(): number;
  /**
   * Holds requests of `kind` inside the server (in flight, so they count toward the concurrent
   * limit) until the returned function is called.
   */
  holdRequests(kind: string): () => void;
  /** Emits `held` (with the kind) when a request starts waiting on a hold, and `concurrent-limit` each time a request is refused for the concurrent limit. */
  events: EventEmitter;
  /** Fails matching records inside collection writes while the rest of the request succeeds. */
  addItemFault(rule: SfItemFaultRule): void;
  itemFaults: SfItemFaultPlan;
  /** Records sent per collection write, in request order (create / update / upsert). */
  collectionWrites(): { kind: string; records: Record<string, unknown>[] }[];
  /** Changes what describe shows of `Object` or `Object.Field` (null: full access again). */
  setAccess(key: string, access: SfAccess | null): void;
}

export interface RunningSalesforceEmulator extends RunningEmulator {
  credentials: SalesforceCredentials & { loginUrl: string; instanceUrl: string; accessToken: string; apiVersion: string };
  control: SalesforceControl;
}

export const SF_API_VERSION = '62.0';
const DAY = 86_400_000;

const sfError = (status: number, errorCode: string, message: string, fields?: string[]): EmulatorResponse => ({
  status,
  body: [{ message, errorCode, ...(fields ? { fields } : {}) }],
});

/** Request kinds, for counters and fault targeting. */
export function classifySalesforce(req: EmulatorRequest): string {
  const p = req.path;
  if (p.startsWith('/__mock/')) return 'control';
  if (p === '/services/oauth2/token') return 'oauth';
  const rest = p.replace(/^\/services\/data\/v[\d.]+/, '');
  if (rest === '/query') return 'query';
  if (rest === '/queryAll') return 'queryAll';
  if (rest.startsWith('/query/')) return 'queryMore';
  if (rest === '/limits') return 'limits';
  if (rest.startsWith('/composite/sobjects')) {
    if (req.method === 'DELETE') return 'collections-delete';
    if (req.method === 'POST') return 'collections-create';
    return rest.split('/').length > 3 ? 'collections-upsert' : 'collections-update';
  }
  if (rest === '/composite') return 'composite';
  if (rest.endsWith('/describe')) return 'describe';
  if (rest.startsWith('/sobjects/')) return `sobject-${req.method.toLowerCase()}`;
  return 'other';
}

function faultBody(status: number): unknown {
  if (status === 401) return [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
  if (status === 403) return [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }];
  if (status === 404) return [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }];
  return [{ message: 'Server unavailable, try again later', errorCode: 'SERVER_UNAVAILABLE' }];
}

/** Starts a seeded Salesforce emulator on 127.0.0.1. */
export async function startSalesforceEmulator(opts: SalesforceEmulatorOptions = {}): Promise<RunningSalesforceEmulator> {
  let offset = 0;
  const baseNow = opts.now ?? Date.now;
  const now = () => baseNow() + offset;
  const creds: SalesforceCredentials = {
    clientId: opts.credentials?.clientId ?? '3MVG9emulator.consumer.key',
    clientSecret: opts.credentials?.clientSecret ?? 'emulator-consumer-secret',
    username: opts.credentials?.username ?? 'integration@mailbridge-demo.example',
  };
  let baseUrl = '';
  const tokens = new SalesforceTokens(creds, opts.tokenTtlMs ?? 2 * 3_600_000, now, () => baseUrl);
  const store = new SalesforceStore(now);
  seedSalesforce(store, opts.tenant ?? opts.snapshot ?? generateTenant(opts.generate ?? { accounts: 5, contactsPerAccount: 3, dealsPerAccount: 2, leads: 3 }));

  let dailyLimit = opts.dailyLimit ?? 100_000;
  const windowMs = opts.dailyWindowMs ?? DAY;
  let windowStart = Date.now();
  let used = 0;
  const usage = () => {
    if (Date.now() - windowStart >= windowMs) {
      windowStart = Date.now();
      used = 0;
    }
    return { used, limit: dailyLimit };
  };

  const itemFaults = new SfItemFaultPlan();
  const events = new EventEmitter();
  /** Start times (real clock: a request's duration is real) of the requests being served. */
  const inFlight = new Set<{ startedAt: number }>();
  const holds = new Map<string, Promise<void>>();
  const concurrentLimit = opts.concurrentRequestLimit ?? 25;
  const longRunningMs = opts.longRunningMs ?? 20_000;
  const longRunning = () => [...inFlight].filter((r) => Date.now() - r.startedAt >= longRunningMs).length;
  const writeLog: { kind: string; records: Record<string, unknown>[] }[] = [];
  const cursors = new Map<string, { resolved: ResolvedQuery; rows: SfRecord[]; pageSize: number; openedAt: number }>();
  let cursorSeq = 0;
  let invalidLocators = 0;
  const recycleBinMs = (opts.recycleBinDays ?? 15) * DAY;
  let purgedAt = -Infinity;
  /** Purges the recycle bin at most once a minute of emulator time (a scan of every table). */
  const purgeRecycleBin = () => {
    if (now() - purgedAt < 60_000) return;
    purgedAt = now();
    store.purgeDeleted(now() - recycleBinMs);
  };
  const locatorTtlMs = opts.queryLocatorTtlMs ?? 2 * DAY;

  const pageOf = (base: string, locator: string, offsetIn: number): EmulatorResponse => {
    const cursor = cursors.get(locator);
    if (cursor && now() - cursor.openedAt > locatorTtlMs) cursors.delete(locator);
    if (!cursor || !cursors.has(locator)) {
      invalidLocators++;
      return sfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    const slice = cursor.rows.slice(offsetIn, offsetIn + cursor.pageSize);
    const next = offsetIn + slice.length;
    const done = next >= cursor.rows.length;
    if (done) cursors.delete(locator);
    return {
      status: 200,
      body: {
        totalSize: cursor.rows.length,
        done,
        ...(done ? {} : { nextRecordsUrl: `${base}/query/${locator}-${next}` }),
        records: slice.map((r) => projectRecord(cursor.resolved, r, base)),
      },
    };
  };

  const runSoql = (req: EmulatorRequest, base: string, includeDeleted: boolean): EmulatorResponse => {
    const q = req.query.get('q');
    if (!q) return sfError(400, 'MALFORMED_QUERY', 'A query string is required');
    let resolved: ResolvedQuery;
    try {
      resolved = resolveQuery(parseSoql(q));
    } catch (error) {
      if (error instanceof SoqlSyntaxError) {
        const code = /No such column|not supported/.test(error.message) ? 'INVALID_FIELD' : 'MALFORMED_QUERY';
        return sfError(400, code, error.message);
      }
      throw error;
    }
    const options = String(req.headers['sforce-query-options'] ?? '');
    const asked = Number(/batchSize=(\d+)/.exec(options)?.[1] ?? NaN);
    const pageSize = Number.isFinite(asked) ? Math.min(Math.max(asked, 200), opts.pageSize ?? 2000) : (opts.pageSize ?? 2000);
    // Locators are 18 characters with the `0r8` prefix (help article 000384958).
    const locator = `0r8EMU${String(++cursorSeq).padStart(12, '0')}`;
    // Bounded here only to keep memory flat; abandoned ones go first.
    if (cursors.size >= 1000) cursors.delete(cursors.keys().next().value!);
    cursors.set(locator, { resolved, rows: runQuery(store, resolved, includeDeleted), pageSize, openedAt: now() });
    return pageOf(base, locator, 0);
  };

  const access = new Map(Object.entries(opts.access ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const describe = (type: string): EmulatorResponse => {
    const object = findObject(type);
    const objectAccess = object ? access.get(object.name.toLowerCase()) : undefined;
    if (!object || objectAccess === 'hidden') return sfError(404, 'NOT_FOUND', `The requested resource does not exist`);
    const writable = objectAccess !== 'read-only';
    const fieldAccess = (name: string) => access.get(`${object.name}.${name}`.toLowerCase());
    return {
      status: 200,
      body: {
        name: object.name,
        label: object.name,
        keyPrefix: object.prefix,
        queryable: true,
        createable: writable,
        updateable: writable,
        deletable: writable,
        fields: object.fields.filter((f) => fieldAccess(f.name) !== 'hidden').map((f) => ({
          name: f.name,
          label: f.name,
          type: f.type,
          length: f.length ?? (f.type === 'id' || f.type === 'reference' ? 18 : 255),
          createable: writable && fieldAccess(f.name) !== 'read-only' && (f.createable ?? false),
          updateable: writable && fieldAccess(f.name) !== 'read-only' && (f.updateable ?? false),
          nillable: f.nillable ?? false,
          externalId: f.externalId ?? false,
          unique: f.unique ?? false,
          idLookup: f.name === 'Id' || (f.externalId ?? false),
        })),
      },
    };
  };

  const retrieve = (type: string, id: string, base: string): EmulatorResponse => {
    const object = findObject(type);
    const record = object ? store.table(object.name).get(id) : undefined;
    if (!object || !record || record.IsDeleted) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const resolved: ResolvedQuery = { object, fields: object.fields, query: { fields: [], object: object.name, where: null, orderBy: [], limit: null } };
    return { status: 200, body: projectRecord(resolved, record, base) };
  };

  /** getUpdated / getDeleted: ids changed in [start, end), within 30 / 15 days of now. */
  const replicate = (type: string, kind: 'updated' | 'deleted', query: URLSearchParams): EmulatorResponse => {
    const object = findObject(type);
    if (!object) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const start = parseSfDatetime(query.get('start') ?? '');
    const end = parseSfDatetime(query.get('end') ?? '');
    if (Number.isNaN(start) || Number.isNaN(end) || end <= start) return sfError(400, 'INVALID_REPLICATION_DATE', 'start and end must be valid dates, start before end');
    const oldest = now() - (kind === 'updated' ? 30 : 15) * DAY;
    if (start < oldest) return sfError(400, 'INVALID_REPLICATION_DATE', `start date cannot be more than ${kind === 'updated' ? 30 : 15} days ago`);
    // The API works at minute granularity: the window ends on the last whole minute.
    const covered = Math.min(end, now()) - (Math.min(end, now()) % 60_000);
    const rows = [...store.table(object.name).values()].filter((r) => r.IsDeleted === (kind === 'deleted') && r.SystemModstamp >= start && r.SystemModstamp < covered);
    if (rows.length > 600_000) return sfError(400, 'EXCEEDED_ID_LIMIT', 'too many ids; narrow the window');
    if (kind === 'updated') return { status: 200, body: { ids: rows.map((r) => r.Id), latestDateCovered: formatSfDatetime(covered) } };
    return {
      status: 200,
      body: {
        deletedRecords: rows.map((r) => ({ id: r.Id, deletedDate: formatSfDatetime(r.SystemModstamp) })),
        earliestDateAvailable: formatSfDatetime(oldest),
        latestDateCovered: formatSfDatetime(covered),
      },
    };
  };

  const dataApi = (req: EmulatorRequest, base: string, rest: string): EmulatorResponse => {
    if (rest === '/query' && req.method === 'GET') return runSoql(req, base, false);
    if (rest === '/queryAll' && req.method === 'GET') return runSoql(req, base, true);
    const more = /^\/query\/([^/]+)-(\d+)$/.exec(rest);
    if (more && req.method === 'GET') return pageOf(base, more[1]!, Number(more[2]));
    if (rest === '/limits') {
      const u = usage();
      return { status: 200, body: { DailyApiRequests: { Max: u.limit, Remaining: Math.max(0, u.limit - u.used) } } };
    }
    if (rest === '/sobjects' && req.method === 'GET') {
      return { status: 200, body: { sobjects: Object.values(SF_OBJECTS).map((o) => ({ name: o.name, keyPrefix: o.prefix, queryable: true })) } };
    }
    if (rest.startsWith('/composite/sobjects')) return collections(req, rest);
    if (rest === '/composite' && req.method === 'POST') return composite(req);
    const replication = /^\/sobjects\/([^/]+)\/(updated|deleted)\/?$/.exec(rest);
    if (replication && req.method === 'GET') return replicate(replication[1]!, replication[2] as 'updated' | 'deleted', req.query);
    const desc = /^\/sobjects\/([^/]+)\/describe$/.exec(rest);
    if (desc && req.method === 'GET') return describe(desc[1]!);
    const one = /^\/sobjects\/([^/]+)\/([^/]+)$/.exec(rest);
    if (one && req.method === 'GET') return retrieve(one[1]!, one[2]!, base);
    if (one && req.method === 'PATCH') {
      // A single-record update (jsforce `update` of one record): 204, or the errors as a list.
      const record = { ...(req.json<Record<string, unknown>>() ?? {}), Id: one[2]!, attributes: { type: one[1]! } };
      const [result] = applyWrites(store, [{ kind: 'update', record }], false, (object, r) => itemFaults.take(object, r));
      if (result?.success) return { status: 204 };
      const first = result!.errors[0]!;
      return { status: first.statusCode === 'INVALID_CROSS_REFERENCE_KEY' ? 404 : 400, body: [{ errorCode: first.statusCode, message: first.message, fields: first.fields ?? [] }] };
    }
    if (one && req.method === 'DELETE') {
      const [result] = applyDeletes(store, [one[2]!], false);
      return result?.success ? { status: 204 } : sfError(404, result?.errors[0]?.statusCode ?? 'NOT_FOUND', result?.errors[0]?.message ?? 'not found');
    }
    return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
  };

  const composite = (req: EmulatorRequest): EmulatorResponse => {
    let payload: { allOrNone?: boolean; compositeRequest?: CompositeSubrequest[] };
    try {
      payload = req.json();
    } catch {
      return sfError(400, 'JSON_PARSER_ERROR', 'Unexpected end of input');
    }
    const subrequests = payload?.compositeRequest;
    if (!Array.isArray(subrequests) || !subrequests.length) return sfError(400, 'JSON_PARSER_ERROR', 'compositeRequest is required');
    if (subrequests.length > COMPOSITE_MAX_SUBREQUESTS) return sfError(400, 'LIMIT_EXCEEDED', `A composite request can't have more than ${COMPOSITE_MAX_SUBREQUESTS} subrequests`);
    writeLog.push({ kind: 'composite', records: subrequests.map((s) => ({ method: s.method, url: s.url, ...(s.body ?? {}) })) });
    return { status: 200, body: { compositeResponse: applyComposite(store, subrequests, payload.allOrNone === true, (object, record) => itemFaults.take(object, record)) } };
  };

  const collections = (req: EmulatorRequest, rest: string): EmulatorResponse => {
    if (req.method === 'DELETE') {
      const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
      if (!ids.length || ids.length > 200) return sfError(400, 'INVALID_FIELD', 'ids: between 1 and 200 ids are required');
      return { status: 200, body: applyDeletes(store, ids, req.query.get('allOrNone') === 'true') };
    }
    let payload: { allOrNone?: boolean; records?: Record<string, unknown>[] };
    try {
      payload = req.json();
    } catch {
      return sfError(400, 'JSON_PARSER_ERROR', 'Unexpected end of input');
    }
    const records = payload?.records;
    if (!Array.isArray(records)) return sfError(400, 'JSON_PARSER_ERROR', 'records is required');
    if (records.length > 200) return sfError(400, 'EXCEEDED_ID_LIMIT', 'record limit exceeded: 200');
    const allOrNone = payload.allOrNone === true;
    const parts = rest.split('/').filter(Boolean);
    let ops: WriteOp[];
    if (req.method === 'POST' && parts.length === 2) ops = records.map((record) => ({ kind: 'create', record }));
    else if (req.method === 'PATCH' && parts.length === 2) ops = records.map((record) => ({ kind: 'update', record }));
    else if (req.method === 'PATCH' && parts.length === 4) {
      const [, , type, extField] = parts as [string, string, string, string];
      if (!findObject(type)) return sfError(404, 'NOT_FOUND', `The requested resource does not exist`);
      ops = records.map((record) => ({ kind: 'upsert', record, type, extField }));
    } else return sfError(405, 'METHOD_NOT_ALLOWED', 'HTTP method not allowed');
    writeLog.push({ kind: classifySalesforce(req), records });
    return { status: 200, body: applyWrites(store, ops, allOrNone, (object, record) => itemFaults.take(object, record)) };
  };

  const control = (req: EmulatorRequest): EmulatorResponse => {
    if (req.method === 'POST' && req.path === '/__mock/item-faults') {
      itemFaults.add(req.json<SfItemFaultRule>());
      return { status: 204 };
    }
    // `POST /__mock/access {"key": "Object[.Field]", "access": "hidden" | "read-only" | null}`: what describe shows.
    if (req.method === 'POST' && req.path === '/__mock/access') {
      const body = req.json<{ key?: string; access?: SfAccess | null }>() ?? {};
      if (!body.key) return { status: 400, body: { error: 'key is required' } };
      controlSurface.setAccess(body.key, body.access ?? null);
      return { status: 204 };
    }
    return serveCrmControl(req, running, {
      emails: () => controlSurface.emails(),
      meetings: () => controlSurface.meetings(),
      advanceClock: (ms) => controlSurface.advanceClock(ms),
      now,
      expireTokens: () => tokens.expireAll(),
    });
  };

  /** `Sforce-Limit-Info` as every authenticated REST answer carries it (used/allocation, rolling 24 h). */
  const limitHeader = () => {
    const u = usage();
    return { 'Sforce-Limit-Info': `api-usage=${u.used}/${u.limit}` };
  };

  const handler = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    if (req.path.startsWith('/__mock/')) return control(req);
    if (req.path === '/services/oauth2/token' && req.method === 'POST') {
      const result = tokens.grant(new URLSearchParams(req.body.toString('utf8')));
      if (!result.ok) return { status: result.status, body: result.body };
      return {
        status: 200,
        body: {
          access_token: result.accessToken,
          instance_url: baseUrl,
          id: `${baseUrl}/id/00D000000000001EMU/005000000000001EMU`,
          token_type: 'Bearer',
          issued_at: String(now()),
          scope: 'api',
          signature: 'emulator',
        },
      };
    }
    if (req.path === '/services/data' || req.path === '/services/data/') {
      return { status: 200, body: [{ label: 'Emulator', url: `/services/data/v${SF_API_VERSION}`, version: SF_API_VERSION }] };
    }
    const m = /^(\/services\/data\/v(\d+\.\d))(\/.*)$/.exec(req.path);
    if (!m) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const withLimits = (answer: EmulatorResponse): EmulatorResponse => ({ ...answer, headers: { ...(answer.headers ?? {}), ...limitHeader() } });
    // A 401 carries neither the limit header nor WWW-Authenticate (response recorded in jsforce#1301).
    if (!tokens.check(req.headers.authorization)) return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    const u = usage();
    if (u.used >= u.limit) return withLimits(sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
    if (longRunning() >= concurrentLimit) {
      events.emit('concurrent-limit');
      return withLimits(sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.'));
    }
    used++;
    purgeRecycleBin();
    const entry = { startedAt: Date.now() };
    inFlight.add(entry);
    try {
      const hold = holds.get(classifySalesforce(req));
      if (hold) {
        events.emit('held', classifySalesforce(req));
        await hold;
      }
      return withLimits(dataApi(req, m[1]!, m[3]!));
    } finally {
      inFlight.delete(entry);
    }
  };

  const emulator = await startHttpEmulator({
    name: 'salesforce',
    handler,
    port: opts.port,
    classify: classifySalesforce,
    faultBody,
    faultHeaders: (status, _body, req) => (status !== 401 && req.path.startsWith('/services/data/v') ? limitHeader() : undefined),
  });
  baseUrl = emulator.url;

  const controlSurface: SalesforceControl = {
    store,
    now,
    advanceClock: (ms) => {
      offset += ms;
    },
    expireTokens: () => tokens.expireAll(),
    setDailyLimit: (limit) => {
      dailyLimit = limit;
    },
    dailyUsage: () => usage(),
    createRecord(type, fields) {
      const result = applyWrites(store, [{ kind: 'create', record: { attributes: { type }, ...fields } }], true)[0]!;
      if (!result.success) throw new Error(`createRecord ${type}: ${result.errors[0]?.message}`);
      return result.id;
    },
    updateRecord(type, id, fields) {
      const result = applyWrites(store, [{ kind: 'update', record: { attributes: { type }, Id: id, ...fields } }], true)[0]!;
      if (!result.success) throw new Error(`updateRecord ${type}: ${result.errors[0]?.message}`);
    },
    deleteRecord(id) {
      const result = applyDeletes(store, [id], true)[0]!;
      if (!result.success) throw new Error(`deleteRecord: ${result.errors[0]?.message}`);
    },
    emails() {
      const message = SF_OBJECTS.EmailMessage!;
      const relation = SF_OBJECTS.EmailMessageRelation!;
      const wire = (fields: typeof message.fields, r: SfRecord) => Object.fromEntries(fields.map((f) => [f.name, wireValue(f, r[f.name])]));
      const relations = [...store.table('EmailMessageRelation').values()].filter((r) => !r.IsDeleted);
      return [...store.table('EmailMessage').values()]
        .filter((r) => !r.IsDeleted)
        .map((r) => ({ record: wire(message.fields, r), relations: relations.filter((x) => x.EmailMessageId === r.Id).map((x) => wire(relation.fields, x)) }));
    },
    meetings() {
      const event = SF_OBJECTS.Event!;
      const relation = SF_OBJECTS.EventRelation!;
      const wire = (fields: typeof event.fields, r: SfRecord) => Object.fromEntries(fields.map((f) => [f.name, wireValue(f, r[f.name])]));
      const relations = [...store.table('EventRelation').values()].filter((r) => !r.IsDeleted);
      return [...store.table('Event').values()]
        .filter((r) => !r.IsDeleted)
        .map((r) => ({ record: wire(event.fields, r), relations: relations.filter((x) => x.EventId === r.Id).map((x) => wire(relation.fields, x)) }));
    },
    addFault: (rule) => running.faults.add(rule),
    addItemFault: (rule) => itemFaults.add(rule),
    expireQueryLocators: () => cursors.clear(),
    holdRequests: (kind) => {
      let release!: () => void;
      holds.set(kind, new Promise<void>((resolve) => (release = resolve)));
      return () => {
        holds.delete(kind);
        release();
      };
    },
    events,
    invalidLocatorAnswers: () => invalidLocators,
    itemFaults,
    collectionWrites: () => writeLog,
    setAccess: (key, value) => {
      if (value) access.set(key.toLowerCase(), value);
      else access.delete(key.toLowerCase());
    },
  };

  const running: RunningSalesforceEmulator = {
    ...emulator,
    close: () => emulator.close(),
    credentials: { ...creds, loginUrl: baseUrl, instanceUrl: baseUrl, accessToken: tokens.mint(), apiVersion: SF_API_VERSION },
    control: controlSurface,
  };
  return running;
}
