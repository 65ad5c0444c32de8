/**
 * The `automated` rule of qualification (DESIGN §1.3): is this message sent by a machine —
 * a list server, a newsletter or transactional engine, a bounce, an auto-reply, a calendar —
 * rather than written by a person to a person?
 *
 * Two checks, same return convention (a short human reason, or null for person-to-person mail):
 * - `automatedByHeaders` runs on metadata only, before any body is fetched (DESIGN §1.3);
 * - `automatedByBody` runs on the fetched body of mail that qualified (DESIGN §1.4).
 *
 * Reasons never contain an address, a subject or a name: a rejected message leaves nothing
 * behind but its reason (DESIGN §1.3), and reasons end up in counters and logs.
 *
 * The ">15 recipients inbound from non-CRM senders" part of the rule needs the CRM index and
 * lives in `qualify.ts`.
 */
import { registrableDomain } from './address.js';
import {
  BATV_PREFIX_RE,
  BOUNCE_LOCAL_RE,
  BULK_MAILER_RE,
  BULK_MTA_RE,
  BULK_PRECEDENCE_RE,
  BULK_SUBDOMAIN_LABELS,
  CALENDAR_SENDER_RE,
  CALENDAR_SUBJECT_RE,
  ESP_DOMAINS,
  ESP_HEADERS,
  ESP_HEADER_PREFIXES,
  FORWARDER_LOCAL_RE,
  LIST_SERVER_HEADERS,
  MACHINE_ID_LOCAL_RE,
  MACHINE_LOCAL_SUBSTRING_RE,
  MACHINE_LOCAL_TOKENS,
  ROLE_LOCAL_TOKENS,
  SERVER_ACCOUNT_RE,
  WEAK_SUBDOMAIN_RE,
} from './automated-patterns.js';
import type { MailAddress, MessageMeta } from './types.js';

export { automatedByBody } from './automated-body.js';

const MULTIPART_REPORT_RE = /^\s*multipart\/report\b/i;
const DISPOSITION_REPORT_RE = /report-type\s*=\s*"?disposition-notification/i;
const CALENDAR_TYPE_RE = /\btext\/calendar\b|\bmethod\s*=\s*"?(request|reply|cancel)\b/i;
const AUTO_SUBMITTED_NO_RE = /^\s*no\b/i;
const NO_REPLY_RE = /no[-_.]?reply|do[-_.]?not[-_.]?(reply|respond)|donotrespond/;
const DAEMON_RE = /mailer[-_.]?daemon|^post[-_.]?master$/;
/** Subjects that auto-responders and bounce generators write (never a forward: anchored at the start). */
// "Out of office" only as the whole subject or before a colon: "Out of office next week" is a
// person announcing it.
const AUTO_SUBJECT_RE =
  /^(auto(matic)?[- ]?(reply|response|antwort)|out of (the )?office(?=\s*(auto-?reply)?\s*(:|$))|abwesenheitsnotiz|r[ée]ponse automatique|undeliverable|undelivered mail|returned mail|delivery status notification|mail delivery (failed|failure)|delivery failure|failure notice|loop alert)\b/i;

const tokenAlternation = (tokens: ReadonlySet<string>): string => [...tokens].join('|');
// Whole tokens between `.`, `_`, `+`, `-` (a trailing digit is allowed: `news2@`).
const MACHINE_TOKEN_RE = new RegExp(`(^|[._+-])(${tokenAlternation(MACHINE_LOCAL_TOKENS)})(\\d*)([._+-]|$)`);
const ROLE_TOKEN_RE = new RegExp(`^(${tokenAlternation(ROLE_LOCAL_TOKENS)})\\d*$`);
const BULK_LABEL_RE = new RegExp(`(^|\\.)(${tokenAlternation(BULK_SUBDOMAIN_LABELS)})\\d*\\.`);
const escapeDots = (d: string): string => d.replace(/\./g, '\\.');
const ESP_DOMAIN_RE = new RegExp(`(^|[^a-z0-9-])(${ESP_DOMAINS.map(([d]) => escapeDots(d)).join('|')})\\b`, 'i');
const ESP_BY_DOMAIN = new Map(ESP_DOMAINS);
const TRACE_HEADERS = ['return-path', 'message-id'] as const;
const DKIM_D_RE = /(?:^|;)\s*d\s*=\s*([^;\s]+)/i;
const MACHINE_DISPLAY_NAME_RE = /\b(newsletter|mailing list|notify bot|no-?reply|do not reply|notifications?|mailer-daemon|mail delivery (subsystem|system))\b/i;
const UNDISCLOSED_RE = /undisclosed|recipient list suppressed/i;
const SERVER_MAILER_RE = /\b(cdo for|mime::lite|mime-tools|javamail|php|perl|python|java|asp|coldfusion|cgi)\b/i;

