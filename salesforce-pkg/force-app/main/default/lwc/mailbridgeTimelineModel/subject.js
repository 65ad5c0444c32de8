// Subjects for thread grouping: reply and forward prefixes in the languages mail clients
// commonly write them (Re, Fwd, AW, WG, SV, VS, Antw, TR, RIF) are not part of the topic.

const PREFIX = /^\s*(?:re|fw|fwd|aw|wg|sv|vs|antw|tr|rif)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/i;

/**
 * The subject without its reply/forward prefixes, e.g. `"RE: Fwd: Pricing"` → `"Pricing"`.
 * @param {string|null|undefined} subject
 * @returns {string}
 */
export function stripSubjectPrefixes(subject) {
    let text = String(subject ?? '').trim();
    let previous;
    do {
        previous = text;
        text = text.replace(PREFIX, '');
    } while (text !== previous);
    return text.replace(/\s+/g, ' ').trim();
}

/**
 * The key two subjects share when they name the same topic (case and spacing ignored).
 * @param {string|null|undefined} subject
 * @returns {string}
 */
export function subjectKey(subject) {
    return stripSubjectPrefixes(subject).toLowerCase();
}

/**
 * Whether a subject starts with a reply or forward prefix.
 * @param {string|null|undefined} subject
 * @returns {boolean}
 */
export function hasReplyPrefix(subject) {
    return PREFIX.test(String(subject ?? ''));
}
