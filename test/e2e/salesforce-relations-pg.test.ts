/**
 * Salesforce's relation index on the PostgreSQL store: the adapter ties a batch's matched ids to
 * its participants' addresses through the tenant's domain index in PostgreSQL (one round trip
 * per batch, `resolveKeys`), so it asks Salesforce fewer queries than without an index, and the
 * EmailMessageRelation rows name the matched contact on the right addresses.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ActivityDraft } from '../../src/core/ports.js';
import { SalesforceAdapter } from '../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { startPostgresOrSkip, type PostgresServer } from '../helpers/postgres-server.js';

let server: PostgresServer | null = null;
beforeAll(async () => {
  server = await startPostgresOrSkip();
}, 120_000);
afterAll(async () => server?.stop());

const draft = (key: string, contactId: string): ActivityDraft => ({
  key,
  direction: 'inbound',
  sentAt: '2026-11-02T09:00:00.000Z',
  from: { name: 'Jane Buyer', address: 'Jane@Acme.example' },
  to: [{ name: 'Sam Seller', address: 'sam@seller.example' }],
  cc: [],
  subject: 'Renewal quote',
  text: 'Please send the revised pricing.',
  messageId: `<${key}@acme.example>`,
  inReplyTo: null,
  references: [],
  contactIds: [contactId],
  accountIds: [],
  leadIds: [],
  dealIds: [],
  userIds: [],
  ownerId: null,
  relatedToId: null,
  explanation: 'jane@acme.example is contact Jane Buyer',
});

it('ties relations through the PostgreSQL index, with fewer Salesforce queries than without it', async (ctx) => {
  if (!server) return ctx.skip();
  const sf = await startSalesforceEmulator();
  const store = new PostgresStore({ url: await server.createDatabase('sf_relations') });
  try {
    const contactId = sf.control.createRecord('Contact', { Name: 'Jane Buyer', Email: 'jane@acme.example' });
    await store.migrate('acme');
    const tenant = await store.tenant('acme', 'relations-test-key-0123456789abcdef');
    await tenant.index.applyChanges({ cursor: 'c1', contacts: [{ id: contactId, emails: ['jane@acme.example'], phones: [] }] });
    const c = sf.credentials;
    const withIndex = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, retryBaseMs: 20, relationIndex: tenant.index });
    const without = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, retryBaseMs: 20 });
    // Each adapter's first write also logs in and describes; the second is measured.
    const queriesOf = async (adapter: SalesforceAdapter, key: string) => {
      const before = sf.counters.get('query');
      const [out] = await adapter.writeActivities([draft(key, contactId)]);
      expect(out?.ok).toBe(true);
      return sf.counters.get('query') - before;
    };
    await queriesOf(withIndex, 'mid:warm-1');
    await queriesOf(without, 'mid:warm-2');
    const indexed = await queriesOf(withIndex, 'mid:a');
    const looked = await queriesOf(without, 'mid:b');
    expect(indexed).toBeLessThan(looked);

    const relationsOf = (key: string) =>
      sf.control.emails().find((e) => e.record.Mailbridge_Key__c === key)!.relations.map((r) => [r.RelationId, r.RelationType, String(r.RelationAddress).toLowerCase()]);
    expect(relationsOf('mid:a')).toContainEqual([contactId, 'FromAddress', 'jane@acme.example']);
    expect(relationsOf('mid:a')).toEqual(relationsOf('mid:b'));
  } finally {
    await store.close();
    await sf.close();
  }
});
