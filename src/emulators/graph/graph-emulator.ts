/**
 * The Microsoft Graph emulator: identity endpoints, `/v1.0` mail resources, `$batch`, per-mailbox
 * throttling, fault injection and request counters, over mailboxes seeded from a description.
 */
import type { Folder } from '../../core/types.js';
import { startHttpEmulator, type EmulatorRequest, type EmulatorResponse, type RunningEmulator } from '../common/http-emulator.js';
import type { FaultRule } from '../common/faults.js';
import { serveControl } from '../common/control-routes.js';
import { MailStore, type MailboxDescription, type SeedMessage } from '../common/mail-store.js';
import { CalendarStore, type CalendarDescription } from '../common/calendar-store.js';
import { calendarControl, serveCalendarControl, type CalendarControl } from '../common/calendar-control.js';
import { GraphApi } from './graph-api.js';
import { GraphCalendarApi, type GraphCalendarOptions } from './graph-calendar-api.js';
import { GraphAuthority, type GraphCredentials } from './graph-auth.js';
import { serveBatch } from './graph-batch.js';
import { CONCURRENCY_THROTTLE_CODE, graphError, graphFaultBody, graphFaultHeaders, nextRequestId } from './graph-errors.js';
import { graphMessageId, storeKey } from './graph-message-view.js';
import { DEFAULT_GRAPH_LIMITS, MailboxThrottle, type GraphLimits } from './graph-throttle.js';

export interface GraphEmulatorOptions {
  mailboxes?: MailboxDescription[];
  port?: number;
  credentials?: Partial<GraphCredentials>;
  limits?: Partial<GraphLimits>;
  /** Simulated service time per request, so overlapping requests are visible (default 0). */
  latencyMs?: number;
  /** Delta page size without `Prefer: odata.maxpagesize` (default 10). */
  defaultDeltaPageSize?: number;
  /** Security groups: id → member addresses, served at `/groups/{id}/members`. */
  groups?: Record<string, string[]>;
  /** Reproduce the Sent Items gap: no `internetMessageHeaders` on sent copies (default off). */
  sentItemsWithoutHeaders?: boolean;
  /** Call kinds refused with 403 (a permission not granted): `users.list`, `groups.members`, `messages.delta`, `message.get`, … */
  deniedCalls?: string[];
  /** Each delta round also replays the previous round's changes (default off). */
  deltaReplays?: boolean;
  /** Calendars served at `/users/{id}/calendarView/delta` (their mailboxes are created when absent). */
  calendars?: CalendarDescription[];
  calendar?: Partial<GraphCalendarOptions>;
}

/** What tests, the demo and `mailbridge emulate graph` drive the emulator with. */
export interface GraphEmulatorControl extends CalendarControl {
  /** Delivers new mail; returns its Graph message id. */
  addMessage(address: string, message: SeedMessage): string;
  deleteMessage(address: string, graphId: string): boolean;
  /** Marks read or unread: the next delta round carries a sparse row. */
  setRead(address: string, graphId: string, isRead: boolean): boolean;
  /** Moves to another folder: `@removed` in the old folder's delta, a full row in the new one's. */
  moveMessage(address: string, graphId: string, folder: Folder): boolean;
  /** Graph ids of a mailbox's live messages, optionally of one folder. */
  messageIds(address: string, folder?: Folder): string[];
  /** Delta tokens of the mailbox (all when omitted) answer 410 `SyncStateNotFound` from now on. */
  expireDelta(address?: string, folder?: Folder): void;
  setLimits(limits: Partial<GraphLimits>): void;
  setLatency(ms: number): void;
  /** Every access token issued so far answers 401 from now on. */
  expireTokens(): void;
  revokeUser(address: string): void;
  restoreUser(address: string): void;
  /** An authorization code for a user, as the browser round trip of the delegated flow yields. */
  issueAuthCode(address: string, redirectUri: string, codeChallenge?: string): string;
  /** The user answers the consent prompt with Cancel (or, with false, accepts it again). */
  declineConsent(address: string, decline?: boolean): void;
  /** Messages whose body (or MIME) was served, in order. */
  bodyRequests(): { mailbox: string; id: string }[];
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Refuses these call kinds with 403 from now on (a permission withdrawn); `[]` grants all again. */
  denyCalls(kinds: string[]): void;
}

