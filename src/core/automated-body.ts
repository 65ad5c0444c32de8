/**
 * The body-level second check of DESIGN §1.4: on mail that passed the header rules, look for
 * what newsletters and transactional engines put in their bodies and people do not write —
 * unsubscribe links and footers, tracking pixels, "view in browser", template markup, "this is
 * an automated message".
 *
 * Only the sender's own part counts: quoted replies and forwarded mail are cut off first, so a
 * person who replies to (or forwards) a newsletter is still a person (DESIGN §1.3, "person-to-
 * person mail, HTML or not, must not be called automated").
 */
import type { MessageBody } from './types.js';

/** Where quoted or forwarded text starts in a plain-text body (Outlook, Gmail, Lotus Notes, Apple). */
const TEXT_QUOTE_START_RE = new RegExp(
  [
    String.raw`^[ \t]*-{2,}[ \t]*(Original Message|Forwarded message|Message d'origine|Ursprüngliche Nachricht|Mensaje original)`,
    String.raw`^[ \t]*-{3,}[ \t]*Forwarded by\b`,
    String.raw`^[ \t]*(Begin forwarded message|Forwarded message)[ \t]*:`,
    String.raw`^[ \t]*On\b[^\n]{0,200}(\n[^\n]{0,100})?\bwrote:[ \t]*$`,
    String.raw`^[ \t]*Am\b[^\n]{0,200}\bschrieb[^\n]{0,80}:[ \t]*$`,
    String.raw`^[ \t]*Le\b[^\n]{0,200}\ba écrit[ \t]*:[ \t]*$`,
    // Outlook's plain reply header: "From: …" followed by "Sent:" / "Date:" within two lines.
    String.raw`^[ \t]*\*?From:\*?[ \t][^\n]*\n(?:[^\n]*\n)?[ \t]*\*?(Sent|Date|To):`,
    // Lotus Notes (the Enron mail): `"Jane Doe" <jd@x.com> on 05/01/2001 10:12:13 AM`.
    String.raw`^[^\n]{0,160}\bon \d{1,2}/\d{1,2}/\d{2,4} \d{1,2}:\d{2}(:\d{2})?[ \t]*(AM|PM)?[ \t]*$`,
    String.raw`^[ \t]*_{20,}[ \t]*$\n[ \t]*From:`,
  ].join('|'),
  'im',
);

