/**
 * How a stored message looks through the Gmail API: ids, labels, history ids, and the
 * `minimal`, `metadata`, `full` and `raw` formats (base64url bodies).
 */
import type { Folder } from '../../core/types.js';
import { digest, headerValue, type StoredMessage } from '../common/mail-store.js';
import { buildRawMessage } from '../common/raw-message.js';

export const FOLDER_LABELS: Record<Folder, string[]> = {
  inbox: ['INBOX', 'CATEGORY_PERSONAL'],
  sent: ['SENT'],
  drafts: ['DRAFT'],
  deleted: ['TRASH'],
  junk: ['SPAM'],
  other: ['CATEGORY_UPDATES'],
};

export const SYSTEM_LABELS = ['INBOX', 'SENT', 'DRAFT', 'TRASH', 'SPAM', 'UNREAD', 'STARRED', 'IMPORTANT',
  'CATEGORY_PERSONAL', 'CATEGORY_SOCIAL', 'CATEGORY_PROMOTIONS', 'CATEGORY_UPDATES', 'CATEGORY_FORUMS'];

/** A message's labels: its folder's, plus UNREAD while unread. */
export function labelsOf(m: StoredMessage, folder: Folder = m.folder): string[] {
  return m.isRead ? FOLDER_LABELS[folder] : [...FOLDER_LABELS[folder], 'UNREAD'];
}

/** History ids grow with the store sequence but are not contiguous, as Gmail's are not. */
export const historyIdOf = (seq: number): string => String(100_000 + seq * 3);
export const seqOfHistoryId = (historyId: string): number => Math.floor((Number(historyId) - 100_000) / 3);

export const gmailId = (key: string): string => key.slice(0, 16);

export function threadIdOf(m: StoredMessage): string {
  const root = (headerValue(m.headers, 'References') ?? headerValue(m.headers, 'In-Reply-To') ?? '').split(/\s+/)[0];
  return root ? digest(`thread:${m.mailbox}:${root}`, 16) : gmailId(m.key);
}

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function snippet(m: StoredMessage): string {
  return (m.text ?? (m.html ?? '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim().slice(0, 200);
}

function part(partId: string, mimeType: string, content: string) {
  return { partId, mimeType, filename: '', headers: [{ name: 'Content-Type', value: `${mimeType}; charset="UTF-8"` }], body: { size: Buffer.byteLength(content), data: b64url(content) } };
}

/** The Message resource in one of the four formats. */
export function messageResource(m: StoredMessage, format: string, metadataHeaders: string[]): Record<string, unknown> {
  const raw = buildRawMessage(m);
  const base = {
    id: gmailId(m.key),
    threadId: threadIdOf(m),
    labelIds: labelsOf(m),
    snippet: snippet(m),
    historyId: historyIdOf(m.createdSeq),
    internalDate: String(Date.parse(m.receivedAt)),
    sizeEstimate: Buffer.byteLength(raw),
  };
  if (format === 'minimal') return base;
  if (format === 'raw') return { ...base, raw: Buffer.from(raw, 'utf8').toString('base64url') };
  const wanted = new Set(metadataHeaders.map((h) => h.toLowerCase()));
  const headers = m.headers.filter((h) => format !== 'metadata' || wanted.size === 0 || wanted.has(h.name.toLowerCase()));
  if (format === 'metadata') {
    return { ...base, payload: { mimeType: m.html !== null && m.text !== null ? 'multipart/alternative' : m.html !== null ? 'text/html' : 'text/plain', headers } };
  }
  const parts = [];
  if (m.text !== null) parts.push(part('0', 'text/plain', m.text));
  if (m.html !== null) parts.push(part(String(parts.length), 'text/html', m.html));
  if (parts.length === 1) {
    const only = parts[0]!;
    return { ...base, payload: { partId: '', mimeType: only.mimeType, filename: '', headers, body: only.body } };
  }
  return { ...base, payload: { partId: '', mimeType: 'multipart/alternative', filename: '', headers, body: { size: 0 }, parts } };
}
