/**
 * Raw RFC 5322 message → `MessageMeta` + `MessageBody`. Used by `classify` (files), by the
 * emulators' seeding, and by any provider that hands us raw source. Pure: bytes in, data out.
 */
import PostalMime from 'postal-mime';
import { parseAddress, parseAddressList } from './address.js';
import { cleanHeaderValue, cleanMeta } from './header-value.js';
import type { Folder, MailAddress, MessageBody, MessageMeta } from './types.js';

export interface ParsedMessage {
  meta: MessageMeta;
  body: MessageBody;
}

export interface ParseOptions {
  folder?: Folder;
  isDraft?: boolean;
}

export class UnparseableMessageError extends Error {
  constructor(reason: string) {
    super(`unparseable message: ${reason}`);
    this.name = 'UnparseableMessageError';
  }
}

const MBOX_FROM_LINE = /^From [^\r\n]*\r?\n/;

/** Splits a References / In-Reply-To header into its message ids (`<a@b> <c@d>` → both). */
export function parseMessageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const ids = value.match(/<[^<>\s]+>/g);
  if (ids) return ids;
  return value.split(/\s+/).filter((v) => v.includes('@'));
}

/**
 * Gmail exports (Takeout mbox) carry the message's labels in `X-Gmail-Labels`, comma-separated,
 * quoted when a label holds a comma: `Trash,Opened,"Clients, EU"`. Trash and Spam put a message
 * in the deleted and junk folders, a Draft(s) label makes it a draft, as the Gmail API's TRASH,
 * SPAM and DRAFT labels do for the sync.
 */
export function gmailLabelPlacement(value: string | undefined): { folder?: Folder; isDraft?: boolean } {
  if (!value) return {};
  const labels = new Set((value.match(/\s*"(?:[^"\\]|\\.)*"|[^,]+/g) ?? []).map((l) => l.trim().replace(/^"|"$/g, '').trim().toLowerCase()));
  const out: { folder?: Folder; isDraft?: boolean } = {};
  if (labels.has('trash')) out.folder = 'deleted';
  else if (labels.has('spam')) out.folder = 'junk';
  if (labels.has('drafts') || labels.has('draft')) out.isDraft = true;
  return out;
}

function toIsoDate(value: string | undefined): string | null {
  if (!value) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) return null;
  return new Date(time).toISOString();
}

/**
 * Parses one raw message. Throws `UnparseableMessageError` when nothing message-like is
 * there (no header at all, or the MIME parser gives up); callers count it and go on.
 */
export async function parseRawMessage(raw: Uint8Array | string, id: string, opts: ParseOptions = {}): Promise<ParsedMessage> {
  let input: Uint8Array | string = raw;
  // mbox exports and the SpamAssassin files start with the envelope line `From sender date`.
  if (typeof input === 'string') {
    input = input.replace(MBOX_FROM_LINE, '');
  } else if (input.length > 5 && input[0] === 0x46 && Buffer.from(input.subarray(0, 5)).toString('latin1') === 'From ') {
    const nl = input.indexOf(0x0a);
    input = nl === -1 ? new Uint8Array() : input.subarray(nl + 1);
  }
  let email;
  try {
    email = await PostalMime.parse(input, { attachmentEncoding: 'arraybuffer' });
  } catch (err) {
    throw new UnparseableMessageError(err instanceof Error ? err.message : String(err));
  }
  if (!email.headers.length) throw new UnparseableMessageError('no headers');

  const headers: Record<string, string[]> = {};
  for (const h of email.headers) (headers[h.key] ??= []).push(cleanHeaderValue(h.value));
  const first = (name: string): string | undefined => headers[name]?.[0];
  const list = (name: string): MailAddress[] => (headers[name] ?? []).flatMap((v) => parseAddressList(v));
  const from = parseAddress(first('from'));
  const to = list('to');
  if (!from && !to.length && !first('date') && !first('subject')) {
    throw new UnparseableMessageError('no From, To, Date or Subject header');
  }
  const labelled = gmailLabelPlacement(first('x-gmail-labels'));
  const meta: MessageMeta = {
    id,
    folder: labelled.folder ?? opts.folder ?? 'inbox',
    isDraft: labelled.isDraft ?? opts.isDraft ?? false,
    messageId: first('message-id')?.trim() || null,
    from,
    sender: parseAddress(first('sender')),
    replyTo: list('reply-to'),
    to,
    cc: list('cc'),
    bcc: list('bcc'),
    subject: email.subject ?? '',
    sentAt: toIsoDate(first('date')),
    inReplyTo: parseMessageIds(first('in-reply-to'))[0] ?? null,
    references: parseMessageIds(first('references')),
    headers,
  };
  return { meta: cleanMeta(meta), body: { text: email.text ?? null, html: email.html ?? null } };
}
