// Senders and recipients as a rep reads them: "Name <address>", or the address alone.

/**
 * Parses a semicolon- or comma-separated address field (EmailMessage.ToAddress, CcAddress).
 * `"Bob Ng <bob@acme.example>; eve@acme.example"` → two parties.
 * @param {string|null|undefined} value
 * @returns {{ name: string, address: string }[]}
 */
export function parseAddressField(value) {
    if (!value) {
        return [];
    }
    const parties = [];
    for (const part of String(value).split(/[;,]/)) {
        const text = part.trim();
        if (!text) {
            continue;
        }
        const named = /^(.*?)\s*<([^<>]+)>$/.exec(text);
        if (named) {
            parties.push({ name: named[1].replace(/^"|"$/g, '').trim(), address: named[2].trim() });
        } else {
            parties.push({ name: '', address: text });
        }
    }
    return parties;
}

/**
 * Merges party lists, first occurrence wins, addresses compared case-insensitively;
 * a later entry fills in a missing name.
 * @param {...{ name: string, address: string }[]} lists
 */
export function mergeParties(...lists) {
    const byAddress = new Map();
    for (const party of lists.flat()) {
        const key = (party.address || party.name).toLowerCase();
        if (!key) {
            continue;
        }
        const known = byAddress.get(key);
        if (!known) {
            byAddress.set(key, { ...party });
        } else if (!known.name && party.name) {
            known.name = party.name;
        }
    }
    return [...byAddress.values()];
}

/**
 * `{ name: 'Jane Doe', address: 'jane@acme.example' }` → `"Jane Doe <jane@acme.example>"`.
 * @param {{ name?: string, address?: string }|null|undefined} party
 * @returns {string}
 */
export function formatParty(party) {
    if (!party) {
        return '';
    }
    const name = (party.name ?? '').trim();
    const address = (party.address ?? '').trim();
    if (name && address && name.toLowerCase() !== address.toLowerCase()) {
        return `${name} <${address}>`;
    }
    return name || address;
}

/**
 * Parties joined with ", ".
 * @param {{ name?: string, address?: string }[]|null|undefined} parties
 * @returns {string}
 */
export function formatParties(parties) {
    return (parties ?? []).map(formatParty).filter(Boolean).join(', ');
}
