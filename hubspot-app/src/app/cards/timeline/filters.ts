// The contact and deal filters of the card.
import type { TimelineEmail, TimelineFilters } from './types';

export interface FilterOption {
  value: string;
  label: string;
}

const ALL = '';

/**
 * Contact options: the contacts that took part in at least one email, with their count.
 * Example: Jane in 2 emails, Raj in 1 → ["All contacts", "Jane Doe (2)", "Raj Patel (1)"].
 */
export function contactOptions(emails: readonly TimelineEmail[]): FilterOption[] {
  const counts = new Map<string, { label: string; count: number }>();
  for (const email of emails) {
    const seen = new Set<string>();
    for (const contact of email.contacts) {
      if (!contact.recordId || seen.has(contact.recordId)) continue;
      seen.add(contact.recordId);
      const known = counts.get(contact.recordId);
      counts.set(contact.recordId, {
        label: known?.label || contact.name || contact.address,
        count: (known?.count ?? 0) + 1,
      });
    }
  }
  const options = [...counts.entries()]
    .map(([value, { label, count }]) => ({ value, label: `${label} (${count})` }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return [{ value: ALL, label: 'All contacts' }, ...options];
}

/** Deal options from the deals on the record, by name. */
export function dealOptions(deals: readonly { id: string; name: string }[]): FilterOption[] {
  const options = deals
    .map((deal) => ({ value: deal.id, label: deal.name || `Deal ${deal.id}` }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return [{ value: ALL, label: 'All deals' }, ...options];
}

/** Emails matching both filters; an empty value matches everything. */
export function filterEmails<E extends Pick<TimelineEmail, 'contacts' | 'dealIds'>>(
  emails: readonly E[],
  filters: TimelineFilters,
): E[] {
  const contactId = filters.contactId || ALL;
  const dealId = filters.dealId || ALL;
  return emails.filter(
    (email) =>
      (contactId === ALL || email.contacts.some((contact) => contact.recordId === contactId)) &&
      (dealId === ALL || email.dealIds.includes(dealId)),
  );
}
