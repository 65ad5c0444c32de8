/**
 * Re-association in Salesforce through jsforce against the emulator (docs/rules.md
 * "Re-association"). The rule the emulator enforces comes from the Salesforce Object Reference,
 * EmailMessage, "Special Access Rules"
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_emailmessage.htm):
 * when the email is not a draft, only IsExternallyVisible and custom fields can be updated. The
 * exact error code of that refusal is not in the reference or any source found (searched: the
 * object reference, Salesforce Stack Exchange, client-library issues); the emulator answers
 * FIELD_INTEGRITY_EXCEPTION naming the field, and the test holds it to refusing by that code
 * and field, leaving the record as it was. The composite semantics (one call, `allOrNone` rolls back every subrequest, the others answer
 * PROCESSING_HALTED) follow the REST API guide, "Composite".
 */
import { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityMove } from '../../../src/core/ports.js';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { draft, smallSnapshot } from './crm-fixtures.js';

describe('Salesforce re-association (jsforce against the emulator)', () => {
  let sf: RunningSalesforceEmulator;
  let adapter: SalesforceAdapter;

  beforeEach(async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot() });
    const c = sf.credentials;
    adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, retryBaseMs: 20 });
  });
  afterEach(() => sf.close());

  const live = () => sf.control.emails();

  /** key-1 from Ann to Jane, moved off deal Renewal 2027 onto the Acme account, with Hank (Globex) added. */
  const move = (crmId: string): ActivityMove => ({
    key: 'key-1',
    crmId,
    from: { contactIds: ['c-jane'], accountIds: ['a-acme'], leadIds: [], dealIds: ['d-renewal'], userIds: ['u-ann'], relatedToId: 'd-renewal', ownerId: 'u-ann' },
    to: { contactIds: ['c-jane'], accountIds: ['a-acme'], leadIds: [], dealIds: [], userIds: ['u-ann'], relatedToId: 'a-acme', ownerId: 'u-ann' },
    explanation: 'first line\nre-associated 2026-03-20: deal Renewal 2027 → account Acme (…)',
  });

  it('refuses a RelatedToId update on a sent EmailMessage, through jsforce, and keeps it as it was', async () => {
    const [written] = await adapter.writeActivities([draft(1)]);
    const id = (written as { crmId: string }).crmId;
    const conn = new Connection({ instanceUrl: sf.url, accessToken: sf.credentials.accessToken, version: '62.0' });
    const result = await conn.sobject('EmailMessage').update({ Id: id, RelatedToId: 'a-acme' }).catch((e: unknown) => e);
    const refusal = JSON.stringify(result);
    expect(refusal).toContain('RelatedToId');
    expect(refusal).toMatch(/FIELD_INTEGRITY_EXCEPTION/);
    // A custom field stays writable once sent.
    const custom = await conn.sobject('EmailMessage').update({ Id: id, Mailbridge_Explanation__c: 'changed' });
    expect(custom).toMatchObject({ success: true });
    expect(live()[0]!.record.RelatedToId).toBe('d-renewal');
  });

  it('moves by deleting and recreating under the same key in one composite call: one activity, same content, new records', async () => {
    const [written] = await adapter.writeActivities([draft(1, { cc: [{ name: 'Hank', address: 'hank@globex.com' }] })]);
    const oldId = (written as { crmId: string }).crmId;
    const before = live()[0]!;
    const calls = sf.counters.get('composite') ?? 0;
    const to = { ...move(oldId).to, contactIds: ['c-jane', 'c-hank'], accountIds: ['a-acme', 'a-globex'] };
    const [outcome] = await adapter.moveActivities([{ ...move(oldId), to }]);
    expect(outcome).toMatchObject({ key: 'key-1', ok: true, unchanged: false });
    expect(sf.counters.get('composite')).toBe(calls + 1);
    const after = live();
    expect(after).toHaveLength(1);
    const now = after[0]!;
    expect(now.record.Id).toBe((outcome as { crmId: string }).crmId);
    expect(now.record.Id).not.toBe(oldId);
    const same = ['Mailbridge_Key__c', 'Subject', 'TextBody', 'FromAddress', 'ToAddress', 'CcAddress', 'MessageDate', 'MessageIdentifier', 'ThreadIdentifier', 'Status', 'Incoming'];
    for (const f of same) expect(now.record[f], f).toEqual(before.record[f]);
    expect(now.record.RelatedToId).toBe('a-acme');
    expect(now.record.Mailbridge_Explanation__c).toContain('re-associated 2026-03-20');
    expect(now.relations.map((r) => [r.RelationId, r.RelationType]).sort()).toEqual([
      ['c-hank', 'CcAddress'],
      ['c-jane', 'ToAddress'],
      ['u-ann', 'FromAddress'],
    ]);

    // Again (a retry after a crash, with the ledger still holding the old id): Salesforce already shows it.
    const [again] = await adapter.moveActivities([{ ...move(oldId), to }]);
    expect(again).toEqual({ key: 'key-1', ok: true, crmId: now.record.Id, unchanged: true });
    expect(sf.counters.get('composite')).toBe(calls + 1);
    expect(live()).toHaveLength(1);
  });

  it('a failure inside the composite rolls the delete back: the old activity stays whole, no second one', async () => {
    const [written] = await adapter.writeActivities([draft(1)]);
    const oldId = (written as { crmId: string }).crmId;
    const before = live();
    // The relation row (after the delete and the new message) is refused: all or none.
    sf.control.addItemFault({ error: 'DUPLICATES_DETECTED', object: 'EmailMessageRelation' });
    const [outcome] = await adapter.moveActivities([move(oldId)]);
    expect(outcome).toMatchObject({ key: 'key-1', ok: false, retryable: false });
    expect((outcome as { error: string }).error).toMatch(/^DUPLICATES_DETECTED/);
    expect(live()).toEqual(before);
    // Next time it goes through.
    const [retried] = await adapter.moveActivities([move(oldId)]);
    expect(retried).toMatchObject({ ok: true, unchanged: false });
    expect(live()).toHaveLength(1);
    expect(live()[0]!.record.RelatedToId).toBe('a-acme');
  });

  it('an activity deleted in Salesforce cannot move: refused for good, nothing created', async () => {
    const [outcome] = await adapter.moveActivities([{ ...move('02s000000000000'), key: 'key-none' }]);
    expect(outcome).toMatchObject({ key: 'key-none', ok: false, retryable: false });
    expect(live()).toHaveLength(0);
  });
});
