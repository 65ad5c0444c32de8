import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetMessages, settleCrmDeletions } from '../../../src/app/admin/forget-messages.js';
import { adminFixture, ledgerKeys, textKeys, type AdminFixture } from './admin-fixture.js';

describe('forgetMessages', () => {
  let f: AdminFixture;
  beforeEach(() => {
    f = adminFixture();
    f.record({ key: 'k1', from: 'jane@acme.com', subject: 'One', accounts: ['A-acme'] });
    f.record({ key: 'k2', from: 'hank@globex.com', subject: 'Two', accounts: ['A-globex'] });
  });
  afterEach(() => f.close());

  it('removes ledger rows, their children and the FTS text, and deletes the CRM activity', async () => {
    const result = await forgetMessages(f, ['k1', 'k1', 'missing'], { reason: 'test' });
    expect(result).toEqual({ messages: 1, crmDeleted: 1, crmOwed: 0 });
    expect(ledgerKeys(f)).toEqual(['k2']);
    expect(textKeys(f)).toEqual(['k2']);
    for (const table of ['ledger_holders', 'ledger_participants', 'ledger_records']) {
      expect(f.db.prepare(`SELECT count(*) FROM ${table} WHERE key = 'k1'`).pluck().get()).toBe(0);
    }
    expect(f.fakeCrm.deleted).toEqual(['crm-k1']);
    expect(f.admin.crmDeletionsOwedCount()).toBe(0);
  });

  it('a CRM failure still removes the local rows and leaves the deletion owed until settled', async () => {
    f.fakeCrm.failDeletes = true;
    const result = await forgetMessages(f, ['k1', 'k2'], { reason: 'blocklist' });
    expect(result).toEqual({ messages: 2, crmDeleted: 0, crmOwed: 2 });
    expect(ledgerKeys(f)).toEqual([]);
    const owed = f.admin.crmDeletionsOwed();
    expect(owed.map((o) => [o.crmId, o.reason, o.attempts])).toEqual([
      ['crm-k1', 'blocklist', 1],
      ['crm-k2', 'blocklist', 1],
    ]);
    expect(owed[0]!.lastError).toContain('503');

    expect(await settleCrmDeletions(f.admin, f.fakeCrm)).toEqual({ paid: 0, owed: 2 });
    expect(f.admin.crmDeletionsOwed()[0]!.attempts).toBe(2);

    f.fakeCrm.failDeletes = false;
    expect(await settleCrmDeletions(f.admin, f.fakeCrm)).toEqual({ paid: 2, owed: 0 });
    expect(f.fakeCrm.deleted.sort()).toEqual(['crm-k1', 'crm-k2']);
    expect(f.count('crm_deletions')).toBe(0);
  });

  it('with crm: false keeps the CRM activity and owes nothing', async () => {
    const result = await forgetMessages(f, ['k2'], { reason: 'retention', crm: false });
    expect(result).toEqual({ messages: 1, crmDeleted: 0, crmOwed: 0 });
    expect(f.fakeCrm.calls).toBe(0);
    expect(f.count('crm_deletions')).toBe(0);
  });
});
