/**
 * Graph's mail resources over the shared store: `/users`, mail folders (listed, or one by id or
 * well-known name), messages with `$select`, `$top`, `$filter` on `receivedDateTime`, folder delta
 * with next/delta links and `@removed` rows, the mailbox-wide `/messages` with `$filter` on
 * `internetMessageId`, single messages and their MIME (`/$value`).
 */
import type { Folder } from '../../core/types.js';
import type { EmulatorRequest, EmulatorResponse } from '../common/http-emulator.js';
import { aliveAt, folderAt, headerValue, type MailStore, type StoredMessage } from '../common/mail-store.js';
import { PageTokens } from '../common/page-tokens.js';
import { buildRawMessage } from '../common/raw-message.js';
import type { GraphPrincipal } from './graph-auth.js';
import { graphCalendarKind, type GraphCalendarApi } from './graph-calendar-api.js';
import { graphError } from './graph-errors.js';
import { parseMessageSearch } from './graph-kql.js';
import {
  FOLDER_NAMES,
  WELL_KNOWN_FOLDERS,
  folderId,
  graphMessageId,
  parseSelect,
  preferredBodyType,
  preferredPageSize,
  projectMessage,
  storeKey,
  type GraphQuirks,
} from './graph-message-view.js';

interface ReceivedFilter {
  op: 'ge' | 'gt';
  at: string;
}

interface DeltaState {
  mailbox: string;
  folder: Folder;
  select: string | null;
  filter: ReceivedFilter | null;
  fromSeq: number;
  /** Start of the previous round (null on the first): what a replay sends again. */
  replayFrom: number | null;
  toSeq: number;
  offset: number;
  pageSize: number;
  epoch: number;
}

/** `internetMessageId eq '<…>'`: exact match, every folder (the service can return several copies). */
interface MessageIdFilter {
  messageId: string;
}

interface DeltaRow {
  message: StoredMessage;
  kind: 'full' | 'sparse' | 'removed';
}

interface ListState {
  mailbox: string;
  /** null: the whole mailbox (`/users/{id}/messages`). */
  folder: Folder | null;
  select: string | null;
  filter: ReceivedFilter | MessageIdFilter | null;
  /** `$search` KQL value, when the listing is a search. */
  search: string | null;
  offset: number;
  top: number;
}

export interface GraphApiOptions {
  /** Security groups: id → member addresses (company-wide mode over a group's members). */
  groups?: Record<string, string[]>;
  /** Delta page size when no `Prefer: odata.maxpagesize` is sent. */
  defaultDeltaPageSize: number;
  quirks?: GraphQuirks;
  /** Call kinds (`users.list`, `messages.delta`, …) refused with 403, as a missing permission is. */
  denied?: Set<string>;
  /** The calendar routes (`calendarView/delta`, `events/{id}`). */
  calendar?: GraphCalendarApi;
}

/** Parsed route of a Graph request under `/v1.0`. */
export interface GraphRoute {
  kind: string;
  /** Mailbox (address) the request touches, for throttling; undefined for tenant-wide calls. */
  mailbox?: string;
}

// `/groups/{id}/members` and its cast to users, `/groups/{id}/members/microsoft.graph.user`.
const GROUP_MEMBERS = /^\/groups\/([^/]+)\/members(?:\/microsoft\.graph\.user)?\/?$/i;
const USER_PATH = /^\/(?:users\/([^/]+)|me)(\/.*)?$/i;
const FOLDER_SEGMENT = /^\/mailfolders(?:\/([^/]+)|\('([^']+)'\))(\/.*)?$/i;

/** A `$search` over messages returns up to 1,000 results (search-query-parameter docs). */
const SEARCH_MAX_RESULTS = 1_000;

function parseFilter(value: string | null): ReceivedFilter | null | 'invalid' {
  if (!value) return null;
  const m = /^\s*receivedDateTime\s+(ge|gt)\s+(\S+)\s*$/i.exec(value);
  if (!m || Number.isNaN(Date.parse(m[2] ?? ''))) return 'invalid';
  return { op: m[1]!.toLowerCase() as 'ge' | 'gt', at: new Date(m[2]!).toISOString() };
}

/**
 * `internetMessageId eq '<id@host>'` (OData string literal: a quote inside is doubled). The
 * service compares the whole value, angle brackets included; see microsoftgraph/microsoft-graph-docs
 * issue #6503 (the filter over `/users/{id}/messages`, three copies of one message returned).
 */
