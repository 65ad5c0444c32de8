/**
 * Replies inherit their thread (DESIGN §2 "Threads"): a message whose In-Reply-To or References
 * names an imported email carries that email's contacts, accounts, leads and deal. The nearest
 * parent wins: In-Reply-To, then References from the newest back. Pure: the ledger lookup is
 * the store's, asked once per page with `threadKeys` of every message on it.
 */
import { normalizeMessageId } from './dedupe.js';
import type { ImportedAssociation } from './ports.js';
import type { MessageMeta } from './types.js';

/** Ledger keys a message refers to, nearest parent first. */
export function threadKeys(meta: MessageMeta): string[] {
  const keys: string[] = [];
  for (const ref of [meta.inReplyTo, ...[...meta.references].reverse()]) {
    const id = normalizeMessageId(ref);
    if (!id) continue;
    const key = `mid:${id}`;
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** Every ledger key the messages of a page refer to: the one bulk lookup of the page. */
export function pageThreadKeys(messages: readonly MessageMeta[]): string[] {
  return [...new Set(messages.flatMap(threadKeys))];
}

/** The nearest imported email among those `meta` refers to, if any. */
export function threadParent(meta: MessageMeta, imported: ReadonlyMap<string, ImportedAssociation>): ImportedAssociation | undefined {
  for (const key of threadKeys(meta)) {
    const parent = imported.get(key);
    if (parent) return parent;
  }
  return undefined;
}

/** The subject-free way an explanation names the parent: its CRM activity, else its ledger key. */
export function threadRef(parent: Pick<ImportedAssociation, 'activityId' | 'key'>): string {
  return parent.activityId ? `activity ${parent.activityId}` : parent.key;
}
