/**
 * MailProvider for Google Workspace through `@googleapis/gmail` and google-auth-library:
 * full sync by label then `history.list` increments, metadata and bodies through hand-built
 * batches, quota units per user through bottleneck, 401 → refresh once → revoked.
 */
import { gmail, type gmail_v1, type GlobalOptions } from '@googleapis/gmail';
import type { OAuth2Client } from 'google-auth-library';
import type { z } from 'zod';
import type { Mailbox, MailProvider, MessageRef, ParticipantQuery, ScanFolder, ScanOptions, ScanPage } from '../../core/ports.js';
import type { MessageBody, MessageMeta } from '../../core/types.js';
import { ConnectionStatuses, type ConnectionStatus, type StatusListener } from '../common/connection-status.js';
import { MailboxLimiter, type RateLimit } from '../common/mailbox-limiter.js';
import { SyncError } from '../../core/sync-error.js';
import { DEFAULT_RETRY, waitsTooLong, withRetries, type RetryOptions } from '../common/retry-policy.js';
import { MemoryTokenStore, type TokenStore } from '../common/token-store.js';
import { buildBatch, parseBatch } from './gmail-batch.js';
import { googleStatusError, toProviderError } from './gmail-errors.js';
import { folderOfLabels, gmailMessage, historyPage, listPage, profile, toMessageBody, toMessageMeta, type GmailMessage } from './gmail-mapper.js';
import { GmailUserAuth, delegatedJwt, gmailScopes, type OAuthClientConfig, type ServiceAccountCredentials } from './gmail-tokens.js';
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import type { CalendarPage, CalendarProvider, CalendarWindow } from '../../core/meeting.js';
import { readGoogleCalendar } from './google-calendar.js';
import { listDirectoryUsers, type DirectoryConfig } from './gmail-directory.js';
import type { MailProbe } from '../common/mail-probe.js';

export interface GmailProviderConfig {
  /** company: service account with domain-wide delegation; user: per-user OAuth consent. */
  mode: 'company' | 'user';
  /** Mailboxes: company mode scans these (or, when empty, the directory's); user mode invites them. */
  users: string[];
  /** Company mode without a user list: read the users (or a group's members) from the Admin SDK Directory. */
  directory?: DirectoryConfig;
  serviceAccount?: ServiceAccountCredentials;
  oauthClient?: OAuthClientConfig;
  /** Default `https://gmail.googleapis.com/`. */
  rootUrl?: string;
  /** Origin replacing `https://oauth2.googleapis.com` for token requests (an emulator). */
  tokenOrigin?: string;
  tokenStore?: TokenStore;
  /** Per user, in quota units; default 15,000 / minute, 8 concurrent (used at 75%). */
  limits?: Partial<RateLimit>;
  /** Units of one `messages.get` (5, or 20 for projects created from May 2026). */
  getCost?: number;
  retry?: Partial<RetryOptions>;
  requestTimeoutMs?: number;
  /** `maxResults` of list and history pages (default 500). */
  pageSize?: number;
  /** Calls per batch (default 50: Google advises against more). */
  batchSize?: number;
  maxResyncs?: number;
  onStatus?: StatusListener;
  /** Meetings are read too: the calendar scope is asked for with Gmail's (delegation and consent). */
  calendar?: boolean;
  /** Default `https://www.googleapis.com/` (where the Calendar API lives). */
  calendarRootUrl?: string;
  /** `maxResults` of calendar pages (default 250). */
  calendarPageSize?: number;
  /** Calendar requests per user; default 600 / minute, 8 concurrent (used at 75%): its own quota, not Gmail's units. */
  calendarLimits?: Partial<RateLimit>;
}

const LABELS: Record<ScanFolder, string> = { inbox: 'INBOX', sent: 'SENT' };
type HistoryPage = z.infer<typeof historyPage>;
const COST = { list: 5, history: 2, profile: 1 };

interface Session {
  auth: OAuth2Client;
  api: gmail_v1.Gmail;
  /** The Calendar client over the same auth, made on first use. */
  calendar?: calendar_v3.Calendar;
}