/** `X-MC-User` from `x-mc-user`: short segments upper-cased, others capitalised. */
function displayHeaderName(name: string): string {
  return name
    .split('-')
    .map((s) => (s.length <= 3 ? s.toUpperCase() : s.charAt(0).toUpperCase() + s.slice(1)))
    .join('-');
}

/** Lower-cased local part and domain of an address, or null when it has no `@`. */
function split(address: string | undefined | null): [string, string] | null {
  if (!address) return null;
  const at = address.lastIndexOf('@');
  if (at <= 0) return null;
  return [address.slice(0, at).toLowerCase(), address.slice(at + 1).toLowerCase().replace(/>$/, '')];
}

/** The bare address inside a Return-Path value (`<a@b>` → `a@b`, `<>` → ''). */
function returnPathAddress(value: string): string {
  const open = value.indexOf('<');
  const close = value.lastIndexOf('>');
  if (open !== -1 && close > open) return value.slice(open + 1, close).trim();
  return value.trim();
}

/**
 * Amazon WorkMail is a mailbox service whose people send through SES: their mail carries SES
 * headers and hosts but is person-to-person, so SES fingerprints do not count for it.
 */
const WORKMAIL_RE = /\bworkmail\b/i;
const SES = 'Amazon SES';

/** Why one header-name family marks the message, or null. */
function espHeaderReason(name: string, sesIsMailbox: boolean): string | null {
  const esp = ESP_HEADERS.get(name);
  if (esp && !(sesIsMailbox && esp === SES)) return `ESP fingerprint: ${esp} (${displayHeaderName(name)})`;
  for (const [prefix, label] of ESP_HEADER_PREFIXES) {
    if (name.startsWith(prefix) && !(sesIsMailbox && label === SES)) return `ESP fingerprint: ${label} (${displayHeaderName(name)})`;
  }
  if (name === 'x-failed-recipients' || name === 'x-ms-exchange-message-is-ndr') {
    return `bounce: ${displayHeaderName(name)} header`;
  }
  // X-Auto-Response-Suppress is not here: Outlook and Exchange put it on ordinary person mail
  // too (it only asks other servers not to auto-reply), so it is a weak signal below.
  if (name === 'x-autoreply' || name === 'x-autorespond') {
    return `auto-generated: ${displayHeaderName(name)} header`;
  }
  return null;
}

/** Machine sender by local part or display name (no-reply, mailer-daemon, notifications, …). */
function machineSenderReason(addr: MailAddress | null | undefined, role: string, parts = split(addr?.address)): string | null {
  if (!addr) return null;
  if (parts) {
    const local = parts[0];
    if (NO_REPLY_RE.test(local)) return `no-reply ${role}`;
    if (DAEMON_RE.test(local)) return `bounce: mailer-daemon/postmaster ${role}`;
    const token = MACHINE_TOKEN_RE.exec(local);
    if (token) return `machine ${role}: ${token[2]}@`;
    if (MACHINE_LOCAL_SUBSTRING_RE.test(local)) return `machine ${role}: list or notification address`;
  }
  if (addr.name && MACHINE_DISPLAY_NAME_RE.test(addr.name)) return `machine ${role}: display name`;
  return null;
}

/** A tracking or VERP id as local part; the length guard keeps the regex off ordinary names. */
function isMachineId(local: string): boolean {
  return local.length >= 12 && local.length <= 200 && MACHINE_ID_LOCAL_RE.test(local);
}

/** A bulk-mail host label left of the registrable domain (`newsletter.online.com`). */
function bulkSubdomain(domain: string): string | null {
  const hit = BULK_LABEL_RE.exec(domain);
  if (!hit) return null;
  const base = registrableDomain(domain);
  // The label must sit in the subdomain part: `news.com.au` itself is a company, not a host.
  if (!base || hit.index + hit[0].length > domain.length - base.length) return null;
  return hit[2] ?? null;
}

/** The ESP a matched host belongs to, unless the match does not count for this sender. */
function espName(m: RegExpExecArray, sesIsMailbox: boolean, fromAddress: string): string | null {
  const domain = m[2]!.toLowerCase();
  const esp = ESP_BY_DOMAIN.get(domain) ?? domain;
  if (sesIsMailbox && esp === SES) return null;
  const fromDomain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1).toLowerCase();
  // People who work at an ESP write from its domain: that is not a campaign.
  if (fromDomain === domain || fromDomain.endsWith(`.${domain}`)) return null;
  return esp;
}

