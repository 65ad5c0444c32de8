// Conversations as mail clients build them: emails naming each other in Message-ID /
// In-Reply-To / References form one thread; an email without those headers (or a "Re:" whose
// headers were lost) joins the thread that has its subject.
import { hasReplyPrefix, stripSubjectPrefixes, subjectKey } from './subject';
import type { TimelineEmail } from './types';

export interface Thread<E> {
  key: string;
  subject: string;
  latestAt: string | null;
  emails: E[];
}

type Threadable = Pick<TimelineEmail, 'id' | 'subject' | 'sentAt' | 'messageId' | 'inReplyTo' | 'references'>;

/** Newest first; undated last; ties by id. */
export function newestFirst(a: { id: string; sentAt: string | null }, b: { id: string; sentAt: string | null }): number {
  const ta = a.sentAt ? Date.parse(a.sentAt) : Number.NEGATIVE_INFINITY;
  const tb = b.sentAt ? Date.parse(b.sentAt) : Number.NEGATIVE_INFINITY;
  if (ta !== tb) return tb - ta;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function threadKeysOf(email: Threadable): string[] {
  const keys: string[] = [];
  if (email.messageId) keys.push(`id:${email.messageId}`);
  for (const id of [...email.inReplyTo, ...email.references]) keys.push(`id:${id}`);
  const linked = email.inReplyTo.length > 0 || email.references.length > 0;
  const topic = subjectKey(email.subject);
  if (topic && (!linked || hasReplyPrefix(email.subject))) keys.push(`subject:${topic}`);
  return keys;
}

/**
 * Groups emails into threads, newest thread first, newest email first inside each.
 * Example: A (Message-ID a), B (In-Reply-To a), C ("Re: <A's subject>", no headers) → one
 * thread C, B, A; D with another subject → its own thread.
 */
export function groupIntoThreads<E extends Threadable>(emails: readonly E[]): Thread<E>[] {
  const parent = new Map<string, string>();
  const find = (key: string): string => {
    let root = key;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    let node = key;
    while (parent.get(node) !== root) {
      const next = parent.get(node) ?? root;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };

  for (const email of emails) {
    const own = `email:${email.id}`;
    if (!parent.has(own)) parent.set(own, own);
    for (const key of threadKeysOf(email)) union(own, key);
  }

  const byRoot = new Map<string, E[]>();
  for (const email of emails) {
    const root = find(`email:${email.id}`);
    const members = byRoot.get(root) ?? [];
    members.push(email);
    byRoot.set(root, members);
  }

  const threads = [...byRoot.values()].map((members): Thread<E> => {
    const ordered = [...members].sort(newestFirst);
    const newest = ordered[0] as E;
    const oldest = ordered[ordered.length - 1] as E;
    return {
      key: `thread-${oldest.id}`,
      subject: stripSubjectPrefixes(oldest.subject) || '(no subject)',
      latestAt: newest.sentAt ?? null,
      emails: ordered,
    };
  });
  return threads.sort((a, b) => newestFirst({ id: a.key, sentAt: a.latestAt }, { id: b.key, sentAt: b.latestAt }));
}