/** Cursor forms: `h:<historyId>` (increments) or `f:<historyId>:<pageToken>` (a full sync under way). */
function parseCursor(cursor: string | null): { historyId: string; pageToken: string | null; full: boolean } | null {
  if (!cursor) return null;
  const [kind, historyId, pageToken] = cursor.split(':');
  if (!historyId || (kind !== 'h' && kind !== 'f')) return null;
  return { historyId, pageToken: pageToken ?? null, full: kind === 'f' };
}

export class GmailProvider implements MailProvider, CalendarProvider {
  readonly kind = 'gmail' as const;
  private readonly limiter: MailboxLimiter;
  private readonly calendarLimiter: MailboxLimiter;
  private readonly retry: RetryOptions;
  private readonly statuses: ConnectionStatuses;
  private readonly userAuth: GmailUserAuth | null;
  private readonly sessions = new Map<string, Session>();
  private readonly rootUrl: string;

  constructor(private readonly config: GmailProviderConfig) {
    this.limiter = new MailboxLimiter({ limit: 15_000, windowMs: 60_000, concurrency: 8, ...config.limits });
    this.calendarLimiter = new MailboxLimiter({ limit: 600, windowMs: 60_000, concurrency: 8, ...config.calendarLimits });
    this.retry = { ...DEFAULT_RETRY, ...config.retry };
    this.statuses = new ConnectionStatuses(config.onStatus);
    this.rootUrl = (config.rootUrl ?? 'https://gmail.googleapis.com/').replace(/\/?$/, '/');
    if (config.mode === 'user') {
      if (!config.oauthClient) throw new SyncError('bad-input', 'user mode needs an OAuth client');
      this.userAuth = new GmailUserAuth(config.oauthClient, config.tokenStore ?? new MemoryTokenStore(), config.tokenOrigin, gmailScopes(config.calendar ?? false));
      for (const u of config.users) this.statuses.set(u, 'invited');
    } else {
      if (!config.serviceAccount) throw new SyncError('bad-input', 'company mode needs a service account');
      this.userAuth = null;
    }
  }

  connectionStatus(address: string): ConnectionStatus | undefined {
    return this.statuses.get(address);
  }

  async authorizationUrl(address: string, redirectUri: string, state?: string): Promise<{ url: string; codeVerifier: string }> {
    if (!this.userAuth) throw new SyncError('bad-input', 'authorization is for user-by-user mode');
    return this.userAuth.authorizationUrl(address, redirectUri, state);
  }

  async completeAuthorization(address: string, code: string, codeVerifier: string, redirectUri: string): Promise<void> {
    if (!this.userAuth) throw new SyncError('bad-input', 'authorization is for user-by-user mode');
    await this.userAuth.completeAuthorization(address, code, codeVerifier, redirectUri);
    this.sessions.delete(address.toLowerCase());
    this.statuses.set(address, 'connected');
  }

  private async session(address: string): Promise<Session> {
    const key = address.toLowerCase();
    const existing = this.sessions.get(key);
    if (existing) return existing;
    let auth: OAuth2Client;
    if (this.userAuth) {
      const client = await this.userAuth.userClient(key);
      if (!client) throw new SyncError('auth', 'user has not connected', { retryable: false });
      auth = client;
    } else {
      auth = delegatedJwt(this.config.serviceAccount!, key, this.config.tokenOrigin, gmailScopes(this.config.calendar ?? false));
    }
    const api = gmail({
      version: 'v1',
      auth: auth as unknown as GlobalOptions['auth'],
      rootUrl: this.rootUrl,
      // Retries are ours (quota-aware); a hung call must end.
      retry: false,
      timeout: this.config.requestTimeoutMs ?? 30_000,
    });
    const session = { auth, api };
    this.sessions.set(key, session);
    return session;
  }

