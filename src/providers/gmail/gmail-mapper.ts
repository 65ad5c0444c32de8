/**
 * Gmail API shapes (zod, at the edge) → MessageMeta and MessageBody.
 */
import { z } from 'zod';
import { parseAddress, parseAddressList } from '../../core/address.js';
import { cleanHeaderValue, cleanMeta } from '../../core/header-value.js';
import { parseMessageIds } from '../../core/parse-message.js';
import type { Folder, MessageBody, MessageMeta } from '../../core/types.js';

const header = z.object({ name: z.string(), value: z.string() });
type Part = { mimeType?: string | null; headers?: z.infer<typeof header>[] | null; body?: { data?: string | null } | null; parts?: Part[] | null };
const part: z.ZodType<Part> = z.lazy(() =>
  z.object({
    mimeType: z.string().nullish(),
    headers: z.array(header).nullish(),
    body: z.object({ data: z.string().nullish() }).nullish(),
    parts: z.array(part).nullish(),
  }),
);

export const gmailMessage = z.object({
  id: z.string(),
  threadId: z.string().nullish(),
  labelIds: z.array(z.string()).nullish(),
  internalDate: z.string().nullish(),
  historyId: z.string().nullish(),
  payload: part.nullish(),
});
export type GmailMessage = z.infer<typeof gmailMessage>;

export const listPage = z.object({
  messages: z.array(z.object({ id: z.string(), threadId: z.string().nullish() })).optional(),
  nextPageToken: z.string().nullish(),
  resultSizeEstimate: z.number().nullish(),
});

const ref = z.object({ message: z.object({ id: z.string(), labelIds: z.array(z.string()).nullish() }) });
export const historyPage = z.object({
  history: z
    .array(
      z.object({
        id: z.string(),
        messagesAdded: z.array(ref).nullish(),
        messagesDeleted: z.array(ref).nullish(),
        // Labels added to a message: INBOX on mail moved into the Inbox, TRASH on mail trashed.
        labelsAdded: z.array(ref.extend({ labelIds: z.array(z.string()).nullish() })).nullish(),
      }),
    )
    .optional(),
  historyId: z.string(),
  nextPageToken: z.string().nullish(),
});

export const profile = z.object({ emailAddress: z.string(), historyId: z.string() });

/** The folder a message's system labels put it in (trash and spam before the rest). */
export function folderOfLabels(labelIds: readonly string[]): Folder {
  const has = (l: string) => labelIds.includes(l);
  if (has('TRASH')) return 'deleted';
  if (has('SPAM')) return 'junk';
  if (has('DRAFT')) return 'drafts';
  if (has('SENT')) return 'sent';
  if (has('INBOX')) return 'inbox';
  return 'other';
}

/** Metadata of a `format=metadata` message found under `folder`; values cleaned before parsing. */
export function toMessageMeta(m: GmailMessage, folder: Folder): MessageMeta {
  const headers: Record<string, string[]> = {};
  for (const h of m.payload?.headers ?? []) (headers[h.name.toLowerCase()] ??= []).push(cleanHeaderValue(h.value));
  const first = (name: string) => headers[name]?.[0] ?? null;
  const date = first('date');
  const sentAt =
    date && !Number.isNaN(Date.parse(date)) ? new Date(date).toISOString() : m.internalDate ? new Date(Number(m.internalDate)).toISOString() : null;
  return cleanMeta({
    id: m.id,
    folder,
    isDraft: (m.labelIds ?? []).includes('DRAFT'),
    messageId: first('message-id'),
    from: parseAddress(first('from')),
    sender: parseAddress(first('sender')),
    replyTo: parseAddressList(first('reply-to')),
    to: parseAddressList((headers['to'] ?? []).join(', ')),
    cc: parseAddressList((headers['cc'] ?? []).join(', ')),
    bcc: parseAddressList((headers['bcc'] ?? []).join(', ')),
    subject: first('subject') ?? '',
    sentAt,
    inReplyTo: parseMessageIds(first('in-reply-to'))[0] ?? null,
    references: parseMessageIds(first('references')),
    headers,
  });
}

/** Text and HTML parts of a `format=full` message (base64url bodies decoded). */
export function toMessageBody(m: GmailMessage): MessageBody {
  let text: string | null = null;
  let html: string | null = null;
  const walk = (p: Part | null | undefined) => {
    if (!p) return;
    const data = p.body?.data;
    const type = (p.mimeType ?? '').toLowerCase();
    if (data && type === 'text/plain' && text === null) text = Buffer.from(data, 'base64url').toString('utf8');
    if (data && type === 'text/html' && html === null) html = Buffer.from(data, 'base64url').toString('utf8');
    for (const child of p.parts ?? []) walk(child);
  };
  walk(m.payload);
  return { text, html };
}
