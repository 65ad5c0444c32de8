/**
 * The dedupe key of DESIGN §1.5: the normalised Message-ID (angle brackets stripped, trimmed),
 * else a hash of From, date, subject and the recipient set. The same email seen in several
 * mailboxes gets the same key, so it becomes one activity.
 */
import { createHash } from 'node:crypto';
import { normalizeAddress } from './address.js';
import type { MessageMeta } from './types.js';

export function normalizeMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const id = value.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
  return id ? id : null;
}

export function dedupeKey(meta: MessageMeta): string {
  const id = normalizeMessageId(meta.messageId);
  if (id) return `mid:${id}`;
  const recipients = [...meta.to, ...meta.cc, ...meta.bcc]
    .map((a) => normalizeAddress(a.address) ?? a.address.trim().toLowerCase())
    .filter(Boolean);
  const parts = [
    normalizeAddress(meta.from?.address) ?? '',
    meta.sentAt ?? '',
    meta.subject.trim(),
    [...new Set(recipients)].sort().join(','),
  ];
  return `hash:${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40)}`;
}
