/**
 * MailProvider for Microsoft 365 through the Graph SDK and MSAL: mailboxes (company-wide or
 * user-by-user), per-folder delta scans of metadata, bodies in `$batch`es of 20, with per-mailbox
 * limits, Retry-After, backoff, 401 → refresh once → revoked.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Mailbox, MailProvider, MessageRef, ParticipantQuery, ScanFolder, ScanOptions, ScanPage } from '../../core/ports.js';
import type { Folder, MessageBody, MessageMeta } from '../../core/types.js';
import { ConnectionStatuses, type ConnectionStatus, type StatusListener } from '../common/connection-status.js';
import { MailboxLimiter, type RateLimit } from '../common/mailbox-limiter.js';
import { SyncError } from '../../core/sync-error.js';
import { DEFAULT_RETRY, waitsTooLong, withRetries, type RetryOptions } from '../common/retry-policy.js';
import { MemoryTokenStore, type TokenStore } from '../common/token-store.js';
import { graphStatusError, toProviderError } from './graph-errors.js';
import { graphMessageRow, graphPage, toMessageMeta, type GraphMessageRow } from './graph-mapper.js';
import { AppTokenSource, DelegatedAuth, delegatedScopes, type GraphAuthConfig, type TokenSource } from './graph-tokens.js';
import type { CalendarPage, CalendarProvider, CalendarWindow } from '../../core/meeting.js';
import { readGraphCalendar } from './graph-calendar.js';
import { createGraphClient, linkToPath } from './graph-transport.js';
import type { MailProbe } from '../common/mail-probe.js';

export interface GraphProviderConfig {
  auth: GraphAuthConfig;
  /** company: app-only over all users (or `users`); user: delegated, one consent per user. */
  mode: 'company' | 'user';
  /** Company mode: the subset to scan (all when absent). User mode: the invited users. */
  users?: string[];
  /** Company mode: scan the members of this security group (its object id) instead of all users. */
  group?: string;
  /** Default `https://graph.microsoft.com`. */
  baseUrl?: string;
  tokenStore?: TokenStore;
  /** Per mailbox; default 10,000 requests / 10 min and 4 concurrent (used at 75%). */
  limits?: Partial<RateLimit>;
  retry?: Partial<RetryOptions>;
  requestTimeoutMs?: number;
  /** `Prefer: odata.maxpagesize` for delta pages (default 500). */
  pageSize?: number;
  /** Resyncs allowed per scan after an expired cursor (default 2). */
  maxResyncs?: number;
  onStatus?: StatusListener;
  /** Meetings are read too: user mode's consent also asks for `Calendars.Read`. */
  calendar?: boolean;
  /** `Prefer: odata.maxpagesize` for calendar delta pages (default 100). */
  calendarPageSize?: number;
}

const SELECT = [
  'id', 'from', 'sender', 'toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo', 'subject',
  'internetMessageId', 'conversationId', 'receivedDateTime', 'sentDateTime', 'internetMessageHeaders',
  'isDraft', 'parentFolderId',
];
const FOLDERS: Record<ScanFolder, string> = { inbox: 'inbox', sent: 'sentitems' };
/** Well-known folder names a message's `parentFolderId` is compared with (any other is `other`). */
const WELL_KNOWN: readonly [string, Folder][] = [
  ['inbox', 'inbox'], ['sentitems', 'sent'], ['drafts', 'drafts'], ['deleteditems', 'deleted'], ['junkemail', 'junk'],
];
const BATCH_SIZE = 20;
/** Limiter key of tenant-wide calls (`/users`), which belong to no mailbox. */
const TENANT = '__tenant__';

/** A delta row without the properties every new row carries (`receivedDateTime` is always selected). */
function isSparseRow(item: unknown): boolean {
  return typeof item === 'object' && item !== null && !('receivedDateTime' in item);
}

interface BatchItemResult {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: { body?: { contentType?: string; content?: string } };
}

export class GraphProvider implements MailProvider, CalendarProvider {
  readonly kind = 'graph' as const;
  private readonly limiter: MailboxLimiter;
  private readonly retry: RetryOptions;
  private readonly statuses: ConnectionStatuses;
  private readonly appTokens: AppTokenSource | null;
  readonly delegated: DelegatedAuth | null;
  private readonly clients = new Map<string, { client: Client; tokens: TokenSource }>();

