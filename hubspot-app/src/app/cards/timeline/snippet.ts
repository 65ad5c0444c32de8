// Plain-text previews. Nothing here produces markup: the card passes these strings to
// <Text>, which renders characters, so `<script>` in an email stays visible text.

const QUOTE_HEADER =
  /^\s*(On .+ wrote:|Am .+ schrieb .+:|Le .+ a écrit\s?:|-{2,}\s*Original Message\s*-{2,}|_{5,})\s*$/i;
const SIGNATURE = /^-- ?$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\u2028\u2029]/g;

/** The body with control characters removed (line breaks kept, CRLF → LF). */
export function displayBody(body: string | null | undefined): string {
  return String(body ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .trim();
}

/**
 * One-line preview of what the sender wrote: quoted history and signature dropped, space
 * collapsed, cut at a word boundary with "…".
 * Example: "Hi Ann,\n\nSigned copy attached.\n\nOn Mon, Bob wrote:\n> old" → "Hi Ann, Signed copy attached."
 */
export function plainSnippet(body: string | null | undefined, maxLength = 160): string {
  const kept: string[] = [];
  for (const line of displayBody(body).split('\n')) {
    if (QUOTE_HEADER.test(line) || SIGNATURE.test(line)) break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  const text = kept.join(' ').replace(/\s+/g, ' ').trim();
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxLength * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
