/**
 * Blocklist, suppressions, CRM deletions owed and privacy jobs: the same answers on both stores.
 */
import { expect, it } from 'vitest';
import { describeStores } from './store-under-test.js';

describeStores('governance', (sut) => {
  it('adds, lists and removes blocklist entries once each', async () => {
    const g = sut.store().governance;
    expect(await g.addBlocklistEntry('domain', 'rival.example', 'admin')).toBe(true);
    expect(await g.addBlocklistEntry('domain', 'rival.example', 'admin')).toBe(false);
    expect(await g.addBlocklistEntry('address', 'spy@partner.example', 'admin')).toBe(true);
    expect(await g.addBlocklistEntry('phrase', 'Project Falcon', 'dpo')).toBe(true);
    expect(await g.blocklist()).toEqual({ addresses: ['spy@partner.example'], domains: ['rival.example'], phrases: ['Project Falcon'] });
    expect((await g.blocklistEntries()).map((e) => [e.kind, e.value, e.addedBy])).toEqual([
      ['address', 'spy@partner.example', 'admin'],
      ['domain', 'rival.example', 'admin'],
      ['phrase', 'Project Falcon', 'dpo'],
    ]);
    expect(await g.removeBlocklistEntry('domain', 'rival.example')).toBe(true);
    expect(await g.removeBlocklistEntry('domain', 'rival.example')).toBe(false);
    expect((await g.blocklist()).domains).toEqual([]);
  });

  it('suppresses erased addresses', async () => {
    const g = sut.store().governance;
    await g.suppress('jane@acme.example', 'job-1');
    await g.suppress('bob@acme.example', null);
    await g.suppress('jane@acme.example', 'job-2');
    expect((await g.suppressed()).sort()).toEqual(['bob@acme.example', 'jane@acme.example']);
    expect(await g.suppression('jane@acme.example')).toMatchObject({ address: 'jane@acme.example', jobId: 'job-1' });
    expect(await g.suppression('ann@acme.example')).toBeNull();
  });

  it('keeps CRM deletions owed until paid, counting failures', async () => {
    const g = sut.store().governance;
    await g.oweCrmDeletions(['00T1', '00T2', '00T3'], 'erase');
    await g.oweCrmDeletions(['00T1'], 'retention');
    expect(await g.crmDeletionsOwedCount()).toBe(3);
    await g.crmDeletionsFailed(['00T2'], 'UNABLE_TO_LOCK_ROW');
    await g.crmDeletionsPaid(['00T1', '00T3']);
    expect((await g.crmDeletionsOwed()).map((d) => [d.crmId, d.reason, d.attempts, d.lastError])).toEqual([['00T2', 'erase', 1, 'UNABLE_TO_LOCK_ROW']]);
  });

  it('runs privacy jobs through their states with their results', async () => {
    const g = sut.store().governance;
    await g.createPrivacyJob('job-1', 'erase', 'jane@acme.example', 'dpo');
    await g.createPrivacyJob('job-2', 'access', 'jane@acme.example', 'dpo');
    expect((await g.openPrivacyJobs()).map((j) => [j.id, j.state])).toEqual([['job-1', 'queued'], ['job-2', 'queued']]);
    await g.setPrivacyJobState('job-1', 'done', { messages: 3 });
    await g.setPrivacyJobState('job-2', 'failed', null, 'CRM unreachable');
    expect(await g.privacyJob('job-1')).toMatchObject({ kind: 'erase', subject: 'jane@acme.example', state: 'done', result: { messages: 3 }, error: null, requestedBy: 'dpo' });
    expect(await g.privacyJob('job-2')).toMatchObject({ state: 'failed', result: null, error: 'CRM unreachable' });
    expect((await g.privacyJobsFor('jane@acme.example')).map((j) => j.id).sort()).toEqual(['job-1', 'job-2']);
    expect(await g.openPrivacyJobs()).toEqual([]);
    expect(await g.privacyJob('job-9')).toBeNull();
  });
});