  constructor(private readonly config: GraphProviderConfig) {
    this.limiter = new MailboxLimiter({ limit: 10_000, windowMs: 600_000, concurrency: 4, ...config.limits });
    this.retry = { ...DEFAULT_RETRY, ...config.retry };
    this.statuses = new ConnectionStatuses(config.onStatus);
    this.appTokens = config.mode === 'company' ? new AppTokenSource(config.auth) : null;
    this.delegated =
      config.mode === 'user' ? new DelegatedAuth(config.auth, config.tokenStore ?? new MemoryTokenStore(), delegatedScopes(config.calendar ?? false)) : null;
    for (const u of config.mode === 'user' ? (config.users ?? []) : []) this.statuses.set(u, 'invited');
  }

  /** invited, connected, revoked or failing; undefined for a mailbox never seen. */
  connectionStatus(address: string): ConnectionStatus | undefined {
    return this.statuses.get(address);
  }

  connectionStatuses(): Record<string, ConnectionStatus> {
    return this.statuses.all();
  }

  /** User mode: the consent URL for one user (PKCE verifier to keep until the redirect). */
  async authorizationUrl(address: string, redirectUri: string, state?: string): Promise<{ url: string; codeVerifier: string }> {
    if (!this.delegated) throw new SyncError('bad-input', 'authorization is for user-by-user mode');
    return this.delegated.authorizationUrl(address, redirectUri, state);
  }

  /** User mode: redeems the redirect's code; the user becomes `connected`. */
  async completeAuthorization(address: string, code: string, codeVerifier: string, redirectUri: string): Promise<void> {
    if (!this.delegated) throw new SyncError('bad-input', 'authorization is for user-by-user mode');
    await this.delegated.completeAuthorization(address, code, codeVerifier, redirectUri);
    this.clients.delete(address.toLowerCase());
    this.statuses.set(address, 'connected');
  }

  private session(address: string): { client: Client; tokens: TokenSource } {
    const key = address.toLowerCase();
    let session = this.clients.get(key);
    if (!session) {
      const tokens = this.appTokens ?? this.delegated!.source(key);
      const client = createGraphClient(tokens, {
        baseUrl: this.config.baseUrl ?? 'https://graph.microsoft.com',
        timeoutMs: this.config.requestTimeoutMs ?? 30_000,
      });
      session = { client, tokens };
      this.clients.set(key, session);
    }
    return session;
  }

  /**
   * One API call for a mailbox, through its limiter, retried on 429/5xx/timeouts; a 401 refreshes
   * the token once, a second one (or a refused refresh) marks the mailbox revoked.
   */
  private async call<T>(mailbox: string, fn: (client: Client) => Promise<T>, opts: { cost?: number; slots?: number } = {}): Promise<T> {
    const session = this.session(mailbox);
    let refreshed = false;
    try {
      const result = await withRetries(
        async () => {
          try {
            // The token first, outside the SDK: its middleware chain would turn a refused
            // credential into an anonymous "graph -1" error, retried as transient.
            await session.tokens.token();
            return await this.limiter.run(mailbox, () => fn(session.client), opts);
          } catch (raw) {
            const error = toProviderError(raw);
            // A refused credential (a setting to fix) is not helped by a token refresh.
            if (error.code !== 'auth' || refreshed || error.setting) throw error;
            refreshed = true;
            await session.tokens.refresh();
            throw new SyncError('transient', 'retrying with a refreshed token', { retryAfterMs: 0 });
          }
        },
        toProviderError,
        this.retry,
        (error, delay) => {
          if (error.code === 'rate-limited' && error.retryAfterMs !== null) this.limiter.pause(mailbox, delay);
        },
      );
      if (mailbox !== TENANT && this.statuses.get(mailbox) !== 'connected') this.statuses.set(mailbox, 'connected');
      return result;
    } catch (raw) {
      const error = toProviderError(raw);
      // A wait longer than a call may spend: nothing else of this mailbox goes before it either.
      if (error.code === 'rate-limited' && error.retryAfterMs !== null) this.limiter.pause(mailbox, error.retryAfterMs);
      throw this.settle(mailbox, error);
    }
  }

