/**
 * The Gmail API emulator: Google's token endpoint (service-account JWT with `sub`, refresh and
 * code grants), users.* mail resources, the batch endpoint, per-user quota units and
 * concurrency, fault injection and request counters, over mailboxes seeded from a description.
 */
import type { Folder } from '../../core/types.js';
import type { FaultRule } from '../common/faults.js';
import { serveControl } from '../common/control-routes.js';
import { startHttpEmulator, type EmulatorRequest, type EmulatorResponse, type RunningEmulator } from '../common/http-emulator.js';
import { MailStore, type MailboxDescription, type SeedMessage } from '../common/mail-store.js';
import { CalendarStore, type CalendarDescription } from '../common/calendar-store.js';
import { calendarControl, serveCalendarControl, type CalendarControl } from '../common/calendar-control.js';
import { GmailApi, gmailRoute } from './gmail-api.js';
import { GoogleCalendarApi, googleCalendarRoute } from './google-calendar-api.js';
import { GmailAuthority, type OAuthClientCredentials, type ServiceAccountKey } from './gmail-auth.js';
import { batchResponse, batchTooLarge, parseBatchRequest } from './gmail-batch.js';
import { gmailError, gmailFaultBody, gmailQuotaError, GOOGLE_WWW_AUTHENTICATE, type QuotaErrorMode } from './gmail-errors.js';
import { gmailId } from './gmail-message-view.js';
import { DEFAULT_GMAIL_LIMITS, UserQuota, methodCost, type GmailLimits } from './gmail-quota.js';
import { DirectoryApi, directoryRoute, type DirectoryOptions } from './directory-api.js';

export interface GmailEmulatorOptions {
  /** Admin SDK Directory: groups (email or id → members) and the subjects allowed to read it. */
  directory?: DirectoryOptions;
  mailboxes?: MailboxDescription[];
  port?: number;
  limits?: Partial<GmailLimits>;
  /** Simulated service time per request (default 0). */
  latencyMs?: number;
  /** Call kinds refused with 403 `insufficientPermissions` (a scope not granted): `getProfile`, `messages.list`, `messages.get`, `directory.users`, … */
  deniedCalls?: string[];
  /** Records whose typed arrays `historyTypes` filtered out still come with `messages[]` only (default on). */
  bareHistoryRecords?: boolean;
  /** How a spent per-user quota is answered (default `legacy-403`, the documented form). */
  quotaError?: QuotaErrorMode;
  /** Google Calendar: calendars served at `/calendar/v3/calendars/{id}/events` (their users are created when absent). */
  calendars?: CalendarDescription[];
  /** The calendars' own zone, where all-day dates are days (default `UTC`). */
  calendarTimeZone?: string;
  /** Calendar API requests per user per minute (default 600, the 2026 quota guide). */
  calendarRequestsPerMinute?: number;
}

export interface GmailEmulatorControl extends CalendarControl {
  addMessage(address: string, message: SeedMessage): string;
  deleteMessage(address: string, gmailId: string): boolean;
  /** Marks read or unread: a history record with UNREAD removed or added. */
  setRead(address: string, gmailId: string, isRead: boolean): boolean;
  /** Moves to another folder (into Inbox, to Trash…): a record with the labels removed and added. */
  moveMessage(address: string, gmailId: string, folder: Folder): boolean;
  messageIds(address: string, folder?: Folder): string[];
  /** Drops retained history: older `startHistoryId`s answer 404. */
  expireHistory(address?: string): void;
  setLimits(limits: Partial<GmailLimits>): void;
  setLatency(ms: number): void;
  setQuotaError(mode: QuotaErrorMode): void;
  expireTokens(): void;
  revokeUser(address: string): void;
  restoreUser(address: string): void;
  issueAuthCode(address: string, codeChallenge?: string): string;
  /** Messages served in `full` or `raw` format, in order. */
  bodyRequests(): { mailbox: string; id: string }[];
  /** Quota units charged per user, with when, for rate proofs. */
  unitLog(address: string): readonly { at: number; units: number }[];
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Refuses these call kinds with 403 from now on; `[]` grants all again. */
  denyCalls(kinds: string[]): void;
}

