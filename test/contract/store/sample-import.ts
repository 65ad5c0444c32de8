/** An imported email as the store contract cases record it: Jane of Acme writes to Sam, on deal 006A. */
import type { ActivityDraft, ImportRecord } from '../../../src/core/ports.js';

export function sampleImport(key: string, mailboxId: string, over: Partial<ActivityDraft> = {}, bcc: ImportRecord['bcc'] = []): ImportRecord {
  const activity: ActivityDraft = {
    key,
    direction: 'inbound',
    sentAt: '2026-11-02T09:00:00.000Z',
    from: { name: 'Jane Buyer', address: 'jane@acme.example' },
    to: [{ name: 'Sam Seller', address: 'sam@seller.example' }],
    cc: [],
    subject: 'Renewal quote for Acme',
    text: 'Please send the revised pricing for the platinum tier.',
    messageId: `<${key}@acme.example>`,
    inReplyTo: null,
    references: [],
    contactIds: ['003A'],
    accountIds: ['001A'],
    leadIds: [],
    dealIds: ['006A'],
    userIds: ['005S'],
    ownerId: '005S',
    relatedToId: '006A',
    explanation: 'jane@acme.example is contact Jane Buyer',
    ...over,
  };
  return { key, crmId: `00T-${key}`, mailboxId, activity, bcc };
}
