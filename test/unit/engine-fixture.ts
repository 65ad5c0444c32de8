/** The tenant the engine's table-driven tests run against (hand-written; every case names its rule). */
export const TENANT = {
  companyDomains: ['example-seller.com', 'seller.co.uk'],
  users: [
    { id: 'u-alex', email: 'alex@example-seller.com' },
    { id: 'u-sam', email: 'sam@example-seller.com' },
    { id: 'u-contractor', email: 'casey@contractor-mail.com' },
  ],
  accounts: [
    { id: 'a-acme', name: 'Acme', domains: ['https://www.acme.co.uk/about', 'acme.com'], ownerId: 'u-alex' },
    { id: 'a-globex', name: 'Globex', domains: ['globex.com'], ownerId: 'u-sam' },
    { id: 'a-globex-eu', name: 'Globex Europe', domains: ['globex.com'], ownerId: 'u-sam' },
    { id: 'a-initrode', name: 'Initrode', domains: [], ownerId: null },
    { id: 'a-bucher', name: 'Bücher GmbH', domains: ['bücher.de'], ownerId: null },
  ],
  contacts: [
    { id: 'c-jane', emails: ['Jane@Acme.com'], phones: [], accountId: 'a-acme' },
    { id: 'c-jane-dup', emails: ['jane@acme.com'], phones: [], accountId: null },
    { id: 'c-ian', emails: ['ian@initrode.com'], phones: [], accountId: 'a-initrode' },
    { id: 'c-noacct', emails: ['solo@solo-consulting.com'], phones: [], accountId: null },
    { id: 'c-pat', emails: ['pat@gmail.com'], phones: [], accountId: 'a-globex' },
    { id: 'c-orphan-gmail', emails: ['someone@gmail.com'], phones: [], accountId: null },
  ],
  leads: [
    { id: 'l-lee', emails: ['lee@hooli.io'], phones: [], company: 'Hooli', domain: null },
    { id: 'l-dom', emails: [], phones: [], company: 'Pied Piper', domain: 'https://piedpiper.com' },
    { id: 'l-free', emails: ['lead@yahoo.com'], phones: [], company: null, domain: 'yahoo.com' },
    { id: 'l-solo', emails: ['solo@solo-consulting.com'], phones: [], company: 'Solo', domain: null },
  ],
  deals: [
    { id: 'd-renewal', accountId: 'a-acme', name: 'Renewal 2027', isClosed: false, closeDate: '2027-01-31',
      createdDate: '2026-01-01', lastModified: '2026-03-01T00:00:00Z', ownerId: 'u-sam', contactRoles: ['c-jane'] },
    { id: 'd-expansion', accountId: 'a-acme', name: 'Expansion', isClosed: true, closeDate: '2026-04-01',
      createdDate: '2025-06-01', lastModified: '2026-04-01T00:00:00Z', ownerId: 'u-alex', contactRoles: [] },
    { id: 'd-pilot', accountId: 'a-globex', name: 'Pilot', isClosed: true, closeDate: '2026-03-01',
      createdDate: '2025-06-01', lastModified: '2026-03-01T00:00:00Z', ownerId: 'u-sam', contactRoles: [] },
  ],
  blocklist: { addresses: ['Blocked.Person+x@partner.com'], domains: ['spammy.io'], phrases: ['Confidential: HR'] },
};
