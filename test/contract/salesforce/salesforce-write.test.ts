import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { draft, smallSnapshot } from './crm-fixtures.js';

describe('Salesforce write-back (jsforce against the emulator)', () => {
  let sf: RunningSalesforceEmulator;
  let adapter: SalesforceAdapter;

  beforeEach(async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot() });
    const c = sf.credentials;
    adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, retryBaseMs: 20 });
  });
  afterEach(() => sf.close());

  const batch = () => [
    draft(1),
    draft(2, {
      direction: 'inbound',
      from: { name: "Pat O'Brien", address: "o'brien@acme.co.uk" },
      to: [{ name: 'Ann Seller', address: 'ann@ours.example' }],
      cc: [{ name: 'Jane Doe', address: 'Jane@Acme.co.uk' }],
      subject: "Re: it's signed'); DELETE FROM EmailMessage --",
      contactIds: ['c-obrien', 'c-jane'],
      inReplyTo: '<msg-1@ours.example>',
      references: ['<msg-1@ours.example>'],
    }),
    draft(3, { to: [{ name: 'Hank', address: 'hank@globex.com' }], contactIds: ['c-hank'], accountIds: ['a-globex'], dealIds: [], relatedToId: 'a-globex' }),
  ];

  it('writes each activity once and reads back field by field', async () => {
    const outcomes = await adapter.writeActivities(batch());
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const emails = sf.control.emails();
    expect(emails).toHaveLength(3);
    const second = emails.find((e) => e.record.Mailbridge_Key__c === 'key-2')!;
    expect(second.record).toMatchObject({
      Id: (outcomes[1] as { crmId: string }).crmId,
      Subject: "Re: it's signed'); DELETE FROM EmailMessage --",
      TextBody: 'Hello Jane,\nhere is proposal 2.',
      FromName: "Pat O'Brien",
      FromAddress: "o'brien@acme.co.uk",
      ToAddress: 'ann@ours.example',
      CcAddress: 'Jane@Acme.co.uk',
      MessageDate: '2026-03-03T10:00:00.000+0000',
      Status: '3',
      Incoming: true,
      RelatedToId: 'd-renewal',
      MessageIdentifier: '<msg-2@ours.example>',
      ThreadIdentifier: '<msg-1@ours.example>',
      Mailbridge_Explanation__c: 'contact jane@acme.co.uk → account Acme; deal Renewal 2027 open at send time; contact role',
    });
    const relations = second.relations.map((r) => [r.RelationId, r.RelationType, r.RelationObjectType]).sort();
    expect(relations).toEqual([
      ['c-jane', 'CcAddress', 'Contact'],
      ['c-obrien', 'FromAddress', 'Contact'],
      ['u-ann', 'ToAddress', 'User'],
    ]);
    const third = emails.find((e) => e.record.Mailbridge_Key__c === 'key-3')!;
    expect(third.record.RelatedToId).toBe('a-globex');
    expect(third.relations.map((r) => [r.RelationId, r.RelationType]).sort()).toEqual([
      ['c-hank', 'ToAddress'],
      ['u-ann', 'FromAddress'],
    ]);
  });

  /** Written content without the timestamps an (idempotent) update bumps. */
  const content = () =>
    sf.control.emails().map(({ record, relations }) => {
      const { LastModifiedDate: _l, SystemModstamp: _s, ...rest } = record;
      return { rest, relations };
    });

  it('replaying the same batch twice writes nothing new', async () => {
    const first = await adapter.writeActivities(batch());
    const before = content();
    const createsBefore = sf.counters.get('collections-create');
    const again = await adapter.writeActivities(batch());
    const third = await adapter.writeActivities(batch());
    expect(again).toEqual(first);
    expect(third).toEqual(first);
    expect(content()).toEqual(before);
    expect(content()).toHaveLength(3);
    // No relation had to be created on replay.
    expect(sf.counters.get('collections-create')).toBe(createsBefore);
  });

  it('ends with exactly one activity per email when responses are lost or refused mid-batch', async () => {
    const drafts = Array.from({ length: 250 }, (_, i) => draft(i + 10));
    // The upsert of the first chunk is applied but its answer is cut off; the relation create
    // of the second chunk is applied and cut off too; then a 503 before anything is applied.
    sf.control.addFault({ kind: 'collections-upsert', fault: { type: 'truncate' } });
    sf.control.addFault({ kind: 'collections-create', fault: { type: 'truncate' } });
    sf.control.addFault({ kind: 'collections-upsert', fault: { type: 'status', status: 503 } });
    const outcomes = await adapter.writeActivities(drafts);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(250);
    const emails = sf.control.emails();
    expect(emails).toHaveLength(250);
    expect(new Set(emails.map((e) => e.record.Mailbridge_Key__c)).size).toBe(250);
    for (const e of emails) {
      expect(e.relations.map((r) => `${r.RelationId}|${r.RelationType}`).sort()).toEqual(['c-jane|ToAddress', 'u-ann|FromAddress']);
    }
    expect(sf.faults.pending()).toBe(0);
  });

  it('re-mints the token when the session expires mid-run', async () => {
    await adapter.writeActivities([draft(1)]);
    sf.control.expireTokens();
    const outcomes = await adapter.writeActivities([draft(2)]);
    expect(outcomes[0]).toMatchObject({ ok: true });
    expect(sf.counters.get('oauth')).toBe(2);
  });

  it('reports per-record failures without failing the batch', async () => {
    const outcomes = await adapter.writeActivities([draft(1), draft(2, { relatedToId: '006000000000NOPE' })]);
    expect(outcomes[0]).toMatchObject({ ok: true });
    expect(outcomes[1]).toMatchObject({ ok: false, retryable: false });
    expect((outcomes[1] as { error: string }).error).toMatch(/INVALID_CROSS_REFERENCE_KEY/);
    expect(sf.control.emails()).toHaveLength(1);
  });

  it('deletes activities by id, repeatably', async () => {
    const outcomes = await adapter.writeActivities(batch());
    const ids = outcomes.map((o) => (o as { crmId: string }).crmId);
    await adapter.deleteActivities(ids.slice(0, 2));
    await adapter.deleteActivities(ids.slice(0, 2));
    expect(sf.control.emails().map((e) => e.record.Id)).toEqual([ids[2]]);
  });
});