  /** One call (or batch) for a user: limiter, retries, 401 → refresh once → revoked. */
  private async call<T>(address: string, units: number, fn: (s: Session) => Promise<T>, limiter: MailboxLimiter = this.limiter): Promise<T> {
    let refreshed = false;
    try {
      const session = await this.session(address);
      const result = await withRetries(
        async () => {
          try {
            return await limiter.run(address, () => fn(session), { cost: units });
          } catch (raw) {
            const error = toProviderError(raw);
            // A refused credential (a setting to fix) is not helped by a token refresh.
            if (error.code !== 'auth' || refreshed || error.setting) throw error;
            refreshed = true;
            try {
              // Marking the token expired makes the library mint a new one (JWT) or redeem the
              // refresh token (user mode) instead of serving it from its cache.
              session.auth.credentials = { ...session.auth.credentials, expiry_date: 1 };
              await session.auth.getAccessToken();
            } catch (refreshError) {
              throw toProviderError(refreshError);
            }
            throw new SyncError('transient', 'retrying with a refreshed token', { retryAfterMs: 0 });
          }
        },
        toProviderError,
        this.retry,
        (error, delay) => {
          if (error.code === 'rate-limited') limiter.pause(address, delay);
        },
      );
      if (this.statuses.get(address) !== 'connected') this.statuses.set(address, 'connected');
      return result;
    } catch (raw) {
      const error = toProviderError(raw);
      // "Retry after <time>" beyond what a call may wait: nothing else of this user goes before it.
      if (error.code === 'rate-limited' && error.retryAfterMs !== null) limiter.pause(address, error.retryAfterMs);
      if (error.code === 'auth') this.statuses.set(address, 'revoked');
      else if (error.retryable) this.statuses.set(address, 'failing');
      throw error;
    }
  }

  async listMailboxes(): Promise<Mailbox[]> {
    const out: Mailbox[] = [];
    let users = this.config.users;
    if (!this.userAuth && !users.length && this.config.directory) {
      try {
        users = await listDirectoryUsers(this.config.serviceAccount!, this.config.directory, this.config.tokenOrigin);
      } catch (error) {
        throw toProviderError(error);
      }
    }
    for (const raw of users) {
      const address = raw.toLowerCase();
      // A user who withdrew consent waits for `connect`; a company-wide mailbox refused once
      // (delegation revoked, user suspended) is tried again each round, as Graph's are.
      if (this.userAuth && this.statuses.get(address) === 'revoked') continue;
      if (this.userAuth && !(await this.userAuth.isConnected(address))) continue;
      out.push({ id: address, address });
    }
    return out;
  }

  /**
   * `messages.get` for many ids through batches; a part that failed with a retryable status
   * (or could not be read) is asked again, a 404 is dropped.
   */
  private async getMany(address: string, ids: readonly string[], format: 'metadata' | 'full'): Promise<Map<string, GmailMessage>> {
    const out = new Map<string, GmailMessage>();
    const size = this.config.batchSize ?? 50;
    const cost = this.config.getCost ?? 5;
    for (let start = 0; start < ids.length; start += size) {
      let pending = ids.slice(start, start + size);
      for (let attempt = 1; pending.length > 0; attempt++) {
        const paths = pending.map((id) => `/gmail/v1/users/${encodeURIComponent(address)}/messages/${encodeURIComponent(id)}?format=${format}`);
        const { contentType, body } = buildBatch(paths);
        const res = await this.call(address, cost * paths.length, (s) =>
          s.auth.request<string>({
            url: `${this.rootUrl}batch/gmail/v1`,
            method: 'POST',
            headers: { 'Content-Type': contentType },
            data: body,
            responseType: 'text',
            retry: false,
            timeout: this.config.requestTimeoutMs ?? 30_000,
          }),
        );
        const parts = parseBatch(String(res.headers.get?.('content-type') ?? ''), String(res.data));
        const retry: string[] = [];
        let waitMs = 0;
        pending.forEach((id, i) => {
          const part = parts.get(i);
          if (part?.status === 200) {
            const parsed = gmailMessage.safeParse(part.body);
            if (parsed.success) {
              out.set(id, parsed.data);
              return;
            }
          }
          const error = part ? googleStatusError(part.status, part.body, part.headers) : new SyncError('transient', 'batch part missing');
          if (error.code === 'not-found') return;
          if (part?.status === 200) retry.push(id);
          else if (error.retryable && waitsTooLong(error, this.retry)) {
            this.limiter.pause(address, error.retryAfterMs!);
            throw error;
          } else if (!error.retryable || attempt >= this.retry.maxAttempts) throw error;
          else retry.push(id);
          waitMs = Math.max(waitMs, error.retryAfterMs ?? this.retry.baseDelayMs * 2 ** (attempt - 1));
        });
        if (retry.length > 0 && attempt >= this.retry.maxAttempts) throw new SyncError('transient', 'batch items kept failing');
        pending = retry;
        if (pending.length > 0) this.limiter.pause(address, waitMs);
      }
    }
    return out;
  }

