// The contact and deal filters: options come from the emails on screen, so a rep never
// picks a filter that shows nothing.

const ALL = '';

function optionsFrom(pairs, allLabel) {
    const counts = new Map();
    for (const [value, label] of pairs) {
        const known = counts.get(value);
        counts.set(value, { label: known?.label || label, count: (known?.count ?? 0) + 1 });
    }
    const options = [...counts.entries()]
        .map(([value, { label, count }]) => ({ value, label: `${label} (${count})` }))
        .sort((a, b) => a.label.localeCompare(b.label));
    return [{ value: ALL, label: allLabel }, ...options];
}

/**
 * Contact filter options: every contact that took part in at least one email, with its count.
 * @param {{ contacts: { recordId: string, name: string, address: string }[] }[]} emails
 * @returns {{ value: string, label: string }[]}
 */
export function contactOptions(emails) {
    const pairs = [];
    for (const email of emails) {
        const seen = new Set();
        for (const contact of email.contacts ?? []) {
            if (contact.recordId && !seen.has(contact.recordId)) {
                seen.add(contact.recordId);
                pairs.push([contact.recordId, contact.name || contact.address]);
            }
        }
    }
    return optionsFrom(pairs, 'All contacts');
}

/**
 * Deal filter options: every deal an email is logged on, with its count.
 * @param {{ dealId: string|null, dealName: string|null }[]} emails
 * @returns {{ value: string, label: string }[]}
 */
export function dealOptions(emails) {
    const pairs = emails.filter((email) => email.dealId).map((email) => [email.dealId, email.dealName || email.dealId]);
    return optionsFrom(pairs, 'All deals');
}

/**
 * The emails matching both filters; an empty filter value matches everything.
 * @template {{ contacts: { recordId: string }[], dealId: string|null }} E
 * @param {E[]} emails
 * @param {{ contactId?: string, dealId?: string }} filters
 * @returns {E[]}
 */
export function filterEmails(emails, filters) {
    const contactId = filters?.contactId || ALL;
    const dealId = filters?.dealId || ALL;
    return emails.filter(
        (email) =>
            (contactId === ALL || (email.contacts ?? []).some((contact) => contact.recordId === contactId)) &&
            (dealId === ALL || email.dealId === dealId)
    );
}
