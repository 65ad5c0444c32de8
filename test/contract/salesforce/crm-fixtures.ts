/**
 * Hand-written CRM fixtures shared by the Salesforce and HubSpot contract tests: a small
 * tenant snapshot and activity drafts referring to it.
 */
import type { ActivityDraft } from '../../../src/core/ports.js';
import type { CrmSnapshot } from '../../../src/core/types.js';

export function smallSnapshot(): CrmSnapshot {
  return {
    companyDomains: ['ours.example'],
    users: [
      { id: 'u-ann', email: 'ann@ours.example', name: 'Ann Seller' },
      { id: 'u-bob', email: 'bob@ours.example', name: 'Bob Seller' },
    ],
    accounts: [
      { id: 'a-acme', name: 'Acme', domains: ['https://www.acme.co.uk/about', 'acme-group.com'], ownerId: 'u-ann' },
      { id: 'a-globex', name: 'Globex', domains: ['globex.com'], ownerId: 'u-bob' },
    ],
    contacts: [
      { id: 'c-jane', emails: ['jane@acme.co.uk'], phones: ['+44 20 1234'], accountId: 'a-acme', name: 'Jane Doe' },
      { id: 'c-obrien', emails: ["o'brien@acme.co.uk"], phones: [], accountId: 'a-acme', name: "Pat O'Brien" },
      { id: 'c-hank', emails: ['hank@globex.com'], phones: [], accountId: 'a-globex', name: 'Hank' },
    ],
    leads: [{ id: 'l-lou', emails: ['lou@initech.example'], phones: [], company: 'Initech', domain: 'initech.example', name: 'Lou' }],
    deals: [
      {
        id: 'd-renewal',
        accountId: 'a-acme',
        name: 'Renewal 2027',
        isClosed: false,
        closeDate: null,
        createdDate: '2026-01-05T00:00:00.000Z',
        lastModified: '2026-02-01T00:00:00.000Z',
        ownerId: 'u-ann',
        contactRoles: ['c-jane'],
      },
      {
        id: 'd-old',
        accountId: 'a-globex',
        name: 'Pilot',
        isClosed: true,
        closeDate: '2026-01-20',
        createdDate: '2025-11-01T00:00:00.000Z',
        lastModified: '2026-01-20T00:00:00.000Z',
        ownerId: 'u-bob',
        contactRoles: [],
      },
    ],
    blocklist: { addresses: [], domains: [], phrases: [] },
  };
}

/** A draft from Ann to the given contact address, with sensible associations. */
export function draft(n: number, overrides: Partial<ActivityDraft> = {}): ActivityDraft {
  return {
    key: `key-${n}`,
    direction: 'outbound',
    sentAt: `2026-03-0${(n % 9) + 1}T10:00:00.000Z`,
    from: { name: 'Ann Seller', address: 'ann@ours.example' },
    to: [{ name: 'Jane Doe', address: 'jane@acme.co.uk' }],
    cc: [],
    subject: `Proposal ${n}`,
    text: `Hello Jane,\nhere is proposal ${n}.`,
    messageId: `<msg-${n}@ours.example>`,
    inReplyTo: null,
    references: [],
    contactIds: ['c-jane'],
    accountIds: ['a-acme'],
    leadIds: [],
    dealIds: ['d-renewal'],
    userIds: ['u-ann'],
    ownerId: 'u-ann',
    relatedToId: 'd-renewal',
    explanation: 'contact jane@acme.co.uk → account Acme; deal Renewal 2027 open at send time; contact role',
    ...overrides,
  };
}
