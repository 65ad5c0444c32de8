/**
 * Gmail's users resources over the shared store: profile, labels, `messages.list` (labelIds AND,
 * a `q` subset, spam/trash exclusion), `messages.get` in four formats, and `history.list` (added,
 * deleted, label changes for read toggles and moves) with a 404 when the start id is older than
 * the retained history.
 */
import type { EmulatorRequest, EmulatorResponse } from '../common/http-emulator.js';
import { folderAt, type MailChange, type MailStore, type StoredMessage } from '../common/mail-store.js';
import { PageTokens } from '../common/page-tokens.js';
import { gmailError } from './gmail-errors.js';
import { parseGmailQuery } from './gmail-query.js';
import { FOLDER_LABELS, SYSTEM_LABELS, gmailId, historyIdOf, labelsOf, messageResource, seqOfHistoryId, threadIdOf } from './gmail-message-view.js';

interface ListState {
  user: string;
  labelIds: string[];
  q: string;
  includeSpamTrash: boolean;
  at: number;
  offset: number;
  max: number;
}

interface HistoryState {
  user: string;
  from: number;
  to: number;
  labelId: string | null;
  types: string[];
  offset: number;
  max: number;
}

export interface GmailApiOptions {
  /**
   * A change whose typed array `historyTypes` filtered out still comes as a record carrying only
   * `messages[]` (API_NOTES §12.4: `messages` duplicates the typed arrays; clients meet records
   * with nothing else). Off: such records are dropped.
   */
  bareHistoryRecords: boolean;
}

const TYPE_OF: Record<string, string> = { messagesAdded: 'messageAdded', messagesDeleted: 'messageDeleted', labelsAdded: 'labelAdded', labelsRemoved: 'labelRemoved' };

/**
 * One history record per change (`@googleapis/gmail` `Schema$History`): added and deleted mail,
 * a read toggle as UNREAD removed/added, a move as the folder labels removed and added (into
 * Trash: `labelsAdded: [TRASH]`). `labels` is every label the record touches, for `labelId`.
 */
function historyRecord(
  m: StoredMessage,
  change: MailChange,
  types: string[],
  bare: boolean,
): { body: Record<string, unknown>; labels: string[] } | null {
  const ref = (labelIds: string[]) => ({ id: gmailId(m.key), threadId: threadIdOf(m), labelIds });
  const before = labelsOf(m, folderAt(m, change.seq - 1));
  const after = labelsOf(m, folderAt(m, change.seq));
  const typed: Record<string, unknown[]> = {};
  if (change.type === 'added') typed.messagesAdded = [{ message: ref(after) }];
  if (change.type === 'deleted') typed.messagesDeleted = [{ message: ref(before) }];
  if (change.type === 'updated') {
    const unread = change.isRead === false;
    const labelIds = unread ? after.filter((l) => l !== 'UNREAD').concat('UNREAD') : after.filter((l) => l !== 'UNREAD');
    typed[unread ? 'labelsAdded' : 'labelsRemoved'] = [{ message: ref(labelIds), labelIds: ['UNREAD'] }];
  }
  if (change.type === 'moved') {
    const removed = before.filter((l) => !after.includes(l));
    const added = after.filter((l) => !before.includes(l));
    if (removed.length) typed.labelsRemoved = [{ message: ref(after), labelIds: removed }];
    if (added.length) typed.labelsAdded = [{ message: ref(after), labelIds: added }];
  }
  const kept = Object.fromEntries(Object.entries(typed).filter(([k]) => types.length === 0 || types.includes(TYPE_OF[k]!)));
  if (Object.keys(kept).length === 0 && !bare) return null;
  return {
    body: { id: historyIdOf(change.seq), messages: [{ id: gmailId(m.key), threadId: threadIdOf(m) }], ...kept },
    labels: [...new Set([...before, ...after, ...(change.type === 'updated' ? ['UNREAD'] : [])])],
  };
}

const USER_PATH = /^\/gmail\/v1\/users\/([^/]+)(\/.*)?$/;

/** Classification of a Gmail path into a method kind and its user (`me` resolved). */
export function gmailRoute(path: string, tokenUser: string | null): { kind: string; user?: string } {
  if (path === '/batch/gmail/v1' || path === '/batch') return { kind: 'batch' };
  const m = USER_PATH.exec(path);
  if (!m) return { kind: 'unknown' };
  const raw = decodeURIComponent(m[1]!);
  const user = raw === 'me' ? (tokenUser ?? undefined) : raw.toLowerCase();
  const rest = m[2] ?? '';
  if (rest === '/profile') return { kind: 'getProfile', user };
  if (rest === '/labels') return { kind: 'labels.list', user };
  if (rest === '/messages') return { kind: 'messages.list', user };
  if (/^\/messages\/[^/]+$/.test(rest)) return { kind: 'messages.get', user };
  if (rest === '/history') return { kind: 'history.list', user };
  return { kind: 'unknown', user };
}


export class GmailApi {
  private readonly listTokens = new PageTokens<ListState>('');
  private readonly historyTokens = new PageTokens<HistoryState>('');
  /** Per user: history before this sequence is no longer retained. */
  private readonly retainedFrom = new Map<string, number>();
  readonly bodyRequests: { mailbox: string; id: string }[] = [];

  constructor(
    private readonly store: MailStore,
    private readonly options: GmailApiOptions = { bareHistoryRecords: true },
  ) {}

  /** Drops the history of a user (all users when omitted): every start id issued so far answers 404. */
  expireHistory(user?: string): void {
    const users = user ? [user.toLowerCase()] : this.store.mailboxes().map((b) => b.address);
    for (const u of users) this.retainedFrom.set(u, this.store.sequence + 1);
  }

