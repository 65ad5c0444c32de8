// Message-IDs compared with angle brackets stripped and space trimmed, as the sync job does.

const BRACKETED = /<([^<>\s]+)>/g;

/** `" <a@b> "` → `"a@b"`; empty → null. */
export function normalizeMessageId(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const id = String(raw).trim().replace(/^<+/, '').replace(/>+$/, '').trim();
  return id === '' ? null : id;
}

/** A References / In-Reply-To value (string or list) → ids in order, without duplicates. */
export function parseMessageIdList(value: unknown): string[] {
  if (!value) return [];
  const parts = Array.isArray(value)
    ? value.map(String)
    : (() => {
        const text = String(value);
        const bracketed = [...text.matchAll(BRACKETED)].map((match) => match[1] ?? '');
        return bracketed.length > 0 ? bracketed : text.split(/[\s,]+/);
      })();
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const raw of parts) {
    const id = normalizeMessageId(raw);
    if (id && !seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  return ids;
}
