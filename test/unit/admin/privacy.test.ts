import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessReport, privacyStatus, requestErase, runPrivacyJobs } from '../../../src/app/admin/privacy.js';
import { buildRules } from '../../../src/core/rules.js';
import { blockedBy } from '../../../src/core/blocklist.js';
import { participantsOf } from '../../../src/core/participants.js';
import type { MessageMeta } from '../../../src/core/types.js';
import { adminFixture, ledgerKeys, textKeys, type AdminFixture } from './admin-fixture.js';

function meta(from: string): MessageMeta {
  return {
    id: 'm1', folder: 'inbox', isDraft: false, messageId: '<m1@x>', from: { name: '', address: from }, sender: null, replyTo: [],
    to: [{ name: '', address: 'ben@seller.example' }], cc: [], bcc: [], subject: 'Hi', sentAt: '2026-04-24T10:00:00Z',
    inReplyTo: null, references: [], headers: {},
  };
}

describe('privacy access and erase', () => {
  let f: AdminFixture;
  beforeEach(() => {
    f = adminFixture();
    f.record({ key: 'k-from', from: 'jane+news@acme.com', subject: 'From Jane', accounts: ['A-acme'] });
    f.record({ key: 'k-bcc', from: 'ben@seller.example', to: ['hank@globex.com'], bcc: ['Jane@Acme.com'], subject: 'Bcc Jane' });
    f.record({ key: 'k-mention', from: 'hank@globex.com', subject: 'Forwarding', text: 'Please write to jane@acme.com directly.' });
    f.record({ key: 'k-other', from: 'joe@acme.com', subject: 'Joe', text: 'Nothing here' });
    f.admin.setConnection('jane@acme.com', 'invited');
  });
  afterEach(() => f.close());

  it('access lists every reference: messages with roles, mentions, index entries, status, audit', async () => {
    const report = await accessReport(f, 'JANE@acme.com');
    expect(report.address).toBe('jane@acme.com');
    expect(report.messages.map((m) => [m.key, m.roles])).toEqual([
      ['k-bcc', ['bcc']],
      ['k-from', ['from']],
    ]);
    expect(report.mentions.map((m) => m.key)).toEqual(['k-mention']);
    expect(report.contacts).toEqual([{ id: 'C-jane', name: 'Jane Doe', accountId: 'A-acme' }]);
    expect(report.leads).toEqual([]);
    expect(report.mailboxes.map((m) => m.connection)).toEqual(['invited']);
    expect(report.suppressed).toBeNull();
    expect(f.admin.auditLog(1)[0]).toMatchObject({ action: 'privacy.access', target: 'jane@acme.com', detail: { messages: 2, mentions: 1, contacts: 1 } });
    // The next report finds the previous access in the audit log.
    expect((await accessReport(f, 'jane@acme.com')).audit.map((a) => a.action)).toEqual(['privacy.access']);
  });

  it('erase is queued, then deletes messages, drops the address from the index and suppresses it', async () => {
    const jobId = await requestErase(f, 'Jane@acme.com');
    expect(await privacyStatus(f, jobId)).toMatchObject({ state: 'queued', kind: 'erase', subject: 'jane@acme.com' });
    expect(ledgerKeys(f)).toHaveLength(4);

    const [job] = await runPrivacyJobs(f);
    expect(job).toMatchObject({
      id: jobId,
      state: 'done',
      result: { messages: 2, crmDeleted: 2, crmOwed: 0, contactsRemoved: 1, contactsUpdated: 0, leadsRemoved: 0, leadsUpdated: 0 },
    });
    expect(ledgerKeys(f)).toEqual(['k-mention', 'k-other']);
    expect(textKeys(f)).toEqual(['k-mention', 'k-other']);
    expect(f.fakeCrm.deleted.sort()).toEqual(['crm-k-bcc', 'crm-k-from']);
    // The contact had no other address: gone whole, with its deal role.
    expect(f.index.contactsByEmail('jane@acme.com')).toEqual([]);
    expect(f.db.prepare("SELECT count(*) FROM contacts WHERE id = 'C-jane'").pluck().get()).toBe(0);
    expect(f.db.prepare("SELECT count(*) FROM deal_contact_roles WHERE contact_id = 'C-jane'").pluck().get()).toBe(0);
    expect(f.admin.suppression('jane@acme.com')).toMatchObject({ jobId });

    // Suppressed: the engine rejects any message with this participant, plus-tagged or not.
    const rules = buildRules({ companyDomains: ['seller.example'], suppressed: f.admin.suppressed() });
    expect(blockedBy(participantsOf(meta('Jane+promo@ACME.com'), rules.companyDomains), 'Hi', rules)).toMatch(/suppressed/);
    expect(blockedBy(participantsOf(meta('joe@acme.com'), rules.companyDomains), 'Hi', rules)).toBeNull();
    expect(f.admin.auditLog(1)[0]).toMatchObject({ action: 'privacy.erase', target: 'jane@acme.com', detail: { jobId, messages: 2 } });
  });

  it('erasing one of a contact\'s addresses keeps the contact with the others', async () => {
    await requestErase(f, 'joe@acme.com');
    const [job] = await runPrivacyJobs(f);
    expect(job?.result).toMatchObject({ messages: 1, contactsUpdated: 1, contactsRemoved: 0 });
    expect(f.index.contactsByEmail('joe@acme.com')).toEqual([]);
    expect(f.index.contactsByEmail('joe@joe-personal.example').map((c) => [c.id, c.emails])).toEqual([['C-joe', ['joe@joe-personal.example']]]);
  });

  it('a job a crash left running is finished by the next run', async () => {
    const jobId = await requestErase(f, 'lee@initech.example');
    f.admin.setPrivacyJobState(jobId, 'running');
    const jobs = await runPrivacyJobs(f);
    expect(jobs.map((j) => [j.id, j.state])).toEqual([[jobId, 'done']]);
    expect(jobs[0]!.result).toMatchObject({ leadsRemoved: 1 });
    expect(await runPrivacyJobs(f)).toEqual([]);
  });

  it('an erase interrupted after its local deletes reports, when resumed, what it deleted', async () => {
    const jobId = await requestErase(f, 'jane@acme.com');
    // The CRM call never answers: the process "dies" there, after the local transaction committed.
    let reached!: () => void;
    const atCrm = new Promise<void>((resolve) => (reached = resolve));
    f.fakeCrm.deleteActivities = () => {
      reached();
      return new Promise<void>(() => undefined);
    };
    void runPrivacyJobs(f);
    await atCrm;
    expect(ledgerKeys(f)).toEqual(['k-mention', 'k-other']);
    expect((await privacyStatus(f, jobId)).state).toBe('running');

    // The next process finds the job running and finishes it.
    f.fakeCrm.deleteActivities = async () => undefined;
    const [job] = await runPrivacyJobs(f);
    expect(job).toMatchObject({ id: jobId, state: 'done', result: { messages: 2, contactsRemoved: 1 } });
    // The CRM deletions the first pass queued are still owed, and reported as such.
    expect(job!.result).toMatchObject({ crmOwed: 2 });
    expect(f.admin.crmDeletionsOwedCount()).toBe(2);
  });

  it('a CRM outage does not fail the erase: the deletions stay owed', async () => {
    f.fakeCrm.failDeletes = true;
    await requestErase(f, 'jane@acme.com');
    const [job] = await runPrivacyJobs(f);
    expect(job).toMatchObject({ state: 'done', result: { messages: 2, crmDeleted: 0, crmOwed: 2 } });
    expect(f.admin.crmDeletionsOwedCount()).toBe(2);
  });

  it('unknown jobs and non-addresses are errors', async () => {
    await expect(privacyStatus(f, 'no-such-job')).rejects.toThrow(/no privacy job/);
    await expect(requestErase(f, 'jane')).rejects.toThrow(/not an email address/);
  });
});