export interface GmailEmulator {
  emulator: RunningEmulator;
  /** Origin; pass `${url}/` as the Gmail client's `rootUrl`. */
  url: string;
  tokenUrl: string;
  /** Service-account key for domain-wide delegation (company-wide mode). */
  serviceAccount: ServiceAccountKey;
  /** OAuth client for the per-user web flow. */
  oauthClient: OAuthClientCredentials;
  store: MailStore;
  calendarStore: CalendarStore;
  control: GmailEmulatorControl;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts a Gmail emulator on 127.0.0.1 (random port unless given). */
export async function startGmailEmulator(opts: GmailEmulatorOptions = {}): Promise<GmailEmulator> {
  const store = new MailStore(opts.mailboxes ?? []);
  for (const c of opts.calendars ?? []) store.addMailbox(c.address);
  const calendarStore = new CalendarStore(opts.calendars ?? []);
  const calendarApi = new GoogleCalendarApi(calendarStore, opts.calendarTimeZone);
  // The Calendar API has its own per-user quota, separate from Gmail's units.
  const calendarQuota = new UserQuota({ unitsPerWindow: opts.calendarRequestsPerMinute ?? 600, windowMs: 60_000, concurrency: 10, getCost: 1 });
  const auth = new GmailAuthority(store);
  const api = new GmailApi(store, { bareHistoryRecords: opts.bareHistoryRecords ?? true });
  const directory = new DirectoryApi(store, opts.directory);
  const quota = new UserQuota({ ...DEFAULT_GMAIL_LIMITS, ...opts.limits });
  const unitLog = new Map<string, { at: number; units: number }[]>();
  let latencyMs = opts.latencyMs ?? 0;
  const denied = new Set(opts.deniedCalls ?? []);
  const refused = () => gmailError(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions');
  let quotaError: QuotaErrorMode = opts.quotaError ?? 'legacy-403';
  const self: { running?: RunningEmulator } = {};

  const charge = (user: string, kind: string): EmulatorResponse | null => {
    const units = methodCost(kind, quota.limits);
    const decision = quota.charge(user, units);
    if (!decision.ok) {
      self.running!.counters.count('throttled');
      return gmailQuotaError(quotaError, decision.reason === 'quota' ? decision.retryAt : new Date());
    }
    const log = unitLog.get(user) ?? [];
    log.push({ at: Date.now(), units });
    unitLog.set(user, log);
    return null;
  };

  /** One users.* call: auth, quota, then the resource. */
  const serveOne = (req: EmulatorRequest, counted: boolean): EmulatorResponse => {
    const tokenUser = auth.authenticate(req);
    if (!tokenUser) return gmailError(401, 'Invalid Credentials', 'authError');
    const route = gmailRoute(req.path, tokenUser);
    if (!route.user || route.kind === 'unknown') return gmailError(404, 'Not Found', 'notFound');
    if (route.user !== tokenUser) return gmailError(403, 'Delegation denied for ' + tokenUser, 'forbidden');
    if (denied.has(route.kind)) return refused();
    if (counted) {
      const refused = charge(route.user, route.kind);
      if (refused) return refused;
    }
    return api.serve(req, route.kind, route.user);
  };

  const handler = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    if (req.path.startsWith('/__mock/')) return controlRoute(req);
    const identity = auth.handle(req);
    if (identity) return identity;
    const calendarRoute = googleCalendarRoute(req.path);
    if (calendarRoute) return serveCalendar(req, calendarRoute.calendarId);
    if (directoryRoute(req.path)) {
      const subject = auth.authenticate(req);
      if (!subject) return gmailError(401, 'Invalid Credentials', 'authError');
      if (denied.has(directoryRoute(req.path)!)) return refused();
      return directory.serve(req, subject);
    }
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    const counters = self.running!.counters;
    if (gmailRoute(req.path, null).kind === 'batch') {
      const inner = parseBatchRequest(req, origin);
      if (!inner) return gmailError(400, 'Invalid multipart request', 'invalidArgument');
      if (inner.length > 100) return batchTooLarge();
      const user = auth.authenticate(req) ?? '';
      const gate = quota.enter(user);
      if (!gate.ok) {
        counters.count('throttled');
        return gmailError(429, 'Too many concurrent requests for user', 'rateLimitExceeded', 'usageLimits');
      }
      counters.enter(user);
      try {
        if (latencyMs > 0) await sleep(latencyMs);
        const answers = inner.map(({ contentId, request }) => {
          const kind = gmailRoute(request.path, user).kind;
          counters.count(`batch:${kind}`);
          const fault = self.running!.faults.take(request, kind);
          if (fault?.type === 'status') {
            return { contentId, response: { status: fault.status, headers: fault.headers, body: fault.body ?? gmailFaultBody(fault.status) } };
          }
          return { contentId, response: serveOne(request, true) };
        });
        return batchResponse(answers);
      } finally {
        quota.leave(user);
        counters.leave(user);
      }
    }
    const tokenUser = auth.authenticate(req);
    const route = gmailRoute(req.path, tokenUser);
    if (!tokenUser || !route.user) return serveOne(req, true);
    const gate = quota.enter(route.user);
    if (!gate.ok) {
      counters.count('throttled');
      return gmailError(429, 'Too many concurrent requests for user', 'rateLimitExceeded', 'usageLimits');
    }
    counters.enter(route.user);
    try {
      if (latencyMs > 0) await sleep(latencyMs);
      return serveOne(req, true);
    } finally {
      quota.leave(route.user);
      counters.leave(route.user);
    }
  };

  /** One Calendar API call: auth, its own quota and concurrency, then the resource. */
  const serveCalendar = async (req: EmulatorRequest, calendarId: string): Promise<EmulatorResponse> => {
    const user = auth.authenticate(req);
    if (!user) return gmailError(401, 'Invalid Credentials', 'authError');
    if (denied.has('calendar.events.list')) return refused();
    const counters = self.running!.counters;
    const gate = calendarQuota.enter(user);
    if (!gate.ok) {
      counters.count('throttled');
      return gmailError(429, 'Rate Limit Exceeded', 'rateLimitExceeded', 'usageLimits');
    }
    try {
      // Errors guide: 403 (or 429) rateLimitExceeded / userRateLimitExceeded, "respond the same way".
      if (!calendarQuota.charge(user, 1).ok) {
        counters.count('throttled');
        return gmailError(403, 'Rate Limit Exceeded', 'rateLimitExceeded', 'usageLimits');
      }
      counters.enter(user);
      try {
        if (latencyMs > 0) await sleep(latencyMs);
        return calendarApi.serve(req, calendarId, user);
      } finally {
        counters.leave(user);
      }
    } finally {
      calendarQuota.leave(user);
    }
  };

  const control: GmailEmulatorControl = {
    ...calendarControl(calendarStore, (address) => calendarApi.expire(address), (address) => store.addMailbox(address)),
    addMessage: (address, message) => gmailId(store.addMessage(address, message).key),
    deleteMessage: (address, id) => {
      const m = store.liveAt(address).find((x) => gmailId(x.key) === id);
      return m ? store.deleteMessage(address, m.key) : false;
    },
    setRead: (address, id, isRead) => {
      const m = store.liveAt(address).find((x) => gmailId(x.key) === id);
      return m ? store.setRead(address, m.key, isRead) : false;
    },
    moveMessage: (address, id, folder) => {
      const m = store.liveAt(address).find((x) => gmailId(x.key) === id);
      return m ? store.moveMessage(address, m.key, folder) : false;
    },
    messageIds: (address, folder) => store.liveAt(address).filter((m) => !folder || m.folder === folder).map((m) => gmailId(m.key)),
    expireHistory: (address) => api.expireHistory(address),
    setLimits: (limits) => {
      quota.limits = { ...quota.limits, ...limits };
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setQuotaError: (mode) => {
      quotaError = mode;
    },
    expireTokens: () => auth.expireAccessTokens(),
    revokeUser: (address) => auth.revokeUser(address),
    restoreUser: (address) => auth.restoreUser(address),
    issueAuthCode: (address, challenge) => auth.issueCode(address, challenge ?? null),
    bodyRequests: () => [...api.bodyRequests],
    unitLog: (address) => unitLog.get(address.toLowerCase()) ?? [],
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
    return serveControl(req, { ...control, expireCursors: (address) => api.expireHistory(address) }, self.running!.counters);
  }

  const running = await startHttpEmulator({
    name: 'gmail',
    handler,
    port: opts.port,
    classify: (req) => {
      if (req.path.startsWith('/__mock/')) return 'control';
      if (req.path === '/token') return 'token';
      if (req.path.startsWith('/o/oauth2')) return 'authorize';
      const dir = directoryRoute(req.path);
      if (dir) return dir;
      const calendar = googleCalendarRoute(req.path);
      if (calendar) return calendar.kind;
      return gmailRoute(req.path, auth.authenticate(req)).kind;
    },
    faultBody: (status) => gmailFaultBody(status),
    faultHeaders: (status): Record<string, string> => (status === 401 ? { 'WWW-Authenticate': GOOGLE_WWW_AUTHENTICATE } : {}),
  });
  self.running = running;

  return {
    emulator: running,
    url: running.url,
    tokenUrl: `${running.url}/token`,
    serviceAccount: auth.serviceAccount,
    oauthClient: auth.oauthClient,
    store,
    calendarStore,
    control,
    close: () => running.close(),
  };
}
