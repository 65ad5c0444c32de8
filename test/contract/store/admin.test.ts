/**
 * What the admin and privacy operations ask of the store (src/app/admin), on both stores:
 * matching imported mail by address, domain or subject phrase with the engine's normalisation,
 * summaries, retention's cutoff, the ONE atomic removal (rows, text, tombstone and the owed CRM
 * deletions written together, with an erase job's progress), the index's erase of an address,
 * the audit lookup, and `purge --all` emptying the tenant's tables in one step.
 */
import { expect, it } from 'vitest';
import type { ImportRecord } from '../../../src/core/ports.js';
import type { MeetingRecord } from '../../../src/core/meeting-ledger.js';
import { describeStores } from './store-under-test.js';

const person = (address: string) => ({ name: '', address });

function imported(key: string, over: { from?: string; to?: string[]; bcc?: string[]; subject?: string; text?: string; sentAt?: string; accounts?: string[]; deals?: string[]; crmId?: string } = {}): ImportRecord {
  return {
    key,
    crmId: over.crmId ?? `00T-${key}`,
    mailboxId: 'mbx-ben',
    bcc: (over.bcc ?? []).map(person),
    activity: {
      key, direction: 'inbound', sentAt: over.sentAt ?? '2026-11-02T09:00:00.000Z',
      from: person(over.from ?? 'hank@globex.example'), to: (over.to ?? ['ben@seller.example']).map(person), cc: [],
      subject: over.subject ?? 'Pricing', text: over.text ?? 'Hello', messageId: null, inReplyTo: null, references: [],
      contactIds: [], accountIds: over.accounts ?? [], leadIds: [], dealIds: over.deals ?? [], userIds: [], ownerId: null,
      relatedToId: null, explanation: 'test',
    },
  };
}

function meeting(key: string, attendees: string[]): MeetingRecord {
  return {
    key, crmId: `00U-${key}`, mailboxId: 'mbx-ben', eventId: `ev-${key}`, lastModified: null, attendees,
    activity: {
      key, title: 'Quarterly review', start: '2026-11-10T14:00:00.000Z', end: '2026-11-10T15:00:00.000Z', description: '', status: 'active',
      contactIds: [], accountIds: [], leadIds: [], dealIds: [], ownerId: '005ANN', attendeeCrmIds: [], explanation: 'test',
    },
  };
}