function parseMessageIdFilter(value: string | null): MessageIdFilter | null {
  if (!value) return null;
  const m = /^\s*internetMessageId\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(value);
  return m ? { messageId: m[1]!.replace(/''/g, "'") } : null;
}

function matchesFilter(m: StoredMessage, filter: ReceivedFilter | MessageIdFilter | null): boolean {
  if (!filter) return true;
  if ('messageId' in filter) return headerValue(m.headers, 'Message-ID') === filter.messageId;
  const at = Date.parse(m.receivedAt);
  const limit = Date.parse(filter.at);
  return filter.op === 'ge' ? at >= limit : at > limit;
}

/** The resource handlers; the emulator adds auth, throttling and faults around them. */
export class GraphApi {
  private readonly deltaTokens = new PageTokens<DeltaState>('');
  private readonly listTokens = new PageTokens<ListState>('');
  private readonly userTokens = new PageTokens<{ offset: number; top: number; select: string | null }>('');
  /** Delta epoch per mailbox/folder: bumping it invalidates every token issued before (expiry). */
  private readonly epochs = new Map<string, number>();
  /** Message ids whose body was served, per mailbox, in order. */
  readonly bodyRequests: { mailbox: string; id: string }[] = [];

  constructor(
    private readonly store: MailStore,
    private readonly options: GraphApiOptions,
  ) {}

  /** Invalidates delta tokens of a mailbox (all folders unless given), as a sync-state loss does. */
  expireDelta(mailbox?: string, folder?: Folder): void {
    const boxes = mailbox ? [mailbox.toLowerCase()] : this.store.mailboxes().map((b) => b.address);
    const folders: Folder[] = folder ? [folder] : ['inbox', 'sent', 'drafts', 'deleted', 'junk', 'other'];
    for (const b of boxes) for (const f of folders) this.epochs.set(`${b}/${f}`, this.epoch(b, f) + 1);
  }

  private epoch(mailbox: string, folder: Folder): number {
    return this.epochs.get(`${mailbox}/${folder}`) ?? 0;
  }

  /** Classifies a request path (under `/v1.0`) and names the mailbox it touches. */
  route(path: string, principal: GraphPrincipal | null): GraphRoute {
    if (/^\/\$batch$/i.test(path)) return { kind: 'batch' };
    if (/^\/users\/?$/i.test(path)) return { kind: 'users.list' };
    if (GROUP_MEMBERS.test(path)) return { kind: 'groups.members' };
    const user = USER_PATH.exec(path);
    if (!user) return { kind: 'unknown' };
    const who = user[1] ? decodeURIComponent(user[1]) : principal?.kind === 'user' ? principal.address : '';
    const mailbox = this.store.mailbox(who)?.address ?? who.toLowerCase();
    const rest = user[2] ?? '';
    let kind = 'user.get';
    const calendarKind = graphCalendarKind(rest);
    if (calendarKind) kind = calendarKind;
    else if (/\/messages\/delta$/i.test(rest)) kind = 'messages.delta';
    else if (/^\/mailfolders\/?$/i.test(rest)) kind = 'folders.list';
    else if (/^\/mailfolders\/[^/]+\/?$/i.test(rest)) kind = 'folders.get';
    else if (/\/messages\/?$/i.test(rest)) kind = 'messages.list';
    else if (/\/messages\/[^/]+\/\$value$/i.test(rest)) kind = 'message.value';
    else if (/\/messages\/[^/]+$/i.test(rest)) kind = 'message.get';
    else if (rest) kind = 'unknown';
    return { kind, mailbox };
  }

