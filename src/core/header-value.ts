/**
 * Header values as the providers hand them may hold CR, LF or NUL (a folded line, or a crafted
 * message). Left in, they reach CRM fields that are read line by line (Salesforce `Headers`:
 * an injected `References:` line changes threading) and addresses that no longer parse (a NUL
 * in From made external mail `internal-only`). Every provider and the mail-file reader pass
 * their metadata through `cleanMeta` before classification, so nothing downstream sees them.
 *
 * Worked examples: `<a@b>\r\nReferences: <x@y>` → `<a@b> References: <x@y>`;
 * `jane@acme\0.com` → `jane@acme.com`; `Re: a,\r\n\tb` → `Re: a, b`.
 */
import type { MailAddress, MessageMeta } from './types.js';

// C0 controls and DEL except TAB, CR and LF (those are line breaks, turned into one space).
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const LINE_BREAKS = /[ \t]*[\r\n]+[ \t]*/g;
// eslint-disable-next-line no-control-regex
const ANY_UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** One header value on one line: line breaks (with folding white space) → one space, controls removed. */
export function cleanHeaderValue(value: string): string {
  if (!ANY_UNSAFE.test(value)) return value;
  return value.replace(CONTROLS, '').replace(LINE_BREAKS, ' ');
}

function cleanAddress(a: MailAddress): MailAddress {
  return { name: cleanHeaderValue(a.name), address: cleanHeaderValue(a.address).trim() };
}

const cleanNullable = (v: string | null): string | null => (v === null ? null : cleanHeaderValue(v));

/** The metadata with every header-derived string on one line and free of control characters. */
export function cleanMeta(meta: MessageMeta): MessageMeta {
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(meta.headers)) {
    (headers[cleanHeaderValue(name).trim()] ??= []).push(...values.map(cleanHeaderValue));
  }
  return {
    ...meta,
    messageId: cleanNullable(meta.messageId),
    from: meta.from ? cleanAddress(meta.from) : null,
    sender: meta.sender ? cleanAddress(meta.sender) : null,
    replyTo: meta.replyTo.map(cleanAddress),
    to: meta.to.map(cleanAddress),
    cc: meta.cc.map(cleanAddress),
    bcc: meta.bcc.map(cleanAddress),
    subject: cleanHeaderValue(meta.subject),
    inReplyTo: cleanNullable(meta.inReplyTo),
    references: meta.references.map(cleanHeaderValue),
    headers,
  };
}
