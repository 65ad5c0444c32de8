/**
 * Graph message rows → MessageMeta, validated with zod at the edge. Threading headers come from
 * `internetMessageHeaders`; when Sent Items copies lack them, the typed properties still give
 * participants, subject, dates and the Message-ID.
 */
import { z } from 'zod';
import { cleanMeta } from '../../core/header-value.js';
import { parseMessageIds } from '../../core/parse-message.js';
import type { Folder, MailAddress, MessageMeta } from '../../core/types.js';

const recipient = z.object({
  emailAddress: z.object({ name: z.string().nullish(), address: z.string().nullish() }).nullish(),
});

export const graphMessageRow = z.object({
  id: z.string(),
  '@removed': z.object({ reason: z.string().optional() }).optional(),
  subject: z.string().nullish(),
  from: recipient.nullish(),
  sender: recipient.nullish(),
  toRecipients: z.array(recipient).nullish(),
  ccRecipients: z.array(recipient).nullish(),
  bccRecipients: z.array(recipient).nullish(),
  replyTo: z.array(recipient).nullish(),
  internetMessageId: z.string().nullish(),
  receivedDateTime: z.string().nullish(),
  sentDateTime: z.string().nullish(),
  isDraft: z.boolean().nullish(),
  parentFolderId: z.string().nullish(),
  internetMessageHeaders: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
});
export type GraphMessageRow = z.infer<typeof graphMessageRow>;

export const graphPage = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});

function address(r: z.infer<typeof recipient> | null | undefined): MailAddress | null {
  const a = r?.emailAddress;
  if (!a?.address) return null;
  return { name: a.name ?? '', address: a.address };
}

const addresses = (list: z.infer<typeof recipient>[] | null | undefined): MailAddress[] =>
  (list ?? []).map(address).filter((a): a is MailAddress => a !== null);

/** The MessageMeta of one (non-removed) row found in `folder`, on one line per value (`cleanMeta`). */
export function toMessageMeta(row: GraphMessageRow, folder: Folder): MessageMeta {
  const headers: Record<string, string[]> = {};
  for (const h of row.internetMessageHeaders ?? []) (headers[h.name.toLowerCase()] ??= []).push(h.value);
  const first = (name: string) => headers[name]?.[0] ?? null;
  const dateHeader = first('date');
  const sentAt = dateHeader && !Number.isNaN(Date.parse(dateHeader)) ? new Date(dateHeader).toISOString() : (row.sentDateTime ?? row.receivedDateTime ?? null);
  return cleanMeta({
    id: row.id,
    folder,
    isDraft: row.isDraft ?? false,
    messageId: row.internetMessageId ?? first('message-id'),
    from: address(row.from),
    sender: address(row.sender),
    replyTo: addresses(row.replyTo),
    to: addresses(row.toRecipients),
    cc: addresses(row.ccRecipients),
    bcc: addresses(row.bccRecipients),
    subject: row.subject ?? '',
    sentAt: sentAt ? new Date(sentAt).toISOString() : null,
    inReplyTo: parseMessageIds(first('in-reply-to'))[0] ?? null,
    references: parseMessageIds(first('references')),
    headers,
  });
}