  async *scan(mailbox: Mailbox, folder: ScanFolder, cursor: string | null, opts: ScanOptions): AsyncIterable<ScanPage> {
    const label = LABELS[folder];
    const seen = new Set<string>();
    let state = parseCursor(cursor);
    let resyncs = 0;
    const metas = async (ids: string[]): Promise<MessageMeta[]> => {
      const fresh = ids.filter((id) => !seen.has(id));
      const got = await this.getMany(mailbox.address, fresh, 'metadata');
      const out: MessageMeta[] = [];
      for (const id of fresh) {
        const m = got.get(id);
        if (!m || seen.has(id)) continue;
        seen.add(id);
        out.push(toMessageMeta(m, folder));
      }
      return out;
    };

    for (;;) {
      if (!state || state.full) {
        // Full sync, bounded by the backfill window; the profile's history id taken first
        // makes sure nothing delivered during the listing is missed next time.
        const historyId =
          state?.historyId ??
          profile.parse((await this.call(mailbox.address, COST.profile, (s) => s.api.users.getProfile({ userId: mailbox.address }))).data)
            .historyId;
        let pageToken = state?.pageToken ?? null;
        for (;;) {
          const token: string | null = pageToken;
          const page = await this.call(mailbox.address, COST.list, async (s) =>
            listPage.parse(
              (
                await s.api.users.messages.list({
                  userId: mailbox.address,
                  labelIds: [label],
                  q: `after:${Math.floor(opts.since.getTime() / 1000)}`,
                  maxResults: this.config.pageSize ?? 500,
                  pageToken: token ?? undefined,
                })
              ).data,
            ),
          );
          const messages = await metas((page.messages ?? []).map((m) => m.id));
          pageToken = page.nextPageToken ?? null;
          yield { messages, removedIds: [], cursor: pageToken ? `f:${historyId}:${pageToken}` : `h:${historyId}` };
          if (!pageToken) return;
        }
      }
      let pageToken: string | null = null;
      const start = state.historyId;
      try {
        for (;;) {
          const token: string | null = pageToken;
          const page: HistoryPage = await this.call(mailbox.address, COST.history, async (s) =>
            historyPage.parse(
              (
                await s.api.users.history.list({
                  userId: mailbox.address,
                  startHistoryId: start,
                  labelId: label,
                  // labelAdded: mail moved into the folder from elsewhere (Archive, Spam) is new to it.
                  historyTypes: ['messageAdded', 'messageDeleted', 'labelAdded'],
                  maxResults: this.config.pageSize ?? 500,
                  pageToken: token ?? undefined,
                })
              ).data,
            ),
          );
          const added: string[] = [];
          const removedIds: string[] = [];
          for (const record of page.history ?? []) {
            for (const a of record.messagesAdded ?? []) if ((a.message.labelIds ?? [label]).includes(label)) added.push(a.message.id);
            for (const l of record.labelsAdded ?? []) if ((l.labelIds ?? []).includes(label)) added.push(l.message.id);
            // Trashing (labelsAdded TRASH) is not a removal: imported mail stays logged
            // (docs/rules.md); only a permanent delete is reported. Records carrying only
            // `messages[]` say nothing typed and are passed over.
            for (const d of record.messagesDeleted ?? []) removedIds.push(d.message.id);
          }
          const removed = new Set(removedIds);
          const messages = await metas([...new Set(added)].filter((id) => !removed.has(id)));
          pageToken = page.nextPageToken ?? null;
          const lastRecord = page.history?.at(-1)?.id;
          const next = pageToken ? `h:${lastRecord ?? start}` : `h:${page.historyId}`;
          yield { messages, removedIds: [...removed], cursor: next };
          if (!pageToken) return;
        }
      } catch (error) {
        const e = toProviderError(error);
        // history.list 404: the start id is older than Google keeps; resync the window.
        if (e.code === 'not-found' && pageToken === null && resyncs < (this.config.maxResyncs ?? 2)) {
          resyncs += 1;
          state = null;
          continue;
        }
        throw e;
      }
    }
  }

