/**
 * Maps a tenant (snapshot or generated) to HubSpot's own objects: owners, companies with `domain`
 * (a bare host) and `hs_additional_domains`, contacts with `email`, `hs_additional_emails` and
 * their primary company, deals with `closedate`, `hs_is_closed`, pipeline stage and associations
 * to their company and contact-role contacts. Leads become what most portals hold them as:
 * contacts at lifecycle stage `lead` with a `company` name and `website`, tied to no company.
 */
import type { HubspotStore } from './hubspot-store.js';
import type { TenantSource } from '../common/tenant-generator.js';

/** `https://www.acme.co.uk/about` → `acme.co.uk`, the way HubSpot stores a company domain. */
function bareHost(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .split(/[/?#]/, 1)[0]!
    .replace(/^www\./, '');
}

function splitName(name: string | null | undefined): { firstname: string | null; lastname: string | null } {
  if (!name) return { firstname: null, lastname: null };
  const at = name.lastIndexOf(' ');
  return at < 0 ? { firstname: null, lastname: name } : { firstname: name.slice(0, at), lastname: name.slice(at + 1) };
}

/** A contact's personal properties: name, email (plus additional ones), phones. */
function person(p: { name?: string | null; emails: readonly string[]; phones: readonly string[] }): Record<string, string | null> {
  const [email, ...extra] = p.emails;
  return {
    ...splitName(p.name),
    email: email ?? null,
    hs_additional_emails: extra.length ? extra.join(';') : null,
    phone: p.phones[0] ?? null,
    mobilephone: p.phones[1] ?? null,
  };
}

/**
 * Inserts every entity of `tenant`. `spreadMs` spaces the seeded modification dates one entity
 * apart (a real portal's records were not all modified in the same millisecond).
 */
export function seedHubspot(store: HubspotStore, tenant: TenantSource, base: number, spreadMs = 1): void {
  let tick = 0;
  const at = () => {
    const t = base + tick++ * spreadMs;
    return { created: t, updated: t };
  };
  let userId = 1;
  for (const u of tenant.users) {
    const { firstname, lastname } = splitName(u.name);
    store.owners.set(u.id, { id: u.id, email: u.email, firstName: firstname ?? '', lastName: lastname ?? '', userId: userId++, createdAt: base, updatedAt: base, archived: false });
  }
  for (const a of tenant.accounts) {
    const [primary, ...extra] = a.domains.map(bareHost);
    store.create('companies', { name: a.name, domain: primary ?? null, hs_additional_domains: extra.length ? extra.join(';') : null, hubspot_owner_id: a.ownerId ?? null }, a.id, at());
  }
  for (const c of tenant.contacts) {
    store.create('contacts', { ...person(c), associatedcompanyid: c.accountId ?? null }, c.id, at());
    if (c.accountId) store.associate('contacts', c.id, 'companies', c.accountId, 1);
  }
  for (const l of tenant.leads) {
    store.create('contacts', { ...person(l), lifecyclestage: 'lead', company: l.company ?? null, website: l.domain ?? null, associatedcompanyid: null }, l.id, at());
  }
  for (const d of tenant.deals) {
    const created = Date.parse(d.createdDate);
    const modified = Date.parse(d.lastModified);
    store.create(
      'deals',
      {
        dealname: d.name,
        pipeline: 'default',
        dealstage: d.isClosed ? 'closedwon' : 'appointmentscheduled',
        hs_is_closed: String(d.isClosed),
        hs_is_closed_won: String(d.isClosed),
        closedate: d.closeDate ? new Date(Date.parse(d.closeDate.length === 10 ? `${d.closeDate}T00:00:00Z` : d.closeDate)).toISOString() : null,
        hubspot_owner_id: d.ownerId,
      },
      d.id,
      { created, updated: modified },
    );
    if (d.accountId) store.associate('deals', d.id, 'companies', d.accountId, 5);
    for (const contactId of d.contactRoles) store.associate('deals', d.id, 'contacts', contactId, 3);
  }
}