  /** Serves one request under `/v1.0`; `origin` builds absolute next/delta links. */
  serve(req: EmulatorRequest, path: string, principal: GraphPrincipal, origin: string): EmulatorResponse {
    const kind = this.route(path, principal).kind;
    if (this.options.denied?.has(kind)) {
      // Directory calls answer as Entra ID does, mailbox calls as Exchange does.
      return kind === 'users.list' || kind === 'groups.members'
        ? graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', req)
        : graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.', req);
    }
    if (/^\/users\/?$/i.test(path)) {
      if (principal.kind !== 'app') return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', req);
      return this.listUsers(req, origin);
    }
    const group = GROUP_MEMBERS.exec(path);
    if (group) {
      if (principal.kind !== 'app') return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', req);
      const members = this.options.groups?.[decodeURIComponent(group[1]!)];
      if (!members) return graphError(404, 'Request_ResourceNotFound', `Resource '${group[1]}' does not exist or one of its queried reference-property objects are not present.`, req);
      return this.listUsers(req, origin, members, path);
    }
    const user = USER_PATH.exec(path);
    if (!user) return graphError(400, 'BadRequest', `Resource not found for the segment '${path.split('/')[1] ?? ''}'.`, req);
    const who = user[1] ? decodeURIComponent(user[1]) : principal.kind === 'user' ? principal.address : null;
    if (who === null) return graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.', req);
    const box = this.store.mailbox(who);
    if (!box) return graphError(404, 'ErrorInvalidUser', `The requested user '${who}' is invalid.`, req);
    if (principal.kind === 'user' && principal.address !== box.address) {
      return graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.', req);
    }
    const rest = user[2] ?? '';
    if (rest === '' || rest === '/') {
      return { status: 200, body: { id: box.id, mail: box.address, userPrincipalName: box.address, displayName: box.displayName } };
    }
    const calendarKind = graphCalendarKind(rest);
    if (calendarKind && this.options.calendar) return this.options.calendar.serve(req, calendarKind, box, rest, origin);
    if (/^\/mailfolders\/?$/i.test(rest)) return this.listFolders(box.address);
    if (/^\/messages\/?$/i.test(rest)) return this.listMessages(req, box.address, null, origin, path);
    const message = /^\/messages\/([^/]+)(\/\$value)?$/i.exec(rest);
    if (message) return this.getMessage(req, box.address, decodeURIComponent(message[1]!), Boolean(message[2]));
    const folderMatch = FOLDER_SEGMENT.exec(rest);
    if (folderMatch) {
      const name = decodeURIComponent(folderMatch[1] ?? folderMatch[2] ?? '');
      const folder = this.resolveFolder(box.address, name);
      if (!folder) return graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.', req);
      const tail = (folderMatch[3] ?? '').toLowerCase();
      if (tail === '' || tail === '/') return { status: 200, body: this.folderResource(box.address, folder) };
      if (tail === '/messages/delta') return this.delta(req, box.address, folder, origin, path);
      if (tail === '/messages' || tail === '/messages/') return this.listMessages(req, box.address, folder, origin, path);
    }
    return graphError(400, 'BadRequest', `Unsupported segment in '${path}'.`, req);
  }

  private resolveFolder(mailbox: string, name: string): Folder | undefined {
    const wellKnown = WELL_KNOWN_FOLDERS[name.toLowerCase()];
    if (wellKnown) return wellKnown;
    return (Object.keys(FOLDER_NAMES) as Folder[]).find((f) => folderId(mailbox, f) === name);
  }

  /** `/users`, or a group's members when `members` is given (same paging and `$select`). */
  private listUsers(req: EmulatorRequest, origin: string, members?: string[], path = '/users'): EmulatorResponse {
    const skip = req.query.get('$skiptoken');
    let state = { offset: 0, top: 100, select: req.query.get('$select') };
    if (skip) {
      const found = this.userTokens.resolve(skip);
      if (!found) return graphError(400, 'Directory_ExpiredPageToken', 'The specified page token value has expired and can no longer be included in your request.', req);
      state = found;
    } else if (req.query.has('$top')) {
      const top = Number(req.query.get('$top'));
      if (!Number.isInteger(top) || top < 1 || top > 999) {
        return graphError(400, 'Request_UnsupportedQuery', `Invalid page size specified: '${req.query.get('$top')}'. Must be between 1 and 999 inclusive.`, req);
      }
      state.top = top;
    }
    const memberSet = members ? new Set(members.map((m) => m.toLowerCase())) : null;
    const all = this.store.mailboxes().filter((b) => !memberSet || memberSet.has(b.address));
    const select = parseSelect(state.select);
    const value = all.slice(state.offset, state.offset + state.top).map((b) => {
      const full: Record<string, unknown> = {
        id: b.id, mail: b.address, userPrincipalName: b.address, displayName: b.displayName, accountEnabled: true,
      };
      if (!select) return full;
      return Object.fromEntries(Object.entries(full).filter(([k]) => k === 'id' || select.has(k)));
    });
    const body: Record<string, unknown> = { '@odata.context': `${origin}/v1.0/$metadata#users`, value };
    if (state.offset + state.top < all.length) {
      const token = this.userTokens.issue({ ...state, offset: state.offset + state.top });
      body['@odata.nextLink'] = `${origin}/v1.0${path}?$skiptoken=${token}`;
    }
    return { status: 200, body };
  }

  private folderResource(mailbox: string, f: Folder): Record<string, unknown> {
    return { id: folderId(mailbox, f), displayName: FOLDER_NAMES[f], totalItemCount: this.store.liveAt(mailbox).filter((m) => m.folder === f).length };
  }

