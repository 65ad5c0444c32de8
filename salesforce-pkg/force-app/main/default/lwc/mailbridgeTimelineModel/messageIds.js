// Message-ID handling for threading: ids are compared with angle brackets stripped and
// surrounding space trimmed (the same normalisation the sync job uses for dedupe).

const BRACKETED = /<([^<>\s]+)>/g;

/**
 * Normalises one Message-ID: `" <a@b> "` → `"a@b"`; empty → null.
 * @param {string|null|undefined} raw
 * @returns {string|null}
 */
export function normalizeMessageId(raw) {
    if (raw === null || raw === undefined) {
        return null;
    }
    const id = String(raw).trim().replace(/^<+/, '').replace(/>+$/, '').trim();
    return id === '' ? null : id;
}

/**
 * Parses a References or In-Reply-To value into ids, in order, without duplicates.
 * Bracketed ids win; a value without brackets is split on white space and commas.
 * @param {string|null|undefined} value
 * @returns {string[]}
 */
export function parseMessageIdList(value) {
    if (!value) {
        return [];
    }
    const text = String(value);
    const bracketed = [...text.matchAll(BRACKETED)].map((match) => match[1]);
    const ids = bracketed.length > 0 ? bracketed : text.split(/[\s,]+/);
    const seen = new Set();
    const result = [];
    for (const raw of ids) {
        const id = normalizeMessageId(raw);
        if (id && !seen.has(id)) {
            seen.add(id);
            result.push(id);
        }
    }
    return result;
}

/**
 * Reads Message-ID, In-Reply-To and References from a raw header block
 * (EmailMessage.Headers). Folded lines are unfolded first (RFC 5322 §2.2.3).
 * @param {string|null|undefined} headers
 * @returns {{ messageId: string|null, inReplyTo: string[], references: string[] }}
 */
export function parseThreadHeaders(headers) {
    const result = { messageId: null, inReplyTo: [], references: [] };
    if (!headers) {
        return result;
    }
    const unfolded = String(headers).replace(/\r?\n[ \t]+/g, ' ');
    for (const line of unfolded.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon <= 0) {
            continue;
        }
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1);
        if (name === 'message-id' && !result.messageId) {
            result.messageId = parseMessageIdList(value)[0] ?? null;
        } else if (name === 'in-reply-to') {
            result.inReplyTo = parseMessageIdList(value);
        } else if (name === 'references') {
            result.references = parseMessageIdList(value);
        }
    }
    return result;
}