  async fetchMessageMeta(mailbox: Mailbox, ref: MessageRef): Promise<MessageMeta | null> {
    let ids: string[];
    if ('id' in ref) {
      ids = [ref.id];
    } else {
      // `rfc822msgid:` finds a message by its Message-ID header; spam and trash are searched too,
      // so a deleted copy is found and explained as such.
      const id = ref.messageId.trim().replace(/^<|>$/g, '');
      const page = await this.call(mailbox.address, COST.list, async (s) =>
        listPage.parse((await s.api.users.messages.list({ userId: mailbox.address, q: `rfc822msgid:${id}`, includeSpamTrash: true, maxResults: 10 })).data),
      );
      ids = (page.messages ?? []).map((m) => m.id);
    }
    if (!ids.length) return null;
    const got = await this.getMany(mailbox.address, ids, 'metadata');
    const metas = ids.flatMap((id) => {
      const m = got.get(id);
      return m ? [toMessageMeta(m, folderOfLabels(m.labelIds ?? []))] : [];
    });
    return metas.find((m) => m.folder === 'inbox' || m.folder === 'sent') ?? metas[0] ?? null;
  }

  /**
   * Late matching: `messages.list` with a `q` of the search operators Gmail documents
   * (support.google.com/mail/answer/7190: from:, to:, cc:, bcc:, OR, ( ) grouping, after:) and
   * `after:` in epoch seconds, which the Gmail API filtering guide recommends over a date
   * (developers.google.com/gmail/api/guides/filtering: dates are read at midnight PST). Spam and
   * trash are left out by default; drafts are dropped by the pipeline.
   */
  async searchMessages(mailbox: Mailbox, query: ParticipantQuery): Promise<MessageMeta[]> {
    const q = gmailParticipantQuery(query);
    const ids: string[] = [];
    let pageToken: string | null = null;
    do {
      const token: string | null = pageToken;
      const page: z.infer<typeof listPage> = await this.call(mailbox.address, COST.list, async (s) =>
        listPage.parse((await s.api.users.messages.list({ userId: mailbox.address, q, maxResults: this.config.pageSize ?? 500, pageToken: token ?? undefined })).data),
      );
      for (const m of page.messages ?? []) ids.push(m.id);
      pageToken = page.nextPageToken ?? null;
    } while (pageToken);
    if (!ids.length) return [];
    const got = await this.getMany(mailbox.address, ids, 'metadata');
    return ids.flatMap((id) => {
      const m = got.get(id);
      return m ? [toMessageMeta(m, folderOfLabels(m.labelIds ?? []))] : [];
    });
  }

  async fetchBodies(mailbox: Mailbox, ids: readonly string[]): Promise<Map<string, MessageBody>> {
    const got = await this.getMany(mailbox.address, [...new Set(ids)], 'full');
    const out = new Map<string, MessageBody>();
    for (const [id, m] of got) out.set(id, toMessageBody(m));
    return out;
  }