  private listFolders(mailbox: string): EmulatorResponse {
    const value = (Object.keys(FOLDER_NAMES) as Folder[]).map((f) => this.folderResource(mailbox, f));
    return { status: 200, body: { value } };
  }

  private getMessage(req: EmulatorRequest, mailbox: string, id: string, raw: boolean): EmulatorResponse {
    const m = this.store.message(mailbox, storeKey(id));
    if (!m) return graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.', req);
    if (raw) {
      this.bodyRequests.push({ mailbox, id });
      return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: buildRawMessage(m) };
    }
    const select = parseSelect(req.query.get('$select'));
    if (!select || select.has('body') || select.has('uniqueBody')) this.bodyRequests.push({ mailbox, id });
    const type = preferredBodyType(req.headers.prefer);
    const headers: Record<string, string> = {};
    if (type === 'text') headers['Preference-Applied'] = 'outlook.body-content-type="text"';
    return { status: 200, headers, body: projectMessage(m, select, type, this.options.quirks) };
  }

  private listMessages(req: EmulatorRequest, mailbox: string, folder: Folder | null, origin: string, path: string): EmulatorResponse {
    const skip = req.query.get('$skiptoken');
    let state: ListState;
    if (skip) {
      const found = this.listTokens.resolve(skip);
      if (!found) return graphError(400, 'BadRequest', 'The skip token is invalid.', req);
      state = found;
    } else {
      const top = req.query.has('$top') ? Number(req.query.get('$top')) : 10;
      if (!Number.isInteger(top) || top < 1 || top > 1000) {
        return graphError(400, 'ErrorInvalidArgument', `Invalid page size specified: '${req.query.get('$top')}'. Must be between 1 and 1000 inclusive.`, req);
      }
      const search = req.query.get('$search');
      if (search !== null) {
        // $search on messages takes neither $filter nor $orderby (search-query-parameter docs);
        // its results come sorted by date, at most 1,000.
        if (req.query.has('$filter')) return graphError(400, 'ErrorInvalidUrlQuery', 'SearchWithFilter: $search cannot be combined with $filter on messages.', req);
        if (req.query.has('$orderby')) return graphError(400, 'ErrorInvalidUrlQuery', 'SearchWithOrderBy: $search cannot be combined with $orderby on messages.', req);
        const parsed = parseMessageSearch(search);
        if ('error' in parsed) return graphError(400, 'ErrorInvalidUrlQuery', `Invalid $search: ${parsed.error}`, req);
      }
      const raw = req.query.get('$filter');
      const filter = parseMessageIdFilter(raw) ?? parseFilter(raw);
      if (filter === 'invalid') return graphError(400, 'InefficientFilter', 'The restriction or sort order is too complex for this operation.', req);
      state = { mailbox, folder, select: req.query.get('$select'), filter, search, offset: 0, top };
    }
    const searched = state.search === null ? null : parseMessageSearch(state.search);
    const matchesSearch = searched && !('error' in searched) ? searched : () => true;
    let items = this.store
      .liveAt(mailbox)
      .filter((m) => (state.folder === null || m.folder === state.folder) && matchesFilter(m, state.filter) && matchesSearch(m))
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.createdSeq - a.createdSeq);
    if (state.search !== null) items = items.slice(0, SEARCH_MAX_RESULTS);
    const select = parseSelect(state.select);
    const value = items.slice(state.offset, state.offset + state.top).map((m) => projectMessage(m, select, 'html', this.options.quirks));
    const body: Record<string, unknown> = { '@odata.context': `${origin}/v1.0/$metadata#messages`, value };
    if (state.offset + state.top < items.length) {
      const token = this.listTokens.issue({ ...state, offset: state.offset + state.top });
      body['@odata.nextLink'] = `${origin}/v1.0${path}?$skiptoken=${token}`;
    }
    return { status: 200, body };
  }

  private delta(req: EmulatorRequest, mailbox: string, folder: Folder, origin: string, path: string): EmulatorResponse {
    const skip = req.query.get('$skiptoken');
    const deltaToken = req.query.get('$deltatoken');
    let state: DeltaState;
    const gone = () =>
      graphError(410, 'SyncStateNotFound', `The sync state generation is not found; generation=${this.epoch(mailbox, folder)}.`, req, {
        Location: `${origin}/v1.0${path}?$deltatoken=`,
      });
    if (skip || deltaToken) {
      const found = skip ? this.deltaTokens.resolve(skip) : this.deltaTokens.resolve(deltaToken ?? '');
      if (!found || found.mailbox !== mailbox || found.folder !== folder || found.epoch !== this.epoch(mailbox, folder)) return gone();
      // A delta token starts a new round: changes since it up to now.
      state = deltaToken ? { ...found, replayFrom: found.fromSeq, fromSeq: found.toSeq, toSeq: this.store.sequence, offset: 0 } : found;
      const size = preferredPageSize(req.headers.prefer);
      if (deltaToken && size) state.pageSize = Math.min(size, 1000);
    } else {
      // Delta takes $select, $top and the receivedDateTime $filter only (delta-query-messages docs).
      if (req.query.has('$search')) return graphError(400, 'ErrorInvalidUrlQuery', '$search is not supported on delta.', req);
      const filter = parseFilter(req.query.get('$filter'));
      if (filter === 'invalid') return graphError(400, 'BadRequest', 'Only receivedDateTime ge/gt filters are supported on delta.', req);
      state = {
        mailbox, folder, select: req.query.get('$select'), filter, fromSeq: 0, replayFrom: null, toSeq: this.store.sequence, offset: 0,
        pageSize: Math.min(preferredPageSize(req.headers.prefer) ?? this.options.defaultDeltaPageSize, 1000),
        epoch: this.epoch(mailbox, folder),
      };
    }
    const rows = this.deltaRows(state);
    const select = parseSelect(state.select);
    const value = rows.slice(state.offset, state.offset + state.pageSize).map((row) => {
      const type = { '@odata.type': '#microsoft.graph.message' };
      if (row.kind === 'removed') return { ...type, id: graphMessageId(row.message.key), '@removed': { reason: 'deleted' } };
      if (row.kind === 'sparse') {
        const full = projectMessage(row.message, new Set(['isRead', 'parentFolderId']), 'html', this.options.quirks);
        return { ...type, ...full };
      }
      return { ...type, ...projectMessage(row.message, select, 'html', this.options.quirks) };
    });
    // Links use the OData key syntax, as the service does, whatever form the request used.
    const linkBase = `${origin}/v1.0/users/${this.store.mailbox(mailbox)?.id}/mailFolders('${folderId(mailbox, folder)}')/messages/delta`;
    const body: Record<string, unknown> = { '@odata.context': `${origin}/v1.0/$metadata#Collection(message)`, value };
    if (state.offset + state.pageSize < rows.length) {
      body['@odata.nextLink'] = `${linkBase}?$skiptoken=${this.deltaTokens.issue({ ...state, offset: state.offset + state.pageSize })}`;
    } else {
      body['@odata.deltaLink'] = `${linkBase}?$deltatoken=${this.deltaTokens.issue({ ...state, offset: 0 })}`;
    }
    return { status: 200, body };
  }

  /**
   * Rows of one delta round: everything in the folder at `toSeq` on the first round; after that,
   * per message changed since the round's start: a full row when it entered the folder (new or
   * moved in), `@removed` when it left (deleted or moved out), and a sparse row when it changed in
   * place (a read toggle returns only `id`, `isRead`, `parentFolderId`: microsoft-graph-docs#7776).
   * With the replay quirk the previous round's changes come again (concepts/delta-query-overview:
   * "the same entity may be returned more than once").
   */
  private deltaRows(state: DeltaState): DeltaRow[] {
    const inFolderAt = (m: StoredMessage, at: number) => aliveAt(m, at) && folderAt(m, at) === state.folder;
    if (state.fromSeq === 0) {
      return this.store
        .liveAt(state.mailbox, state.toSeq)
        .filter((m) => inFolderAt(m, state.toSeq) && matchesFilter(m, state.filter))
        .map((message) => ({ message, kind: 'full' as const }));
    }
    const from = this.options.quirks?.deltaReplays && state.replayFrom !== null ? state.replayFrom : state.fromSeq;
    // Each message once, in the order of its last change.
    const last = new Map<string, number>();
    for (const change of this.store.changes(state.mailbox, from, state.toSeq)) {
      last.delete(change.key);
      last.set(change.key, change.seq);
    }
    const rows: DeltaRow[] = [];
    for (const key of last.keys()) {
      const m = this.store.anyMessage(state.mailbox, key);
      if (!m) continue;
      const before = inFolderAt(m, from);
      const after = inFolderAt(m, state.toSeq);
      if (!before && after && matchesFilter(m, state.filter)) rows.push({ message: m, kind: 'full' });
      else if (before && !after) rows.push({ message: m, kind: 'removed' });
      else if (before && after) rows.push({ message: m, kind: 'sparse' });
    }
    return rows;
  }
}