  private find(user: string, id: string): StoredMessage | undefined {
    return this.store.liveAt(user).find((m) => gmailId(m.key) === id);
  }

  /** Serves a users/* request already authorised for `user`. */
  serve(req: EmulatorRequest, kind: string, user: string): EmulatorResponse {
    const box = this.store.mailbox(user);
    if (!box) return gmailError(400, 'Invalid user id specified in request/Delegation denied', 'failedPrecondition');
    if (kind === 'getProfile') {
      const live = this.store.liveAt(user);
      return { status: 200, body: { emailAddress: box.address, messagesTotal: live.length, threadsTotal: new Set(live.map(threadIdOf)).size, historyId: historyIdOf(this.store.sequence) } };
    }
    if (kind === 'labels.list') {
      return { status: 200, body: { labels: SYSTEM_LABELS.map((id) => ({ id, name: id, type: 'system' })) } };
    }
    if (kind === 'messages.list') return this.list(req, box.address);
    if (kind === 'history.list') return this.history(req, box.address);
    if (kind === 'messages.get') {
      const id = decodeURIComponent(req.path.split('/').pop() ?? '');
      const m = this.find(box.address, id);
      if (!m) return gmailError(404, 'Requested entity was not found.', 'notFound');
      const format = req.query.get('format') ?? 'full';
      if (!['minimal', 'metadata', 'full', 'raw'].includes(format)) return gmailError(400, `Invalid value for "format": ${format}`, 'invalidArgument');
      if (format === 'full' || format === 'raw') this.bodyRequests.push({ mailbox: box.address, id });
      return { status: 200, body: messageResource(m, format, req.query.getAll('metadataHeaders')) };
    }
    return gmailError(404, 'Not Found', 'notFound');
  }

  private maxResults(req: EmulatorRequest): number | EmulatorResponse {
    if (!req.query.has('maxResults')) return 100;
    const n = Number(req.query.get('maxResults'));
    if (!Number.isInteger(n) || n < 1 || n > 500) return gmailError(400, `Invalid maxResults: ${req.query.get('maxResults')}`, 'invalidArgument');
    return n;
  }

  private list(req: EmulatorRequest, user: string): EmulatorResponse {
    let state: ListState;
    const token = req.query.get('pageToken');
    if (token) {
      const found = this.listTokens.resolve(token);
      if (!found || found.user !== user) return gmailError(400, 'Invalid pageToken', 'invalidArgument');
      state = found;
    } else {
      const max = this.maxResults(req);
      if (typeof max !== 'number') return max;
      state = {
        user, labelIds: req.query.getAll('labelIds'), q: req.query.get('q') ?? '',
        includeSpamTrash: req.query.get('includeSpamTrash') === 'true', at: this.store.sequence, offset: 0, max,
      };
    }
    const matches = parseGmailQuery(state.q);
    if ('error' in matches) return gmailError(400, `Invalid query: ${matches.error}`, 'invalidArgument');
    const items = this.store
      .liveAt(user, state.at)
      .filter((m) => {
        const labels = FOLDER_LABELS[m.folder];
        if (!state.includeSpamTrash && (labels.includes('SPAM') || labels.includes('TRASH'))) return false;
        return state.labelIds.every((l) => labels.includes(l)) && matches(m);
      })
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.createdSeq - a.createdSeq);
    const page = items.slice(state.offset, state.offset + state.max);
    const body: Record<string, unknown> = { resultSizeEstimate: items.length };
    if (page.length > 0) body.messages = page.map((m) => ({ id: gmailId(m.key), threadId: threadIdOf(m) }));
    if (state.offset + state.max < items.length) body.nextPageToken = this.listTokens.issue({ ...state, offset: state.offset + state.max });
    return { status: 200, body };
  }

  private history(req: EmulatorRequest, user: string): EmulatorResponse {
    let state: HistoryState;
    const token = req.query.get('pageToken');
    if (token) {
      const found = this.historyTokens.resolve(token);
      if (!found || found.user !== user) return gmailError(400, 'Invalid pageToken', 'invalidArgument');
      state = found;
    } else {
      const start = req.query.get('startHistoryId');
      if (!start || !/^\d+$/.test(start)) return gmailError(400, 'Missing or invalid startHistoryId', 'invalidArgument');
      const from = seqOfHistoryId(start);
      if (from < (this.retainedFrom.get(user) ?? 0) || from < 0) return gmailError(404, 'Requested entity was not found.', 'notFound');
      const max = this.maxResults(req);
      if (typeof max !== 'number') return max;
      state = { user, from, to: this.store.sequence, labelId: req.query.get('labelId'), types: req.query.getAll('historyTypes'), offset: 0, max };
    }
    const records: Record<string, unknown>[] = [];
    for (const change of this.store.changes(user, state.from, state.to)) {
      const m = this.store.anyMessage(user, change.key);
      if (!m) continue;
      const record = historyRecord(m, change, state.types, this.options.bareHistoryRecords);
      if (!record) continue;
      if (state.labelId && !record.labels.includes(state.labelId)) continue;
      records.push(record.body);
    }
    const page = records.slice(state.offset, state.offset + state.max);
    const body: Record<string, unknown> = { historyId: historyIdOf(state.to) };
    if (page.length > 0) body.history = page;
    if (state.offset + state.max < records.length) body.nextPageToken = this.historyTokens.issue({ ...state, offset: state.offset + state.max });
    return { status: 200, body };
  }
}