export interface GraphEmulator {
  emulator: RunningEmulator;
  /** Origin of the server, e.g. `http://127.0.0.1:5123`; the API lives under `/v1.0`. */
  url: string;
  /** The token endpoint of the emulated tenant. */
  tokenUrl: string;
  credentials: GraphCredentials;
  store: MailStore;
  calendarStore: CalendarStore;
  control: GraphEmulatorControl;
  close(): Promise<void>;
}

/** Graph answers every request with `request-id` and echoes `client-request-id` (API_NOTES §1.10). */
function withRequestIds(answer: EmulatorResponse, req: EmulatorRequest): EmulatorResponse {
  const headers = { ...(answer.headers ?? {}) };
  const has = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
  const requestId = has('request-id') ? null : nextRequestId();
  if (requestId) headers['request-id'] = requestId;
  if (!has('client-request-id')) headers['client-request-id'] = String(req.headers['client-request-id'] ?? requestId ?? nextRequestId());
  return { ...answer, headers };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts a Graph emulator on 127.0.0.1 (random port unless given). */
export async function startGraphEmulator(opts: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const store = new MailStore(opts.mailboxes ?? []);
  const credentials: GraphCredentials = {
    tenantId: opts.credentials?.tenantId ?? '7d3f0a52-emul-4a1b-9c0d-000000000001',
    clientId: opts.credentials?.clientId ?? 'a1b2c3d4-emul-4000-8000-000000000002',
    clientSecret: opts.credentials?.clientSecret ?? 'emulator-secret',
  };
  const auth = new GraphAuthority(credentials, store);
  const denied = new Set(opts.deniedCalls ?? []);
  for (const c of opts.calendars ?? []) store.addMailbox(c.address);
  const calendarStore = new CalendarStore(opts.calendars ?? []);
  const calendarApi = new GraphCalendarApi(calendarStore, {
    defaultPageSize: 10, sparseOccurrences: false, expiredDeltaStatus: 410, ...opts.calendar,
  });
  const api = new GraphApi(store, {
    denied,
    calendar: calendarApi,
    ...(opts.groups ? { groups: opts.groups } : {}),
    defaultDeltaPageSize: opts.defaultDeltaPageSize ?? 10,
    quirks: { sentItemsWithoutHeaders: opts.sentItemsWithoutHeaders ?? false, deltaReplays: opts.deltaReplays ?? false },
  });
  const throttle = new MailboxThrottle({ ...DEFAULT_GRAPH_LIMITS, ...opts.limits });
  let latencyMs = opts.latencyMs ?? 0;
  const latency = () => (latencyMs > 0 ? sleep(latencyMs) : Promise.resolve());
  // Filled once the server listens; the handler only runs after that.
  const self: { running?: RunningEmulator } = {};

  const classify = (req: EmulatorRequest): string => {
    if (req.path.startsWith('/__mock/')) return 'control';
    if (!req.path.startsWith('/v1.0/')) return req.path.endsWith('/token') ? 'token' : 'identity';
    return api.route(req.path.slice(5), auth.authenticate(req)).kind;
  };

  const handler = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const answer = await serveRequest(req);
    return req.path.startsWith('/v1.0/') ? withRequestIds(answer, req) : answer;
  };

  const serveRequest = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const origin = `http://${req.headers.host ?? `127.0.0.1:${self.running?.port}`}`;
    if (req.path.startsWith('/__mock/')) return controlRoute(req);
    if (!req.path.startsWith('/v1.0/')) {
      return auth.handle(req) ?? { status: 404, body: { error: 'not_found', error_description: `No route ${req.path}` } };
    }
    const principal = auth.authenticate(req);
    if (!principal) return graphError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.', req);
    const path = req.path.slice(5);
    const route = api.route(path, principal);
    const counters = self.running!.counters;
    if (route.kind === 'batch') {
      return serveBatch(req, { api, throttle, faults: self.running!.faults, counters, origin, principal, latency });
    }
    if (!route.mailbox) {
      await latency();
      return api.serve(req, path, principal, origin);
    }
    const admission = throttle.admit(route.mailbox);
    if (!admission.ok) {
      counters.count('throttled');
      return admission.reason === 'rate'
        ? graphError(429, 'TooManyRequests', 'Please retry again later.', req, { 'Retry-After': String(admission.retryAfterSec) })
        : graphError(429, CONCURRENCY_THROTTLE_CODE, 'Application is over its MailboxConcurrency limit.', req);
    }
    counters.enter(route.mailbox);
    try {
      await latency();
      return api.serve(req, path, principal, origin);
    } finally {
      throttle.release(route.mailbox);
      counters.leave(route.mailbox);
    }
  };

  const control: GraphEmulatorControl = {
    ...calendarControl(calendarStore, (address) => calendarApi.expire(address), (address) => store.addMailbox(address)),
    addMessage: (address, message) => graphMessageId(store.addMessage(address, message).key),
    deleteMessage: (address, graphId) => store.deleteMessage(address, storeKey(graphId)),
    setRead: (address, graphId, isRead) => store.setRead(address, storeKey(graphId), isRead),
    moveMessage: (address, graphId, folder) => store.moveMessage(address, storeKey(graphId), folder),
    messageIds: (address, folder) =>
      store.liveAt(address).filter((m) => !folder || m.folder === folder).map((m) => graphMessageId(m.key)),
    expireDelta: (address, folder) => api.expireDelta(address, folder),
    setLimits: (limits) => {
      throttle.limits = { ...throttle.limits, ...limits };
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    expireTokens: () => auth.expireAccessTokens(),
    revokeUser: (address) => auth.revokeUser(address),
    restoreUser: (address) => auth.restoreUser(address),
    issueAuthCode: (address, redirectUri, codeChallenge) => auth.issueCode(address, redirectUri, codeChallenge ?? null),
    declineConsent: (address, decline) => auth.declineConsent(address, decline),
    bodyRequests: () => [...api.bodyRequests],
    injectFault: (rule) => self.running!.faults.add(rule),
    clearFaults: () => self.running!.faults.clear(),
    denyCalls: (kinds) => {
      denied.clear();
      for (const k of kinds) denied.add(k);
    },
  };

  function controlRoute(req: EmulatorRequest): EmulatorResponse {
    const calendarAnswer = serveCalendarControl(req, control);
    if (calendarAnswer) return calendarAnswer;
    // `POST /__mock/deny {"calls": [kinds]}`: refuse these call kinds with 403 ([] grants all again).
    if (req.method === 'POST' && req.path === '/__mock/deny') {
      control.denyCalls(req.json<{ calls?: string[] }>()?.calls ?? []);
      return { status: 204 };
    }
    // Graph only: the user answers the consent prompt with Cancel (`decline` false accepts again).
    if (req.method === 'POST' && req.path === '/__mock/decline-consent') {
      const body = JSON.parse(req.body.toString('utf8') || '{}') as { mailbox?: unknown; decline?: unknown };
      if (typeof body.mailbox !== 'string') return { status: 400, body: { error: 'mailbox (an address) is required' } };
      control.declineConsent(body.mailbox, body.decline !== false);
      return { status: 204 };
    }
    return serveControl(req, { ...control, expireCursors: (address) => api.expireDelta(address) }, self.running!.counters);
  }

  const running = await startHttpEmulator({
    name: 'graph',
    handler,
    port: opts.port,
    classify,
    faultBody: (status) => graphFaultBody(status),
    faultHeaders: (status, body, req) => graphFaultHeaders(status, body, req),
  });

  self.running = running;
  return {
    emulator: running,
    url: running.url,
    tokenUrl: `${running.url}/${credentials.tenantId}/oauth2/v2.0/token`,
    credentials,
    store,
    calendarStore,
    control,
    close: () => running.close(),
  };
}
