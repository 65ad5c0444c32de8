/**
 * The one way the status page builds HTML: the `html` tagged template escapes every interpolated
 * value unless it is itself an `html` fragment, so a mailbox address, audit entry or error message
 * holding `<script>` is text, never markup, without a call site having to remember anything.
 */

/** Markup built by `html` (or `raw`): the only values inserted unescaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly Value[]).map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** `html\`<td>${text}</td>\``: strings escaped, fragments and arrays of fragments kept. */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Markup written in this codebase (the stylesheet), never data. */
export const raw = (markup: string): SafeHtml => new SafeHtml(markup);
