// Grouping logged emails into conversations, the way mail clients do: emails that name each
// other in Message-ID / In-Reply-To / References are one thread; an email with no such header
// (or a "Re:" whose headers were lost) joins the thread that has its subject.
import { hasReplyPrefix, stripSubjectPrefixes, subjectKey } from './subject';

/**
 * Newest first; emails without a date go last; ties keep a stable order by id.
 * @param {{ id: string, sentAt: string|null }} a
 * @param {{ id: string, sentAt: string|null }} b
 */
export function newestFirst(a, b) {
    const ta = a.sentAt ? Date.parse(a.sentAt) : Number.NEGATIVE_INFINITY;
    const tb = b.sentAt ? Date.parse(b.sentAt) : Number.NEGATIVE_INFINITY;
    if (ta !== tb) {
        return tb - ta;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function threadKeysOf(email) {
    const keys = [];
    if (email.messageId) {
        keys.push(`id:${email.messageId}`);
    }
    for (const id of [...(email.inReplyTo ?? []), ...(email.references ?? [])]) {
        keys.push(`id:${id}`);
    }
    if (email.threadKey) {
        keys.push(`thread:${email.threadKey}`);
    }
    const linked = (email.inReplyTo ?? []).length > 0 || (email.references ?? []).length > 0;
    const topic = subjectKey(email.subject);
    if (topic && (!linked || hasReplyPrefix(email.subject))) {
        keys.push(`subject:${topic}`);
    }
    return keys;
}

/**
 * Groups emails into threads. Threads come newest first (by their latest email), and so do
 * the emails inside each thread. A thread's subject is its oldest email's, without "Re:".
 *
 * Example: A (Message-ID a), B (In-Reply-To a), C ("Re: A's subject", no headers) → one thread
 * of C, B, A; D with another subject and no headers → a thread of its own.
 *
 * @template {{ id: string, subject: string, sentAt: string|null, messageId?: string|null,
 *   inReplyTo?: string[], references?: string[], threadKey?: string|null }} E
 * @param {E[]} emails
 * @returns {{ key: string, subject: string, latestAt: string|null, emails: E[] }[]}
 */
export function groupIntoThreads(emails) {
    const parent = new Map();
    const find = (key) => {
        let root = key;
        while (parent.get(root) !== root) {
            root = parent.get(root);
        }
        let node = key;
        while (parent.get(node) !== root) {
            const next = parent.get(node);
            parent.set(node, root);
            node = next;
        }
        return root;
    };
    const union = (a, b) => {
        if (!parent.has(a)) parent.set(a, a);
        if (!parent.has(b)) parent.set(b, b);
        const ra = find(a);
        const rb = find(b);
        if (ra !== rb) parent.set(rb, ra);
    };

    for (const email of emails) {
        const own = `email:${email.id}`;
        if (!parent.has(own)) parent.set(own, own);
        for (const key of threadKeysOf(email)) {
            union(own, key);
        }
    }

    const byRoot = new Map();
    for (const email of emails) {
        const root = find(`email:${email.id}`);
        if (!byRoot.has(root)) byRoot.set(root, []);
        byRoot.get(root).push(email);
    }

    const threads = [...byRoot.values()].map((members) => {
        const ordered = [...members].sort(newestFirst);
        const oldest = ordered[ordered.length - 1];
        return {
            key: `thread-${oldest.id}`,
            subject: stripSubjectPrefixes(oldest.subject) || '(no subject)',
            latestAt: ordered[0].sentAt ?? null,
            emails: ordered
        };
    });
    return threads.sort((a, b) => newestFirst({ id: a.key, sentAt: a.latestAt }, { id: b.key, sentAt: b.latestAt }));
}
