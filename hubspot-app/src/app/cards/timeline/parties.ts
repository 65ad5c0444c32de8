// Senders and recipients as a rep reads them.
import type { Party } from './types';

/** `{ name: 'Jane Doe', address: 'jane@acme.example' }` → `"Jane Doe <jane@acme.example>"`. */
export function formatParty(party: Partial<Party> | null | undefined): string {
  if (!party) return '';
  const name = (party.name ?? '').trim();
  const address = (party.address ?? '').trim();
  if (name && address && name.toLowerCase() !== address.toLowerCase()) return `${name} <${address}>`;
  return name || address;
}

/** Parties joined with ", ". */
export function formatParties(parties: readonly Partial<Party>[] | null | undefined): string {
  return (parties ?? []).map(formatParty).filter(Boolean).join(', ');
}