  /** Records what a final failure means for the mailbox's connection status. */
  private settle(mailbox: string, error: SyncError): SyncError {
    if (mailbox === TENANT) return error;
    if (error.code === 'auth') this.statuses.set(mailbox, 'revoked');
    else if (error.retryable) this.statuses.set(mailbox, 'failing');
    return error;
  }

  async listMailboxes(): Promise<Mailbox[]> {
    if (this.config.mode === 'user') {
      const out: Mailbox[] = [];
      for (const address of this.config.users ?? []) {
        const status = this.statuses.get(address);
        if (status === 'revoked') continue;
        if (await this.delegated!.isConnected(address)) {
          if (status === 'invited' || status === undefined) this.statuses.set(address, 'connected');
          out.push({ id: address.toLowerCase(), address: address.toLowerCase() });
        }
      }
      return out;
    }
    const wanted = this.config.users ? new Set(this.config.users.map((u) => u.toLowerCase())) : null;
    const out: Mailbox[] = [];
    const listing = this.config.group ? `/groups/${encodeURIComponent(this.config.group)}/members/microsoft.graph.user` : '/users';
    let path: string | null = `${listing}?$select=id,mail,userPrincipalName,displayName,accountEnabled&$top=999`;
    while (path) {
      const current: string = path;
      const page = graphPage.parse(await this.call(TENANT, (c) => c.api(current).get()));
      for (const raw of page.value) {
        const u = raw as { id: string; mail?: string | null; userPrincipalName?: string; displayName?: string; accountEnabled?: boolean };
        const address = (u.mail ?? u.userPrincipalName ?? '').toLowerCase();
        if (!address || u.accountEnabled === false) continue;
        if (wanted && !wanted.has(address)) continue;
        out.push({ id: u.id, address, displayName: u.displayName });
      }
      path = page['@odata.nextLink'] ? linkToPath(page['@odata.nextLink']) : null;
    }
    return out;
  }

  async *scan(mailbox: Mailbox, folder: ScanFolder, cursor: string | null, opts: ScanOptions): AsyncIterable<ScanPage> {
    const pageSize = this.config.pageSize ?? 500;
    const initial = `/users/${encodeURIComponent(mailbox.id)}/mailFolders/${FOLDERS[folder]}/messages/delta`;
    const since = opts.since.toISOString().replace(/\.\d{3}Z$/, 'Z');
    let link: string | null = cursor;
    let resyncs = 0;
    // Ids already handed out in this scan: a resync or a replayed change never repeats one.
    const seen = new Set<string>();
    for (;;) {
      let raw: unknown;
      try {
        const current = link;
        raw = await this.call(mailbox.address, (c) => {
          const request = current
            ? c.api(linkToPath(current))
            : c.api(initial).select(SELECT).filter(`receivedDateTime ge ${since}`);
          return request.header('Prefer', `odata.maxpagesize=${pageSize}`).get();
        });
      } catch (error) {
        const e = toProviderError(error);
        if (e.code === 'invalid-cursor' && link !== null && resyncs < (this.config.maxResyncs ?? 2)) {
          // Bounded full resync: back to the backfill window, not the whole mailbox.
          resyncs += 1;
          link = null;
          continue;
        }
        throw e;
      }
      const page = graphPage.parse(raw);
      const messages: MessageMeta[] = [];
      const removedIds: string[] = [];
      for (const item of page.value) {
        const row = graphMessageRow.parse(item);
        if (row['@removed']) {
          removedIds.push(row.id);
          continue;
        }
        // An update in place (a read toggle) comes as a sparse row, only `id`, `isRead`,
        // `parentFolderId` (microsoft-graph-docs#7776): not a message, nothing to import.
        if (isSparseRow(item)) continue;
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        messages.push(toMessageMeta(row, folder));
      }
      const next = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
      if (!next) throw new SyncError('bad-input', 'delta page without nextLink or deltaLink');
      yield { messages, removedIds, cursor: next };
      if (!page['@odata.nextLink']) return;
      link = next;
    }
  }