describeStores('admin and privacy', (sut) => {
  it('matches an address in every role, plus-tags, case and IDN folded; a domain with its subdomains; a phrase with JS lower-casing', async () => {
    const { ledger } = sut.store();
    await ledger.recordImport(imported('k-from', { from: 'Jane+news@Acme.example' }));
    await ledger.recordImport(imported('k-bcc', { bcc: ['JANE@acme.example'] }));
    await ledger.recordImport(imported('k-sub', { from: 'joe@eu.acme.example' }));
    await ledger.recordImport(imported('k-idn', { from: 'anna@bücher.example' }));
    await ledger.recordImport(imported('k-phrase', { subject: 'ÉTÉ Sale: Confidential' }));
    await ledger.recordImport(imported('k-other', { from: 'jane@notacme.example' }));
    expect(await ledger.keysMatching({ kind: 'address', value: 'jane@acme.example' })).toEqual(['k-bcc', 'k-from']);
    expect(await ledger.keysMatching({ kind: 'domain', value: 'acme.example' })).toEqual(['k-bcc', 'k-from', 'k-sub']);
    expect(await ledger.keysMatching({ kind: 'domain', value: 'eu.acme.example' })).toEqual(['k-sub']);
    expect(await ledger.keysMatching({ kind: 'address', value: 'anna@xn--bcher-kva.example' })).toEqual(['k-idn']);
    // SQL's lower() folds ASCII only; the engine (and so the purge) folds É too.
    expect(await ledger.keysMatching({ kind: 'phrase', value: 'été sale' })).toEqual(['k-phrase']);
  });

  it('summarises keys oldest first, finds messages by key or CRM id, and lists what retention expires', async () => {
    const { ledger } = sut.store();
    await ledger.recordImport(imported('k-new', { sentAt: '2026-11-02T09:00:00.000Z', subject: 'New' }));
    await ledger.recordImport(imported('k-old', { sentAt: '2023-01-01T00:00:00.000Z', subject: 'Old' }));
    // An offset: the instant decides, not the string (2023-01-02T01:00 UTC).
    await ledger.recordImport(imported('k-offset', { sentAt: '2023-01-01T20:00:00.000-05:00', subject: 'Offset' }));
    expect(await ledger.summaries(['k-new', 'k-old', 'k-gone'])).toEqual([
      { key: 'k-old', crmId: '00T-k-old', sentAt: '2023-01-01T00:00:00.000Z', subject: 'Old' },
      { key: 'k-new', crmId: '00T-k-new', sentAt: '2026-11-02T09:00:00.000Z', subject: 'New' },
    ]);
    expect(await ledger.keysSentBefore(new Date('2023-01-02T00:30:00.000Z'))).toEqual(['k-old']);
    expect((await ledger.keysSentBefore(new Date('2023-01-02T02:00:00.000Z'))).sort()).toEqual(['k-offset', 'k-old']);
    expect(await ledger.findImported('00T-k-new')).toEqual({ key: 'k-new', crmId: '00T-k-new' });
    expect(await ledger.findImported('k-old')).toEqual({ key: 'k-old', crmId: '00T-k-old' });
    expect(await ledger.findImported('nope')).toBeUndefined();
    expect((await ledger.crmIds()).sort()).toEqual(['00T-k-new', '00T-k-offset', '00T-k-old']);
  });

  it('finds messages that mention an address in their subject or text', async () => {
    const { ledger } = sut.store();
    await ledger.recordImport(imported('k-mention', { text: 'Please loop in Jane@Acme.example tomorrow' }));
    await ledger.recordImport(imported('k-words', { text: 'jane from acme sent an example' }));
    await ledger.recordImport(imported('k-none', { text: 'nothing here' }));
    expect(await ledger.keysMentioning('jane@acme.example')).toEqual(['k-mention']);
  });

  it('the accounts of a message: its own and its deals\' (from the index)', async () => {
    const { ledger, index } = sut.store();
    await index.applyChanges({
      cursor: 'c1',
      accounts: [{ id: 'A-1', name: 'Acme', domains: ['acme.example'], ownerId: 'U-ben' }],
      deals: [{ id: 'D-1', accountId: 'A-2', name: 'Renewal', isClosed: false, closeDate: null, createdDate: '2026-01-01', lastModified: '2026-01-01T00:00:00Z', ownerId: 'U-ben', contactRoles: [] }],
      users: [{ id: 'U-ben', email: 'Ben@Seller.example', name: 'Ben' }],
    });
    await ledger.recordImport(imported('k1', { accounts: ['A-1'], deals: ['D-1'] }));
    expect(await ledger.accountIdsOf('k1')).toEqual(['A-1', 'A-2']);
    expect(await index.account('A-1')).toMatchObject({ id: 'A-1', ownerId: 'U-ben' });
    expect(await index.account('A-9')).toBeUndefined();
    expect(await index.userByEmail('ben@seller.example')).toMatchObject({ id: 'U-ben' });
    expect(await index.userByEmail('nobody@seller.example')).toBeUndefined();
  });

  it('forgets messages in one transaction: rows, text and claims go, a tombstone stays, the CRM ids are owed with the job\'s progress', async () => {
    const store = sut.store();
    const { ledger, governance } = store;
    await ledger.recordImport(imported('mid:erase-me', { from: 'zoe@target.example', subject: 'Zanzibar deal', text: 'Zanzibar body', crmId: '00T-erased' }));
    await ledger.recordImport(imported('mid:twin', { from: 'zoe@target.example', crmId: '00T-shared' }));
    await ledger.recordImport(imported('mid:keep', { crmId: '00T-keep' }));
    await ledger.addHolder('mid:erase-me', 'mbx-ann');
    await governance.createPrivacyJob('job-1', 'erase', 'zoe@target.example', 'cli:test');

    const gone = await ledger.forgetMessages(['mid:erase-me', 'mid:twin', 'mid:erase-me', 'mid:never'], {
      oweReason: 'privacy.erase',
      progress: { jobId: 'job-1', result: (removed) => ({ messages: removed.messages, crmQueued: removed.crmIds }) },
    });
    expect(gone.messages).toBe(2);
    expect(gone.crmIds.sort()).toEqual(['00T-erased', '00T-shared']);
    // Written with the removal, before any CRM call.
    expect((await governance.crmDeletionsOwed()).map((r) => [r.crmId, r.reason]).sort()).toEqual([['00T-erased', 'privacy.erase'], ['00T-shared', 'privacy.erase']]);
    expect(await governance.privacyJob('job-1')).toMatchObject({ state: 'running', result: { messages: 2, crmQueued: 2 } });
    expect(await ledger.wasForgotten('mid:erase-me')).toBe(true);
    expect(await ledger.hasImported('mid:erase-me')).toBe(false);
    expect(await ledger.hasImported('mid:keep')).toBe(true);
    expect(await ledger.searchText('zanzibar')).toEqual([]);
    // The job names whom it erases (by design); nothing else does.
    const dump = (await sut.dump()).split('\n').filter((line) => !line.startsWith('privacy_jobs:')).join('\n');
    for (const trace of ['mid:erase-me', 'mid:twin', 'zoe@target.example']) expect(dump).not.toContain(trace);

    // Retention keeping the CRM activities owes nothing.
    expect(await ledger.forgetMessages(['mid:keep'], { oweReason: null })).toEqual({ messages: 1, crmIds: ['00T-keep'] });
    expect(await governance.crmDeletionsOwedCount()).toBe(2);
  });

  it('forgets meetings with their owed CRM deletions in the same transaction', async () => {
    const { meetings, governance } = sut.store();
    await meetings.recordMeeting(meeting('uid-1', ['zoe@target.example', 'ben@seller.example']));
    await meetings.recordMeeting(meeting('uid-2', ['ben@seller.example']));
    const keys = await meetings.meetingKeysMatching({ kind: 'address', value: 'zoe@target.example' });
    expect(await meetings.forgetMeetings(keys, 'meeting:privacy.erase')).toEqual({ meetings: 1, crmIds: ['00U-uid-1'] });
    expect((await governance.crmDeletionsOwed()).map((r) => [r.crmId, r.reason])).toEqual([['00U-uid-1', 'meeting:privacy.erase']]);
    expect(await meetings.forgetMeetings(['uid-2'])).toEqual({ meetings: 1, crmIds: ['00U-uid-2'] });
    expect(await governance.crmDeletionsOwedCount()).toBe(1);
    expect(await sut.dump()).not.toContain('zoe@target.example');
  });

  it('erases an address from the index: a contact keeps its other addresses, one left with none goes with its roles', async () => {
    const { index } = sut.store();
    await index.applyChanges({
      cursor: 'c1',
      accounts: [{ id: 'A-1', name: 'Acme', domains: ['acme.example'], ownerId: null }],
      contacts: [
        { id: 'C-zoe', emails: ['Zoe@Target.example'], phones: ['+1 555 0100'], accountId: 'A-1', name: 'Zoe Target' },
        { id: 'C-two', emails: ['zoe@target.example', 'zoe@home.example'], phones: [], accountId: 'A-1', name: 'Zoe Two' },
      ],
      leads: [{ id: 'L-zoe', emails: ['zoe+crm@target.example'], phones: [], company: 'Target', domain: 'target.example', name: 'Zoe' }],
      deals: [{ id: 'D-1', accountId: 'A-1', name: 'Renewal', isClosed: false, closeDate: null, createdDate: '2026-01-01', lastModified: '2026-01-01T00:00:00Z', ownerId: null, contactRoles: ['C-zoe'] }],
    });
    expect(await index.eraseAddress('zoe@target.example')).toEqual({ contactsUpdated: 1, contactsRemoved: 1, leadsUpdated: 0, leadsRemoved: 1 });
    const found = await index.resolveKeys(['zoe@target.example', 'zoe@home.example']);
    expect(found.contactsByEmail('zoe@target.example')).toEqual([]);
    expect(found.leadsByEmail('zoe@target.example')).toEqual([]);
    expect(found.contactsByEmail('zoe@home.example').map((c) => c.id)).toEqual(['C-two']);
    expect((await index.counts()).contactRoles).toBe(0);
    const dump = (await sut.dump()).toLowerCase();
    expect(dump).not.toContain('zoe@target.example');
    expect(dump).not.toContain('zoe target');
  });

  it('finds the audit entries that name an address', async () => {
    const { audit } = sut.store();
    await audit.audit('cli:ann', 'privacy.access', 'jane@acme.example', { messages: 1 });
    await audit.audit('jane@acme.example', 'messages.delete', 'k1');
    await audit.audit('cli:ann', 'blocklist.add', 'acme.example', { note: 'for Jane@Acme.example' });
    await audit.audit('cli:ann', 'retention.run', null, { messages: 3 });
    expect((await audit.auditMentioning('jane@acme.example')).map((e) => e.action)).toEqual(['privacy.access', 'messages.delete', 'blocklist.add']);
  });

  it('a purge owes every written activity and empties the tenant\'s tables in one step; owed deletions stay', async () => {
    const store = sut.store();
    await store.ledger.recordImport(imported('k1', { from: 'zoe@target.example' }));
    await store.meetings.recordMeeting(meeting('uid-1', ['zoe@target.example']));
    await store.index.applyChanges({ cursor: 'c1', contacts: [{ id: 'C-zoe', emails: ['zoe@target.example'], phones: [], name: 'Zoe' }] });
    await store.governance.suppress('old@target.example', null);
    await store.governance.oweCrmDeletions(['00T-earlier'], 'blocklist');
    await store.secrets.set('graph:ben', 'refresh-token');
    await store.settings.setSetting('crm.limits', '{}');
    await store.audit.audit('cli:ann', 'something', 'zoe@target.example');
    await store.status.setConnection('ben@seller.example', 'connected');
    const before = await store.governance.tableRows();
    expect(before).toMatchObject({ crm_deletions: 1 });
    expect(Object.values(before).reduce((a, b) => a + b, 0)).toBeGreaterThan(8);

    expect(await store.governance.purgeTenant({ emails: 'purge', meetings: 'meeting:purge' })).toEqual({ emails: 1, meetings: 1 });
    expect((await store.governance.crmDeletionsOwed()).map((r) => [r.crmId, r.reason]).sort()).toEqual([
      ['00T-earlier', 'blocklist'], ['00T-k1', 'purge'], ['00U-uid-1', 'meeting:purge'],
    ]);
    const after = await store.governance.tableRows();
    expect(Object.entries(after).filter(([t, n]) => n > 0 && t !== 'crm_deletions')).toEqual([]);
    expect(await sut.dump()).not.toContain('zoe@target.example');
    expect(await store.secrets.get('graph:ben')).toBeNull();
    // The schema still works (on PostgreSQL its migrations' version table is intact).
    await store.ledger.recordImport(imported('k2'));
    expect(await store.ledger.importedCount()).toBe(1);
    if (sut.kind === 'postgres') expect(await sut.postgres().schemaVersion(store.tenantId)).toBeGreaterThan(0);
  });
});