  /**
   * `doctor`, company mode: a token minted for `subject` through domain-wide delegation proves
   * the service account key; Google refuses a subject it does not know with `Invalid email or
   * User ID`, which is `not-found` here (the mailbox, not the key, is at fault).
   */
  async checkCredentials(subject: string): Promise<void> {
    if (this.userAuth) return;
    try {
      await delegatedJwt(this.config.serviceAccount!, subject, this.config.tokenOrigin).getAccessToken();
    } catch (error) {
      const description = (error as { response?: { data?: { error_description?: unknown } } }).response?.data?.error_description;
      if (typeof description === 'string' && /invalid email or user id/i.test(description)) throw new SyncError('not-found', `google: no user ${subject}`, { cause: error });
      throw toProviderError(error);
    }
  }

  /** `doctor`: the mailbox at `address`, null when Google knows no such user (or, user mode, they never connected). */
  async findMailbox(address: string): Promise<Mailbox | null> {
    const mailbox = { id: address.toLowerCase(), address: address.toLowerCase() };
    if (this.userAuth) return (await this.userAuth.isConnected(address)) ? mailbox : null;
    try {
      await this.checkCredentials(address);
      return mailbox;
    } catch (error) {
      if (toProviderError(error).code === 'not-found') return null;
      throw error;
    }
  }

  /** `doctor`: one call of a kind the sync makes (the smallest page of it); a note when there was nothing to try. */
  async probe(kind: MailProbe, mailbox?: Mailbox): Promise<string | null> {
    if (kind === 'list-users' || kind === 'list-group-members') {
      const directory = this.config.directory;
      if (!directory) return 'no directory configured';
      try {
        await listDirectoryUsers(this.config.serviceAccount!, kind === 'list-users' ? { ...directory, group: undefined } : directory, this.config.tokenOrigin);
      } catch (error) {
        throw toProviderError(error);
      }
      return null;
    }
    if (!mailbox) return 'no mailbox to try';
    const userId = mailbox.address;
    await this.call(userId, COST.profile, (s) => s.api.users.getProfile({ userId }));
    const firstIds: string[] = [];
    for (const label of Object.values(LABELS)) {
      const page = listPage.parse((await this.call(userId, COST.list, (s) => s.api.users.messages.list({ userId, labelIds: [label], maxResults: 1 }))).data);
      if (page.messages?.[0]) firstIds.push(page.messages[0].id);
    }
    if (kind === 'read-folders') return null;
    if (!firstIds.length) return 'no message in Inbox or Sent to read';
    await this.call(userId, this.config.getCost ?? 5, (s) => s.api.users.messages.get({ userId, id: firstIds[0]!, format: 'metadata' }));
    return null;
  }

  /**
   * The user's primary calendar (events.list with sync tokens), through the same auth session
   * and retries as the mail; the Calendar API's own per-user quota has its own limiter.
   */
  readCalendar(mailbox: { id: string; address: string }, cursor: string | null, window: CalendarWindow): AsyncIterable<CalendarPage> {
    const rootUrl = (this.config.calendarRootUrl ?? 'https://www.googleapis.com/').replace(/\/?$/, '/');
    return readGoogleCalendar(
      (fn) =>
        this.call(
          mailbox.address,
          1,
          (s) => {
            s.calendar ??= calendar({
              version: 'v3',
              auth: s.auth as unknown as calendar_v3.Options['auth'],
              rootUrl,
              retry: false,
              timeout: this.config.requestTimeoutMs ?? 30_000,
            });
            return fn(s.calendar);
          },
          this.calendarLimiter,
        ),
      mailbox,
      cursor,
      window,
      { pageSize: this.config.calendarPageSize ?? 250, maxResyncs: this.config.maxResyncs ?? 2 },
    );
  }

  async close(): Promise<void> {
    await this.calendarLimiter.stop();
    await this.limiter.stop();
  }
}

/** The `q` of a late-match search: the key as any participant, received since the window start. */
export function gmailParticipantQuery(query: ParticipantQuery): string {
  const k = query.key;
  return `(from:${k} OR to:${k} OR cc:${k} OR bcc:${k}) after:${Math.floor(query.since.getTime() / 1000)}`;
}
