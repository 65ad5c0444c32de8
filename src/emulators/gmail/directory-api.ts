/**
 * The slice of Google's Admin SDK Directory API a company-wide Gmail connection needs: the
 * domain's users, and a group's members, paged like the real service. Only an admin subject
 * (impersonated by the service account) may read it.
 */
import type { EmulatorRequest, EmulatorResponse } from '../common/http-emulator.js';
import type { MailStore } from '../common/mail-store.js';
import { PageTokens } from '../common/page-tokens.js';
import { gmailError } from './gmail-errors.js';

export interface DirectoryOptions {
  /** Group email or id → member addresses. */
  groups?: Record<string, string[]>;
  /** Subjects allowed to read the directory (default: every mailbox). */
  admins?: string[];
}

const USERS = /^\/admin\/directory\/v1\/users\/?$/;
const MEMBERS = /^\/admin\/directory\/v1\/groups\/([^/]+)\/members\/?$/;

export function directoryRoute(path: string): 'directory.users' | 'directory.members' | null {
  if (USERS.test(path)) return 'directory.users';
  if (MEMBERS.test(path)) return 'directory.members';
  return null;
}

export class DirectoryApi {
  private readonly tokens = new PageTokens<{ list: string; offset: number; max: number }>('dir');

  constructor(
    private readonly store: MailStore,
    private readonly opts: DirectoryOptions = {},
  ) {}

  serve(req: EmulatorRequest, subject: string): EmulatorResponse {
    const admins = this.opts.admins?.map((a) => a.toLowerCase());
    if (admins && !admins.includes(subject)) return gmailError(403, 'Not Authorized to access this resource/api', 'forbidden');
    const members = MEMBERS.exec(req.path);
    let list = 'users';
    let addresses = this.store.mailboxes().map((b) => b.address);
    if (members) {
      list = decodeURIComponent(members[1]!);
      const group = this.opts.groups?.[list];
      if (!group) return gmailError(404, 'Resource Not Found: groupKey', 'notFound');
      const wanted = new Set(group.map((a) => a.toLowerCase()));
      addresses = addresses.filter((a) => wanted.has(a));
    } else if (!req.query.get('customer') && !req.query.get('domain')) {
      return gmailError(400, 'Bad Request', 'badRequest');
    }
    const token = req.query.get('pageToken');
    let state = { list, offset: 0, max: Math.min(500, Math.max(1, Number(req.query.get('maxResults') ?? (members ? 200 : 100)) || 100)) };
    if (token) {
      const found = this.tokens.resolve(token);
      if (!found || found.list !== list) return gmailError(400, 'Invalid Input: pageToken', 'invalid');
      state = found;
    }
    const page = addresses.slice(state.offset, state.offset + state.max);
    const next = state.offset + state.max < addresses.length ? this.tokens.issue({ ...state, offset: state.offset + state.max }) : undefined;
    const body = members
      ? { kind: 'admin#directory#members', members: page.map((email) => ({ kind: 'admin#directory#member', email, id: this.store.mailbox(email)?.id, role: 'MEMBER', type: 'USER', status: 'ACTIVE' })) }
      : { kind: 'admin#directory#users', users: page.map((email) => ({ kind: 'admin#directory#user', id: this.store.mailbox(email)?.id, primaryEmail: email, suspended: false })) };
    return { status: 200, body: next ? { ...body, nextPageToken: next } : body };
  }
}
