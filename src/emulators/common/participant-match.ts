/**
 * Which stored messages a participant term of a mail search matches (Graph KQL `participants:`,
 * `from:`, …; Gmail `from:`, `to:`, …), shared by both mail emulators. A value with `@` is an
 * address, compared whole; a dotted value without one is a domain and matches its subdomains too;
 * anything else is looked for in the header text (a display name).
 */
import { parseAddressList } from '../../core/address.js';
import { headerValue, type StoredMessage } from './mail-store.js';

export type ParticipantField = 'from' | 'to' | 'cc' | 'bcc';

export function matchesParticipant(m: StoredMessage, fields: readonly ParticipantField[], rawValue: string): boolean {
  const value = rawValue.trim().toLowerCase().replace(/^@/, '');
  if (!value) return false;
  for (const field of fields) {
    const header = headerValue(m.headers, field === 'from' ? 'From' : field === 'to' ? 'To' : field === 'cc' ? 'Cc' : 'Bcc');
    if (!header) continue;
    const addresses = parseAddressList(header).map((a) => a.address.toLowerCase());
    if (value.includes('@')) {
      if (addresses.includes(value)) return true;
    } else if (value.includes('.')) {
      if (addresses.some((a) => {
        const domain = a.slice(a.lastIndexOf('@') + 1);
        return domain === value || domain.endsWith(`.${value}`);
      })) return true;
    } else if (header.toLowerCase().includes(value)) {
      return true;
    }
  }
  return false;
}
