/**
 * Maps a tenant (snapshot or generated) to Salesforce's own objects: Account.Website plus the
 * extra-domain field, Contact.Email/Phone/MobilePhone, Lead (not converted), Opportunity,
 * OpportunityContactRole and User. Snapshot ids are kept as record ids so a snapshot, the
 * emulator and the index agree.
 */
import { ACCOUNT_DOMAINS_FIELD, SF_OBJECTS, parseSfDatetime } from './salesforce-schema.js';
import type { SalesforceStore } from './salesforce-store.js';
import type { TenantSource } from '../common/tenant-generator.js';

const DAY = 86_400_000;

/** Inserts every entity of `tenant` into `store`. */
export function seedSalesforce(store: SalesforceStore, tenant: TenantSource): void {
  const O = SF_OBJECTS;
  for (const u of tenant.users) store.insert(O.User!, { Name: u.name ?? u.email, Email: u.email, IsActive: true }, u.id);
  for (const a of tenant.accounts) {
    const [website, ...extra] = a.domains;
    store.insert(
      O.Account!,
      { Name: a.name, Website: website ?? null, [ACCOUNT_DOMAINS_FIELD]: extra.length ? extra.join(';') : null, OwnerId: a.ownerId ?? null },
      a.id,
    );
  }
  for (const c of tenant.contacts) {
    store.insert(
      O.Contact!,
      { Name: c.name ?? null, Email: c.emails[0] ?? null, Phone: c.phones[0] ?? null, MobilePhone: c.phones[1] ?? null, AccountId: c.accountId ?? null },
      c.id,
    );
  }
  for (const l of tenant.leads) {
    store.insert(
      O.Lead!,
      { Name: l.name ?? null, Email: l.emails[0] ?? null, Phone: l.phones[0] ?? null, Company: l.company ?? null, Website: l.domain ?? null, Status: 'Open', IsConverted: false },
      l.id,
    );
  }
  let role = 0;
  for (const d of tenant.deals) {
    const created = parseSfDatetime(d.createdDate);
    const modified = parseSfDatetime(d.lastModified);
    store.insert(
      O.Opportunity!,
      {
        Name: d.name,
        AccountId: d.accountId,
        StageName: d.isClosed ? 'Closed Won' : 'Prospecting',
        // Salesforce requires a close date; an open deal carries its expected one.
        CloseDate: d.closeDate ? d.closeDate.slice(0, 10) : new Date(created + 90 * DAY).toISOString().slice(0, 10),
        IsClosed: d.isClosed,
        IsWon: d.isClosed,
        OwnerId: d.ownerId,
        CreatedDate: created,
        LastModifiedDate: modified,
        SystemModstamp: modified,
      },
      d.id,
    );
    d.contactRoles.forEach((contactId, index) => {
      role++;
      store.insert(
        O.OpportunityContactRole!,
        { OpportunityId: d.id, ContactId: contactId, Role: 'Decision Maker', IsPrimary: index === 0, SystemModstamp: modified },
        `00K${role.toString(36).toUpperCase().padStart(12, '0')}SED`,
      );
    });
  }
}