/** Where quoted or forwarded content starts in an HTML body. */
const HTML_QUOTE_START_RE =
  /<blockquote\b|class=["']?(gmail_quote|gmail_attr|yahoo_quoted|moz-cite-prefix)|id=["']?(divRplyFwdMsg|appendonsend|OLK_SRC_BODY_SECTION|x_divRplyFwdMsg)|-{2,40}\s{0,20}(Original Message|Forwarded message)|border-top:\s{0,5}solid\s{1,5}#(E1E1E1|B5C4DF)/i;

/** Footer and header phrases of bulk mail, in the languages of the corpora. */
/** Start of a sentence or of a footer line, for the imperative forms ("To unsubscribe, …"). */
const LEAD = String.raw`(?:^|[\n.!?:|*>\]-]\s*)`;

/**
 * Footer and header phrases of bulk mail, in the languages of the corpora. They address the
 * reader ("if you wish to…", "you are receiving…") or are imperative at the start of a line
 * ("To unsubscribe, …"): a person asking to be taken off a list writes in the first person
 * ("I tried to unsubscribe", "I'd like to be removed from the list") and must not match.
 */
export const BULK_PHRASES: readonly string[] = [
  String.raw`${LEAD}(to unsubscribe|to be removed from|to opt[- ]?out|to stop receiving)\b`,
  String.raw`\bunsubscribe (here|instantly|below|at any ?time|anytime|link)\b|\bunsubscribe:`,
  String.raw`\bunsubscribe\s*(<|\[|\(|https?:|mailto:)`,
  String.raw`click here to (unsubscribe|be removed|opt[- ]?out|remove)`,
  String.raw`remove (yourself|your (e-?mail|name|address)) from`,
  String.raw`if you (no longer |do not |don't )?(wish|want|would like|prefer|care) (not )?(to )?(stop receiving|be removed|unsubscribe|opt[- ]?out|receive (these|this|further|future|our))`,
  String.raw`if you (no longer|do not|don't) (wish|want|care) to (receive|get) `,
  String.raw`you (can|may) (unsubscribe|opt[- ]?out)\b`,
  String.raw`(those|anyone) who (do not|don't|no longer) (wish|want) to receive`,
  String.raw`manage (your )?(e-?mail |subscription |communication |notification )(preferences|subscriptions?|settings)|manage (your )?subscriptions?\b`,
  String.raw`(subscription|communication|e-?mail|mailing) preferences`,
  String.raw`reply[^.\n]{0,40}with (the word )?"?(remove|unsubscribe|stop)"?( as| in)? (the|your) subject`,
  String.raw`replace the subject[^.\n]{0,20}with the word "?(remove|unsubscribe)`,
  String.raw`writes to the [^\n]{1,60} (discussion |mailing )?list:`,
  // Salutations to a crowd: a person writing to one person uses the singular.
  String.raw`notice to all (interested )?parties|dear valued (customer|member|subscriber|client)|dear (customers|members|subscribers|market participants|shippers)\b`,
  String.raw`(you are|you're|you were) (currently )?(receiving (this|these)|subscribed to|signed up (for|to) (this|our))\b`,
  String.raw`(you (are|were) subscribed|your subscription) to\b`,
  // Not "if you have received this email in error": that is every law firm's disclaimer.
  String.raw`you (have )?received this (e-?mail|message|newsletter|mailing|notification|alert) (because|as a)`,
  String.raw`this (e-?mail|message|newsletter|mailing|alert|notification) (was|is being|has been) (sent|delivered|mailed) to (you because|the following address|[^\s@]+@)`,
  String.raw`view (this |the )?(e-?mail|message|newsletter|mailing )?\s*(in|on) (your |a )?(web )?browser`,
  String.raw`trouble (viewing|reading|seeing) this (e-?mail|message|newsletter|mailing)`,
  String.raw`trouble with the (button|link) above`,
  String.raw`copy and paste (the|this) (url|link|address) (below )?into your (web )?browser`,
  String.raw`if you did(n't| not) (request|sign up|make this request|create an account)`,
  String.raw`this is an? (automated|automatic|auto-generated|system[- ]generated) (message|e-?mail|notification|response|reply|reminder)`,
  String.raw`(please )?do not reply (directly )?to this (e-?mail|message|notification)`,
  String.raw`this (e-?mail|message|notification) (was|has been|is) (automatically |system[- ])?generated|automatically generated (e-?mail|message)`,
  String.raw`(newsletter|e-?mail|mailing)[^.\n]{0,20}(abbestellen|abmelden)`,
  String.raw`\bnewsletter abbestellen|vom newsletter abmelden|se d[ée]sinscrire|se d[ée]sabonner|darse de baja`,
];
const BULK_PHRASE_RE = new RegExp(BULK_PHRASES.join('|'), 'i');

/**
 * Footer words: three of them near the end make a template footer, one helps a pixel count.
 * Company e-mail signatures carry some of them too ("Privacy Policy | © 2026 Acme. All rights
 * reserved. Subscribe to our newsletter"), so a footer also needs one that only bulk mail has.
 */
const FOOTER_WORD_RES: readonly RegExp[] = [
  /\bprivacy (policy|statement)\b/i,
  /\ball rights reserved\b/i,
  /\bterms (of use|of service|and conditions)\b/i,
  /\bsubscribe\b/i,
  /\bnewsletter\b/i,
  /(©|\(c\)|copyright)\W{0,4}(19|20)\d\d\b/i,
  /\bclick here\b/i,
];
/** Footer words that a person's signature does not have. */
const BULK_FOOTER_WORD_RES: readonly RegExp[] = [
  /\bunsubscribe\b/i,
  /\b(subscriber|subscription)s?\b/i,
  /\bmailing list\b/i,
  /\b(forward (this|to a friend)|tell a friend)\b/i,
  /\badvertis(e|ing) (on|with|in)\b/i,
];
const FOOTER_SPAN = 2500;

const UNSUB_ANCHOR_RE = />\s*(unsubscribe|opt[- ]?out|abmelden|abbestellen|se d[ée]sinscrire|d[ée]sabonnement)\s*<\/a>/i;
// Every repetition is bounded and stops at `<`, so hostile markup cannot make these quadratic.
const UNSUB_HREF_RE =
  /<a\b[^<>]{0,2000}\bhref\s{0,5}=\s{0,5}["']?[^"'<>\s]{0,2000}(unsubscribe|unsub\b|optout|opt-out|opt_out|list-manage\.com|email-preferences|emailpreferences|manage[-_]?subscription|abmelden|abbestellen|desinscri)/i;
const IMG_TAG_RE = /<img\b[^<>]{0,2000}>/gi;
const ONE_PX_WIDTH_RE = /\bwidth\s*(=\s*["']?|:\s*)[01](px)?\b/i;
const ONE_PX_HEIGHT_RE = /\bheight\s*(=\s*["']?|:\s*)[01](px)?\b/i;
// Class names of ESP and transactional template kits (Mailchimp, MJML, Postmark, Mailgun);
// mail clients write MsoNormal, gmail_*, Apple-* instead.
const TEMPLATE_MARKER_RE =
  /mc:edit|\*\|(UNSUB|ARCHIVE|MC_PREVIEW_TEXT)\|\*|mcnPreviewText|class=["'][^"'<>]{0,300}\b(mj-column[\w-]*|mj-outlook[\w-]*|preheader|es-wrapper|mcnTextContent|bodyTable|templateContainer|email-masthead[\w-]*|email-wrapper|email-body[\w-]*|email-footer|body-wrap|content-block|btn-primary|f-fallback)\b|%%(unsubscribe|view_online|tracking)%%|\{\{\s*unsubscribe|\[unsubscribe\]/i;
const TAG_RE = /<[^<>]{0,5000}>/g;
const BLOCK_TAG_RE = /<\/?(p|div|br|tr|td|th|li|ul|ol|table|h[1-6]|center|hr)\b[^<>]{0,5000}>/gi;
const BLOCK_TAGS = ['style', 'script', 'head'] as const;
const ENTITY_RE = /&(nbsp|#160|#xa0);/gi;

/** The sender's own text: quoted lines dropped, everything from the first reply/forward header cut. */
export function ownText(text: string): string {
  const quote = TEXT_QUOTE_START_RE.exec(text);
  const own = quote ? text.slice(0, quote.index) : text;
  // Quoted lines interleaved with the reply ("> …") are not the sender's words either.
  return own.includes('\n>') || own.startsWith('>') ? own.replace(/^[ \t]*>.*$/gm, '') : own;
}

/** The sender's own HTML: everything from the first quote container or reply header cut. */
export function ownHtml(html: string): string {
  const quote = HTML_QUOTE_START_RE.exec(html);
  return quote ? html.slice(0, quote.index) : html;
}

/** Drops `<style>`, `<script>` and `<head>` blocks with indexOf scans (linear on any input). */
function dropBlocks(html: string): string {
  let out = '';
  let pos = 0;
  const lower = html.toLowerCase();
  for (;;) {
    const next = nextBlock(lower, pos);
    if (!next) return out + html.slice(pos);
    out += html.slice(pos, next.start);
    const end = lower.indexOf(`</${next.tag}`, next.start);
    if (end === -1) return out;
    pos = end;
  }
}

function nextBlock(lower: string, from: number): { start: number; tag: string } | null {
  let best: { start: number; tag: string } | null = null;
  for (const tag of BLOCK_TAGS) {
    let i = lower.indexOf(`<${tag}`, from);
    // `<header>` is not `<head>`: the name must end there.
    while (i !== -1 && /[a-z0-9-]/.test(lower.charAt(i + tag.length + 1))) i = lower.indexOf(`<${tag}`, i + 1);
    if (i !== -1 && (!best || i < best.start)) best = { start: i, tag };
  }
  return best;
}

function htmlToRoughText(html: string): string {
  // Block tags end a line (so "To unsubscribe" in its own cell starts one), inline tags become
  // spaces; runs of spaces are folded for the phrase patterns.
  return dropBlocks(html)
    .replace(BLOCK_TAG_RE, '\n')
    .replace(TAG_RE, ' ')
    .replace(ENTITY_RE, ' ')
    .replace(/[ \t\r\f\v]+/g, ' ');
}

function trackingPixel(html: string): boolean {
  IMG_TAG_RE.lastIndex = 0;
  for (let m = IMG_TAG_RE.exec(html); m; m = IMG_TAG_RE.exec(html)) {
    if (ONE_PX_WIDTH_RE.test(m[0]) && ONE_PX_HEIGHT_RE.test(m[0])) return true;
  }
  return false;
}

/** Footer words near the end of the text, and whether one of them is bulk-only. */
function footerWords(text: string): { count: number; bulk: boolean } {
  const tail = text.length > FOOTER_SPAN ? text.slice(text.length - FOOTER_SPAN) : text;
  let count = 0;
  let bulk = false;
  for (const re of FOOTER_WORD_RES) if (re.test(tail)) count++;
  for (const re of BULK_FOOTER_WORD_RES) {
    if (re.test(tail)) {
      count++;
      bulk = true;
    }
  }
  return { count, bulk };
}

/**
 * Body-level second check on qualifying mail (unsubscribe links, tracking pixels, bulk templates,
 * "view in browser", etc.): a short human reason, or null for person-to-person mail.
 *
 * @example automatedByBody({ text: 'Hi Jane,\n\nSee you Tuesday.\n\nBob', html: null }) // null
 * @example automatedByBody({ text: 'News…\n\nTo unsubscribe, reply STOP.', html: null }) // "unsubscribe or bulk-mail wording"
 */
export function automatedByBody(body: MessageBody): string | null {
  if (body.html) {
    const html = ownHtml(body.html);
    if (UNSUB_HREF_RE.test(html) || UNSUB_ANCHOR_RE.test(html)) return 'unsubscribe link';
    if (TEMPLATE_MARKER_RE.test(html)) return 'bulk template markup';
    const rough = htmlToRoughText(html);
    if (BULK_PHRASE_RE.test(rough)) return 'unsubscribe or bulk-mail wording';
    const footer = footerWords(rough);
    // A pixel alone is not enough: sellers' own one-to-one mail sent through Yesware, HubSpot
    // Sales or Outreach carries one too, often under a signature with a privacy-policy link and
    // a table layout, and that mail must be imported (issue 2, precision). A pixel plus one
    // bulk-only footer word is a campaign.
    if (footer.bulk && trackingPixel(html)) return 'tracking pixel in a bulk template';
    if (footer.count >= 3 && footer.bulk) return 'bulk template footer';
  }
  if (body.text) {
    const text = ownText(body.text);
    if (BULK_PHRASE_RE.test(text)) return 'unsubscribe or bulk-mail wording';
    if (TEMPLATE_MARKER_RE.test(text)) return 'bulk template markup';
    const footer = footerWords(text);
    if (footer.count >= 3 && footer.bulk) return 'bulk template footer';
  }
  return null;
}
