/**
 * Rebuilds RFC 5322 source from a stored message, for Graph `/$value` and Gmail `format=raw`.
 */
import type { StoredMessage } from './mail-store.js';

/** The message as MIME text: its headers, then a text, HTML or multipart/alternative body. */
export function buildRawMessage(message: StoredMessage): string {
  const lines = message.headers
    .filter((h) => !/^(content-type|content-transfer-encoding|mime-version)$/i.test(h.name))
    .map((h) => `${h.name}: ${h.value}`);
  lines.push('MIME-Version: 1.0');
  const text = message.text ?? '';
  if (message.html !== null && message.text !== null) {
    const boundary = `b_${message.key}`;
    lines.push(`Content-Type: multipart/alternative; boundary="${boundary}"`, '');
    lines.push(`--${boundary}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text);
    lines.push(`--${boundary}`, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', message.html);
    lines.push(`--${boundary}--`, '');
  } else if (message.html !== null) {
    lines.push('Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', message.html);
  } else {
    lines.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text);
  }
  return lines.join('\r\n');
}
