// Plain-text previews. Bodies are shown as text only: nothing here produces markup, and the
// templates bind these strings as text, so `<script>` in an email stays visible characters.

const QUOTE_HEADER =
    /^\s*(On .+ wrote:|Am .+ schrieb .+:|Le .+ a écrit\s?:|-{2,}\s*Original Message\s*-{2,}|_{5,})\s*$/i;
const SIGNATURE = /^-- ?$/;

/**
 * The body with control characters removed (tabs and line breaks kept, CRLF → LF).
 * @param {string|null|undefined} body
 * @returns {string}
 */
export function displayBody(body) {
    return (
        String(body ?? '')
            .replace(/\r\n?/g, '\n')
            // eslint-disable-next-line no-control-regex
            .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\u2028\u2029]/g, '')
            .trim()
    );
}

/**
 * A one-line preview of what the sender wrote: quoted history and signature dropped,
 * white space collapsed, cut at a word boundary with "…".
 * Example: "Hi Ann,\n\nSigned copy attached.\n\nOn Mon, Bob wrote:\n> old" → "Hi Ann, Signed copy attached."
 * @param {string|null|undefined} body
 * @param {number} [maxLength]
 * @returns {string}
 */
export function plainSnippet(body, maxLength = 160) {
    const kept = [];
    for (const line of displayBody(body).split('\n')) {
        if (QUOTE_HEADER.test(line) || SIGNATURE.test(line)) {
            break;
        }
        if (/^\s*>/.test(line)) {
            continue;
        }
        kept.push(line);
    }
    const text = kept.join(' ').replace(/\s+/g, ' ').trim();
    if (text.length <= maxLength) {
        return text;
    }
    const cut = text.slice(0, maxLength);
    const space = cut.lastIndexOf(' ');
    return `${(space > maxLength * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
