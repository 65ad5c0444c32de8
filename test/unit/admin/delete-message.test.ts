import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminError } from '../../../src/app/admin/admin-parts.js';
import { deleteMessage } from '../../../src/app/admin/delete-message.js';
import { adminFixture, ledgerKeys, type AdminFixture } from './admin-fixture.js';

describe('messages delete: roles', () => {
  let f: AdminFixture;
  beforeEach(() => {
    f = adminFixture({ admins: ['Ann@Seller.example'] });
    // Acme is Ben's, Globex is Cat's.
    f.record({ key: 'k-acme', from: 'jane@acme.com', subject: 'Acme', accounts: ['A-acme'] });
    f.record({ key: 'k-acme-deal', from: 'jane@acme.com', subject: 'Acme deal', deals: ['D-acme'] });
    f.record({ key: 'k-globex', from: 'hank@globex.com', subject: 'Globex', accounts: ['A-globex'] });
    f.record({ key: 'k-both', from: 'hank@globex.com', cc: ['jane@acme.com'], subject: 'Both', accounts: ['A-acme', 'A-globex'] });
    f.record({ key: 'k-lead', from: 'lee@initech.example', subject: 'Lead', leads: ['L-lee'] });
  });
  afterEach(() => f.close());

  it('an owner deletes messages on their own accounts, by ledger key or CRM id', async () => {
    expect(await deleteMessage(f, 'k-acme', 'ben@seller.example')).toMatchObject({ key: 'k-acme', role: 'owner', result: { messages: 1, crmDeleted: 1 } });
    // Through the deal's account.
    expect(await deleteMessage(f, 'crm-k-acme-deal', 'Ben+x@seller.example')).toMatchObject({ key: 'k-acme-deal', role: 'owner' });
    expect(ledgerKeys(f)).toEqual(['k-both', 'k-globex', 'k-lead']);
    expect(f.admin.auditLog(1)[0]).toMatchObject({ actor: 'ben@seller.example', action: 'messages.delete', target: 'k-acme-deal' });
  });

  it("a standard user is refused on another owner's account, with an audit entry", async () => {
    for (const id of ['k-globex', 'k-both', 'k-lead']) {
      await expect(deleteMessage(f, id, 'ben@seller.example')).rejects.toThrow(AdminError);
    }
    expect(ledgerKeys(f)).toHaveLength(5);
    expect(f.fakeCrm.calls).toBe(0);
    const refusals = f.admin.auditLog(10).filter((e) => e.action === 'messages.delete.refused');
    expect(refusals.map((e) => e.target).sort()).toEqual(['k-both', 'k-globex', 'k-lead']);
  });

  it('someone who is neither an admin nor a CRM user is refused', async () => {
    await expect(deleteMessage(f, 'k-acme', 'stranger@elsewhere.example')).rejects.toThrow(/not an admin and not a CRM user/);
  });

  it('an admin deletes any message', async () => {
    for (const id of ['k-globex', 'k-both', 'crm-k-lead']) {
      expect(await deleteMessage(f, id, 'ann@seller.example')).toMatchObject({ role: 'admin' });
    }
    expect(ledgerKeys(f)).toEqual(['k-acme', 'k-acme-deal']);
  });

  it('an unknown id or a bad --as is bad input', async () => {
    await expect(deleteMessage(f, 'nope', 'ann@seller.example')).rejects.toThrow(/no imported message/);
    await expect(deleteMessage(f, 'k-acme', 'ann')).rejects.toThrow(/not an email address/);
  });
});
