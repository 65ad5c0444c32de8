/**
 * HTML → plain text for storage and write-back (DESIGN §1.4): scripts, styles and images are
 * dropped, links keep their text only, so no markup of an email ever reaches a CRM.
 */
import { convert } from 'html-to-text';
import type { MessageBody } from './types.js';

const OPTIONS = {
  wordwrap: false as const,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'head', format: 'skip' },
  ],
};

export function htmlToText(html: string): string {
  return convert(html, OPTIONS).trim();
}

/** The text part when there is one, else the HTML part converted. */
export function plainText(body: MessageBody): string {
  if (body.text && body.text.trim()) return body.text.trim();
  if (body.html) return htmlToText(body.html);
  return '';
}
