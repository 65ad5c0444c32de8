// Reply/forward prefixes in the languages mail clients write them are not part of the topic.

const PREFIX = /^\s*(?:re|fw|fwd|aw|wg|sv|vs|antw|tr|rif)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/i;

/** `"RE: Fwd: Pricing"` → `"Pricing"`. */
export function stripSubjectPrefixes(subject: string | null | undefined): string {
  let text = String(subject ?? '').trim();
  let previous: string;
  do {
    previous = text;
    text = text.replace(PREFIX, '');
  } while (text !== previous);
  return text.replace(/\s+/g, ' ').trim();
}

/** The key two subjects share when they name the same topic. */
export function subjectKey(subject: string | null | undefined): string {
  return stripSubjectPrefixes(subject).toLowerCase();
}

export function hasReplyPrefix(subject: string | null | undefined): boolean {
  return PREFIX.test(String(subject ?? ''));
}