/** Any ESP or bulk-MTA fingerprint in Received, DKIM `d=`, Return-Path or Message-ID. */
function espTraceReason(meta: MessageMeta, sesIsMailbox: boolean): string | null {
  const h = meta.headers;
  const fromAddress = meta.from?.address ?? '';
  const received = h['received'];
  if (received) {
    for (const line of received) {
      const m = ESP_DOMAIN_RE.exec(line);
      const esp = m && espName(m, sesIsMailbox, fromAddress);
      if (esp) return `ESP fingerprint: ${esp} (Received)`;
      const mta = BULK_MTA_RE.exec(line);
      if (mta) return `bulk MTA: ${mta[1]} (Received)`;
    }
  }
  const dkim = h['dkim-signature'];
  if (dkim) {
    for (const sig of dkim) {
      const d = DKIM_D_RE.exec(sig)?.[1];
      const m = d ? ESP_DOMAIN_RE.exec(d) : null;
      const esp = m && espName(m, sesIsMailbox, fromAddress);
      if (esp) return `ESP fingerprint: ${esp} (DKIM d=)`;
    }
  }
  for (const name of TRACE_HEADERS) {
    const values = h[name];
    if (!values) continue;
    for (const v of values) {
      const m = ESP_DOMAIN_RE.exec(v);
      const esp = m && espName(m, sesIsMailbox, fromAddress);
      if (esp) return `ESP fingerprint: ${esp} (${displayHeaderName(name)})`;
    }
  }
  return null;
}

/** Return-Path that is a bounce/VERP address or a server account, other than the From address. */
function bounceReturnPathReason(meta: MessageMeta, fromAddress: string | null): string | null {
  const values = meta.headers['return-path'];
  if (!values) return null;
  for (const v of values) {
    const address = returnPathAddress(v).toLowerCase();
    if (!address || address === fromAddress) continue;
    const parts = split(address);
    if (!parts || FORWARDER_LOCAL_RE.test(parts[0])) continue;
    const local = parts[0].replace(BATV_PREFIX_RE, '');
    if (BOUNCE_LOCAL_RE.test(local) || isMachineId(local)) return 'bounce-handling (VERP) Return-Path';
    if (SERVER_ACCOUNT_RE.test(local)) return 'server account Return-Path';
  }
  return null;
}

/**
 * Signals that a person can also produce (an `info@` mailbox, a `mail.` host, Reply-To on another
 * domain, no visible recipient, a server-side mailer). One alone proves nothing — `info@` is
 * often the owner of a small company — so two must agree.
 */
function weakSignalsReason(meta: MessageMeta, from: [string, string] | null): string | null {
  // Cheapest signals first; most person-to-person mail has none and leaves here without allocating.
  let first: string | null = null;
  if (from) {
    const role = ROLE_TOKEN_RE.exec(from[0]);
    if (role) first = `${role[1]}@ sender`;
    else if (isMachineId(from[0])) first = 'machine-generated sender id';
  }
  const to = meta.to;
  let recipients: string | null = null;
  if (to.length === 0 && meta.cc.length === 0) recipients = 'no visible recipient';
  else if (to.length === 1 && (!to[0]!.address || UNDISCLOSED_RE.test(to[0]!.address) || UNDISCLOSED_RE.test(to[0]!.name))) {
    recipients = 'undisclosed recipients';
  } else if (from && to.length === 1 && meta.cc.length === 0 && to[0]!.address.toLowerCase() === `${from[0]}@${from[1]}`) {
    recipients = 'sent to itself (Bcc blast)';
  }
  const fromDomain = from?.[1] ?? null;
  const dot = fromDomain ? fromDomain.indexOf('.') : -1;
  const weakHost = dot > 0 && fromDomain!.indexOf('.', dot + 1) !== -1 && WEAK_SUBDOMAIN_RE.test(fromDomain!.slice(0, dot));
  const suppress = meta.headers['x-auto-response-suppress'] !== undefined;
  if (first === null && recipients === null && !weakHost && !suppress) return null;

  const fromBase = fromDomain ? registrableDomain(fromDomain) : null;
  const signals: string[] = [];
  if (first) signals.push(first);
  if (suppress) signals.push('X-Auto-Response-Suppress');
  if (weakHost && fromBase !== fromDomain) signals.push('mail-host subdomain');
  if (recipients) signals.push(recipients);
  if (signals.length === 0) return null;
  const replyParts = split(meta.replyTo[0]?.address);
  if (replyParts && fromDomain && replyParts[1] !== fromDomain && registrableDomain(replyParts[1]) !== fromBase) {
    signals.push('Reply-To on another domain');
  }
  const rp = meta.headers['return-path'];
  if (rp && fromDomain) {
    for (const v of rp) {
      const parts = split(returnPathAddress(v));
      if (parts && parts[1] !== fromDomain && registrableDomain(parts[1]) !== fromBase) {
        signals.push('Return-Path on another domain');
        break;
      }
    }
  }
  const mailer = meta.headers['x-mailer']?.[0];
  if (mailer && SERVER_MAILER_RE.test(mailer)) signals.push('server-side mailer');
  return signals.length >= 2 ? `weak signals: ${signals.slice(0, 3).join(' + ')}` : null;
}