  async fetchBodies(mailbox: Mailbox, ids: readonly string[]): Promise<Map<string, MessageBody>> {
    const bodies = new Map<string, MessageBody>();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += BATCH_SIZE) {
      let pending = unique.slice(start, start + BATCH_SIZE);
      for (let attempt = 1; pending.length > 0; attempt++) {
        const requests = pending.map((id, i) => ({
          id: String(i + 1),
          method: 'GET',
          url: `/users/${encodeURIComponent(mailbox.id)}/messages/${encodeURIComponent(id)}?$select=body`,
          headers: { Prefer: 'outlook.body-content-type="text"' },
        }));
        const result = (await this.call(mailbox.address, (c) => c.api('/$batch').post({ requests }), {
          cost: requests.length,
          slots: Math.min(4, requests.length),
        })) as { responses?: BatchItemResult[] };
        const retry: string[] = [];
        let waitMs = 0;
        for (const item of result.responses ?? []) {
          const id = pending[Number(item.id) - 1];
          if (id === undefined) continue;
          if (item.status === 200) {
            const body = item.body?.body;
            const isText = body?.contentType?.toLowerCase() === 'text';
            bodies.set(id, { text: isText ? (body?.content ?? '') : null, html: isText ? null : (body?.content ?? '') });
            continue;
          }
          const error = graphStatusError(item.status, null, item.headers ?? {});
          if (error.code === 'not-found') continue;
          if (error.retryable && waitsTooLong(error, this.retry)) this.limiter.pause(mailbox.address, error.retryAfterMs!);
          if (!error.retryable || attempt >= this.retry.maxAttempts || waitsTooLong(error, this.retry)) throw this.settle(mailbox.address, error);
          retry.push(id);
          waitMs = Math.max(waitMs, error.retryAfterMs ?? this.retry.baseDelayMs * 2 ** (attempt - 1));
        }
        pending = retry;
        if (pending.length > 0) {
          this.limiter.pause(mailbox.address, waitMs);
        }
      }
    }
    return bodies;
  }

  /**
   * Late matching: `$search` with KQL over each scanned folder (learn.microsoft.com/graph/
   * search-query-parameter: `participants:` covers from, to, cc and bcc; `received>=` bounds the
   * date). `$search` cannot be combined with `$filter` or `$orderby` on messages, so the date
   * goes into the KQL; it returns at most 1,000 results, paged with nextLink. No
   * `ConsistencyLevel` header: that is for directory objects only.
   */
  async searchMessages(mailbox: Mailbox, query: ParticipantQuery): Promise<MessageMeta[]> {
    const search = graphParticipantSearch(query);
    const out: MessageMeta[] = [];
    for (const folder of ['inbox', 'sent'] as const) {
      let link: string | null = null;
      do {
        const current: string | null = link;
        const raw = await this.call(mailbox.address, (c) =>
          current
            ? c.api(linkToPath(current)).get()
            : c.api(`/users/${encodeURIComponent(mailbox.id)}/mailFolders/${FOLDERS[folder]}/messages`).search(search).select(SELECT).top(100).get(),
        );
        const page = graphPage.parse(raw);
        for (const item of page.value) out.push(toMessageMeta(graphMessageRow.parse(item), folder));
        link = page['@odata.nextLink'] ?? null;
      } while (link);
    }
    return out;
  }

  async fetchMessageMeta(mailbox: Mailbox, ref: MessageRef): Promise<MessageMeta | null> {
    const base = `/users/${encodeURIComponent(mailbox.id)}`;
    let rows: GraphMessageRow[];
    if ('id' in ref) {
      try {
        const raw = await this.call(mailbox.address, (c) => c.api(`${base}/messages/${encodeURIComponent(ref.id)}`).select(SELECT).get());
        rows = [graphMessageRow.parse(raw)];
      } catch (error) {
        if (toProviderError(error).code === 'not-found') return null;
        throw error;
      }
    } else {
      // Over the whole mailbox, every folder: one email can have several copies (inbox and sent,
      // deleted items). Graph compares the full value, angle brackets included.
      const id = ref.messageId.trim().replace(/^<?/, '<').replace(/>?$/, '>');
      const raw = await this.call(mailbox.address, (c) =>
        c.api(`${base}/messages`).select(SELECT).filter(`internetMessageId eq '${id.replaceAll("'", "''")}'`).top(10).get(),
      );
      rows = graphPage.parse(raw).value.map((v) => graphMessageRow.parse(v));
    }
    if (!rows.length) return null;
    const folders = await this.wellKnownFolderIds(mailbox);
    const metas = rows.map((row) => toMessageMeta(row, folders.get(row.parentFolderId ?? '') ?? 'other'));
    return metas.find((m) => m.folder === 'inbox' || m.folder === 'sent') ?? metas[0]!;
  }

  /** Folder id → well-known folder of a mailbox (ids are opaque: Graph resolves the names). */
  private async wellKnownFolderIds(mailbox: Mailbox): Promise<Map<string, Folder>> {
    const out = new Map<string, Folder>();
    for (const [name, folder] of WELL_KNOWN) {
      try {
        const raw = (await this.call(mailbox.address, (c) =>
          c.api(`/users/${encodeURIComponent(mailbox.id)}/mailFolders/${name}`).select(['id']).get(),
        )) as { id?: string };
        if (raw.id) out.set(raw.id, folder);
      } catch (error) {
        if (toProviderError(error).code !== 'not-found') throw error;
      }
    }
    return out;
  }

  /** `doctor`: company mode mints an app-only token (user mode has no app-level grant to try). */
  async checkCredentials(): Promise<void> {
    await this.appTokens?.token();
  }

  /** `doctor`: the directory's user at `address`, null when there is none (404). */
  async findMailbox(address: string): Promise<Mailbox | null> {
    if (this.config.mode === 'user') return (await this.delegated!.isConnected(address)) ? { id: address.toLowerCase(), address: address.toLowerCase() } : null;
    try {
      const u = (await this.call(TENANT, (c) => c.api(`/users/${encodeURIComponent(address)}`).select(['id', 'mail', 'userPrincipalName']).get())) as { id: string };
      return { id: u.id, address: address.toLowerCase() };
    } catch (error) {
      if (toProviderError(error).code === 'not-found') return null;
      throw error;
    }
  }

  /**
   * `doctor`: one call of a kind the sync makes (the smallest page of it), so a refused
   * permission shows as that kind's SyncError. Returns a note when there was nothing to try.
   */
  async probe(kind: MailProbe, mailbox?: Mailbox): Promise<string | null> {
    if (kind === 'list-users' || kind === 'list-group-members') {
      const listing = kind === 'list-users' ? '/users' : `/groups/${encodeURIComponent(this.config.group ?? '')}/members/microsoft.graph.user`;
      await this.call(TENANT, (c) => c.api(`${listing}?$select=id&$top=1`).get());
      return null;
    }
    if (!mailbox) return 'no mailbox to try';
    const firstIds: string[] = [];
    for (const folder of Object.values(FOLDERS)) {
      const path = `/users/${encodeURIComponent(mailbox.id)}/mailFolders/${folder}/messages/delta`;
      const page = graphPage.parse(await this.call(mailbox.address, (c) => c.api(path).select(['id']).header('Prefer', 'odata.maxpagesize=1').get()));
      const first = (page.value[0] as { id?: string } | undefined)?.id;
      if (first) firstIds.push(first);
    }
    if (kind === 'read-folders') return null;
    if (!firstIds.length) return 'no message in Inbox or Sent Items to read';
    await this.call(mailbox.address, (c) => c.api(`/users/${encodeURIComponent(mailbox.id)}/messages/${encodeURIComponent(firstIds[0]!)}`).select(['body']).get());
    return null;
  }

  /**
   * The mailbox's calendar (calendarView delta), through the same session, limiter and retries
   * as its mail: Outlook counts both against one per-mailbox budget (API_NOTES §8.3).
   */
  readCalendar(mailbox: { id: string; address: string }, cursor: string | null, window: CalendarWindow): AsyncIterable<CalendarPage> {
    return readGraphCalendar((fn) => this.call(mailbox.address, fn), mailbox, cursor, window, {
      pageSize: this.config.calendarPageSize ?? 100,
      maxResyncs: this.config.maxResyncs ?? 2,
    });
  }

  /** Stops the limiters (pending calls are dropped). */
  async close(): Promise<void> {
    await this.limiter.stop();
  }
}

/** The KQL of a late-match search, quoted as `$search` wants it. */
export function graphParticipantSearch(query: ParticipantQuery): string {
  return `"participants:${query.key} AND received>=${query.since.toISOString().slice(0, 10)}"`;
}
