/**
 * How a stored message looks through Graph: the `message` resource, `$select` projection,
 * recipients from the raw headers, and the body in the preferred content type.
 */
import { parseAddressList } from '../../core/address.js';
import type { Folder } from '../../core/types.js';
import { digest, headerValue, type StoredMessage } from '../common/mail-store.js';

/** Well-known folder names and the store folder each one is. */
export const WELL_KNOWN_FOLDERS: Record<string, Folder> = {
  inbox: 'inbox',
  sentitems: 'sent',
  drafts: 'drafts',
  deleteditems: 'deleted',
  junkemail: 'junk',
};

export const FOLDER_NAMES: Record<Folder, string> = {
  inbox: 'Inbox',
  sent: 'Sent Items',
  drafts: 'Drafts',
  deleted: 'Deleted Items',
  junk: 'Junk Email',
  other: 'Archive',
};

/** The opaque folder id of a store folder in a mailbox. */
export function folderId(mailbox: string, folder: Folder): string {
  return `AQMk${Buffer.from(digest(`${mailbox}/${folder}`, 32), 'hex').toString('base64url')}`;
}

/** Graph message id for a store key (and back). */
export function graphMessageId(key: string): string {
  return `AAMk${Buffer.from(key, 'hex').toString('base64url')}=`;
}

export function storeKey(graphId: string): string {
  return Buffer.from(graphId.replace(/^AAMk/, '').replace(/=$/, ''), 'base64url').toString('hex');
}

const DEFAULT_PROPERTIES = [
  'createdDateTime', 'lastModifiedDateTime', 'receivedDateTime', 'sentDateTime', 'hasAttachments',
  'internetMessageId', 'subject', 'bodyPreview', 'importance', 'parentFolderId', 'conversationId',
  'isRead', 'isDraft', 'body', 'sender', 'from', 'toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo',
];

const recipients = (value: string | null) =>
  parseAddressList(value).map((a) => ({ emailAddress: { name: a.name || a.address, address: a.address } }));

function htmlToPlain(html: string): string {
  return html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>/gi, '\n').replace(/<[^>]+>/g, '').replace(/&nbsp;/g, ' ').trim();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The message body as Graph serves it: HTML unless text was preferred. */
export function graphBody(m: StoredMessage, type: 'text' | 'html'): { contentType: string; content: string } {
  if (type === 'text') return { contentType: 'text', content: m.text ?? htmlToPlain(m.html ?? '') };
  return { contentType: 'html', content: m.html ?? `<html><body><pre>${escapeHtml(m.text ?? '')}</pre></body></html>` };
}

/** Every property of the Graph `message` resource we emulate. */
function fullMessage(m: StoredMessage, bodyType: 'text' | 'html'): Record<string, unknown> {
  const from = recipients(headerValue(m.headers, 'From'))[0] ?? null;
  const sender = recipients(headerValue(m.headers, 'Sender'))[0] ?? from;
  const subject = headerValue(m.headers, 'Subject') ?? '';
  const body = graphBody(m, bodyType);
  const sentHeader = headerValue(m.headers, 'Date');
  const sentAt = sentHeader && !Number.isNaN(Date.parse(sentHeader)) ? new Date(sentHeader).toISOString() : m.receivedAt;
  const references = headerValue(m.headers, 'References') ?? headerValue(m.headers, 'Message-ID') ?? m.key;
  return {
    '@odata.etag': `W/"CQAAABYAAA${digest(m.key, 12)}"`,
    id: graphMessageId(m.key),
    createdDateTime: m.receivedAt,
    lastModifiedDateTime: m.receivedAt,
    receivedDateTime: m.receivedAt.replace(/\.\d{3}Z$/, 'Z'),
    sentDateTime: sentAt.replace(/\.\d{3}Z$/, 'Z'),
    hasAttachments: false,
    internetMessageId: headerValue(m.headers, 'Message-ID'),
    subject,
    bodyPreview: htmlToPlain(m.text ?? m.html ?? '').slice(0, 255),
    importance: 'normal',
    parentFolderId: folderId(m.mailbox, m.folder),
    conversationId: `AAQk${digest(references.split(/\s+/)[0] ?? '', 16)}=`,
    isRead: m.isRead,
    isDraft: m.isDraft,
    body,
    sender: sender,
    from,
    toRecipients: recipients(headerValue(m.headers, 'To')),
    ccRecipients: recipients(headerValue(m.headers, 'Cc')),
    bccRecipients: recipients(headerValue(m.headers, 'Bcc')),
    replyTo: recipients(headerValue(m.headers, 'Reply-To')),
    internetMessageHeaders: m.headers.map((h) => ({ name: h.name, value: h.value })),
    uniqueBody: body,
  };
}

/** Parses `$select` into a property set (null: the default set). */
export function parseSelect(value: string | null): Set<string> | null {
  if (!value) return null;
  return new Set(value.split(',').map((s) => s.trim()).filter(Boolean));
}

/** Quirks of the real service the emulator can reproduce. */
export interface GraphQuirks {
  /** Sent Items copies come back with empty `internetMessageHeaders` (a known Graph gap). */
  sentItemsWithoutHeaders: boolean;
  /** Each delta round sends the previous round's changes again (replays happen on the service). */
  deltaReplays?: boolean;
}

/** The message as a list/get/delta row: `$select`ed properties plus `id` and `@odata.etag`. */
export function projectMessage(
  m: StoredMessage,
  select: Set<string> | null,
  bodyType: 'text' | 'html',
  quirks: GraphQuirks = { sentItemsWithoutHeaders: false },
): Record<string, unknown> {
  const full = fullMessage(m, bodyType);
  if (quirks.sentItemsWithoutHeaders && m.folder === 'sent') full.internetMessageHeaders = [];
  const wanted = select ?? new Set(DEFAULT_PROPERTIES);
  const out: Record<string, unknown> = { '@odata.etag': full['@odata.etag'], id: full.id };
  for (const key of wanted) if (key in full) out[key] = full[key];
  return out;
}

/** The body type a `Prefer` header asks for. */
export function preferredBodyType(prefer: string | string[] | undefined): 'text' | 'html' {
  const value = Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '');
  return /outlook\.body-content-type\s*=\s*"?text"?/i.test(value) ? 'text' : 'html';
}

/** `odata.maxpagesize` from a `Prefer` header, if given. */
export function preferredPageSize(prefer: string | string[] | undefined): number | null {
  const value = Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '');
  const match = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(value);
  return match ? Number(match[1]) : null;
}