/**
 * Header-only verdict: a short human reason ("List-Unsubscribe header", "bounce: multipart/report",
 * "ESP fingerprint: Mailchimp (X-MC-User)", "no-reply sender") or null for person-to-person mail.
 *
 * Cheap exact-header checks come first, then sender patterns, then the scans of Received,
 * DKIM and Return-Path, then the weak-signal pairs.
 *
 * @example
 * // headers { 'list-unsubscribe': ['<mailto:u@x.com>'] } → "List-Unsubscribe header"
 * // From "Jane Doe <jane@acme.com>", nothing else of note → null
 */
export function automatedByHeaders(meta: MessageMeta): string | null {
  const h = meta.headers;

  const contentType = h['content-type']?.[0];
  if (contentType) {
    if (MULTIPART_REPORT_RE.test(contentType)) {
      return DISPOSITION_REPORT_RE.test(contentType) ? 'read receipt: multipart/report' : 'bounce: multipart/report';
    }
    if (/^\s*text\/calendar/i.test(contentType)) return 'calendar notice: text/calendar';
  }

  const autoSubmitted = h['auto-submitted'];
  if (autoSubmitted) {
    for (const v of autoSubmitted) {
      if (!AUTO_SUBMITTED_NO_RE.test(v)) return `Auto-Submitted: ${v.trim().split(/[\s;(]/, 1)[0] || 'set'}`;
    }
  }

  const returnPath = h['return-path'];
  if (returnPath) {
    for (const v of returnPath) if (returnPathAddress(v) === '') return 'bounce: null Return-Path';
  }

  const mailer = h['x-mailer'];
  const sesIsMailbox = mailer !== undefined && WORKMAIL_RE.test(mailer[0] ?? '');

  // One pass over header names: an ESP names the sender best, then List-*, then list-server tells.
  let listHeader: string | null = null;
  let listServer: string | null = null;
  for (const name in h) {
    if (name.startsWith('list-')) {
      if (listHeader === null || name === 'list-unsubscribe') listHeader = name;
      continue;
    }
    if (name.charCodeAt(0) !== 120 /* x */ && name !== 'feedback-id' && name !== 'mailing-list') continue;
    const reason = espHeaderReason(name, sesIsMailbox);
    if (reason) return reason;
    const server: string | undefined = listServer === null ? LIST_SERVER_HEADERS.get(name) : undefined;
    if (server) listServer = `list server: ${server} (${displayHeaderName(name)})`;
  }
  if (listHeader) return `${displayHeaderName(listHeader).replace('List-ID', 'List-Id')} header`;
  if (listServer) return listServer;

  const precedence = h['precedence'];
  if (precedence) {
    for (const v of precedence) {
      const m = BULK_PRECEDENCE_RE.exec(v);
      if (m) return `Precedence: ${m[1]!.toLowerCase()}`;
    }
  }

  const contentClass = h['content-class']?.[0];
  if (contentClass && /calendarmessage/i.test(contentClass)) return 'calendar notice: Content-Class';

  if (CALENDAR_SUBJECT_RE.test(meta.subject)) {
    const senderAddress = `${meta.sender?.address ?? ''} ${meta.from?.address ?? ''}`;
    if ((contentType && CALENDAR_TYPE_RE.test(contentType)) || CALENDAR_SENDER_RE.test(senderAddress)) {
      return 'calendar notice';
    }
  }

  const from = split(meta.from?.address);
  const fromReason = machineSenderReason(meta.from, 'sender', from);
  if (fromReason) return fromReason;
  const senderReason = machineSenderReason(meta.sender, 'Sender');
  if (senderReason) return senderReason;
  for (const r of meta.replyTo) {
    const replyReason = machineSenderReason(r, 'Reply-To');
    if (replyReason && !replyReason.endsWith('display name')) return replyReason;
  }

  const autoSubject = AUTO_SUBJECT_RE.exec(meta.subject);
  if (autoSubject) return `auto-reply or bounce subject: ${autoSubject[1]!.toLowerCase()}`;

  if (from) {
    const label = bulkSubdomain(from[1]);
    if (label) return `bulk-mail host: ${label}. subdomain`;
  }

  if (mailer) {
    for (const v of mailer) {
      const m = BULK_MAILER_RE.exec(v);
      if (m) return `bulk mailer: X-Mailer ${m[1]}`;
    }
  }

  const fromAddress = from ? `${from[0]}@${from[1]}` : null;
  return espTraceReason(meta, sesIsMailbox) ?? bounceReturnPathReason(meta, fromAddress) ?? weakSignalsReason(meta, from);
}
