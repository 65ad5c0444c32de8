import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetMessages } from '../../../src/app/admin/forget-messages.js';
import { purgeAll } from '../../../src/app/admin/purge-all.js';
import { runRetention } from '../../../src/app/admin/retention.js';
import { adminFixture, ledgerKeys, textKeys, type AdminFixture } from './admin-fixture.js';

describe('retention', () => {
  let f: AdminFixture;
  beforeEach(() => {
    // NOW is 2026-04-25T12:00Z; 1,000 days before is 2023-07-30T12:00Z.
    f = adminFixture({ retentionDays: 1000 });
    f.record({ key: 'k-old', from: 'jane@acme.com', subject: 'Old', sentAt: '2023-07-30T11:59:59.000Z' });
    f.record({ key: 'k-offset', from: 'jane@acme.com', subject: 'Offset', sentAt: '2023-07-30T13:30:00+02:00' });
    f.record({ key: 'k-edge', from: 'jane@acme.com', subject: 'Edge', sentAt: '2023-07-30T12:00:00.000Z' });
    f.record({ key: 'k-new', from: 'jane@acme.com', subject: 'New', sentAt: '2026-04-01T00:00:00.000Z' });
  });
  afterEach(() => f.close());

  it('a dry run counts what has expired and deletes nothing', async () => {
    expect(await runRetention(f, { dryRun: true })).toMatchObject({ cutoff: '2023-07-30T12:00:00.000Z', expired: 2, messages: 0, dryRun: true });
    expect(ledgerKeys(f)).toHaveLength(4);
  });

  it('deletes local copies older than the retention, keeping the CRM activities by default', async () => {
    expect(await runRetention(f)).toMatchObject({ expired: 2, messages: 2, crmDeleted: 0 });
    expect(ledgerKeys(f)).toEqual(['k-edge', 'k-new']);
    expect(textKeys(f)).toEqual(['k-edge', 'k-new']);
    expect(f.fakeCrm.calls).toBe(0);
    expect(f.admin.auditLog(1)[0]).toMatchObject({ action: 'retention.run', detail: { retentionDays: 1000, messages: 2, crm: false } });
  });

  it('an explicit crm option that disagrees with retention.crm is refused, naming the setting', async () => {
    // Otherwise a CLI run with --crm and the scheduled run without it would disagree, and once
    // the local copies are gone the CRM ids are too: their activities could never be deleted.
    await expect(runRetention(f, { crm: true })).rejects.toThrow(/retention\.crm/);
    expect(ledgerKeys(f)).toHaveLength(4);
  });
});

describe('retention with retention.crm on', () => {
  let f: AdminFixture;
  beforeEach(() => {
    f = adminFixture({ retentionDays: 1000, retentionCrm: true });
    f.record({ key: 'k-old', from: 'jane@acme.com', subject: 'Old', sentAt: '2023-07-30T11:59:59.000Z' });
    f.record({ key: 'k-new', from: 'jane@acme.com', subject: 'New', sentAt: '2026-04-01T00:00:00.000Z' });
  });
  afterEach(() => f.close());

  it('every run (the scheduled one passes no options) deletes the CRM activity and the local copy', async () => {
    expect(await runRetention(f)).toMatchObject({ messages: 1, crmDeleted: 1, crmOwed: 0 });
    expect(f.fakeCrm.deleted).toEqual(['crm-k-old']);
    expect(ledgerKeys(f)).toEqual(['k-new']);
    expect(f.admin.auditLog(1)[0]).toMatchObject({ action: 'retention.run', detail: { crm: true } });
  });

  it('a CRM outage leaves no orphan: the deletion stays owed and the next round pays it', async () => {
    f.fakeCrm.failDeletes = true;
    expect(await runRetention(f, { crm: true })).toMatchObject({ messages: 1, crmDeleted: 0, crmOwed: 1 });
    expect(f.admin.crmDeletionsOwed().map((d) => [d.crmId, d.reason])).toEqual([['crm-k-old', 'retention']]);
  });
});

describe('purge --all', () => {
  let f: AdminFixture;
  beforeEach(async () => {
    f = adminFixture();
    f.record({ key: 'k1', from: 'jane@acme.com', subject: 'One' });
    f.record({ key: 'k2', from: 'hank@globex.com', subject: 'Two' });
    f.record({ key: 'k3', from: 'lee@initech.example', subject: 'Three' });
    // One deletion already owed from an earlier failure.
    f.fakeCrm.failDeletes = true;
    await forgetMessages(f, ['k3'], { reason: 'test' });
    f.fakeCrm.failDeletes = false;
    f.store.checkpoint('mbx-ben', 'inbox', 'cursor-1', { automated: 2 });
    f.store.saveCrmCursor('salesforce', 'crm-cursor');
    f.admin.audit('cli:test', 'something.earlier', 'jane@acme.com');
    f.admin.setConnection('ben@seller.example', 'connected');
    f.admin.suppress('gone@acme.com', null);
    f.db.prepare("INSERT INTO secrets (key, value, updated_at) VALUES ('token', 'refresh-token', 'now')").run();
  });
  afterEach(() => f.close());

  const everyTable = () => f.db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'message_text_%' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'").pluck().all();

  it('a dry run prints counts and changes nothing', async () => {
    const result = await purgeAll(f, { dryRun: true });
    expect(result).toMatchObject({ dryRun: true, crmActivities: 3, rows: { ledger: 2, message_text: 2, contacts: 3, cursors: 1, secrets: 1, crm_deletions: 1 } });
    expect(ledgerKeys(f)).toEqual(['k1', 'k2']);
    expect(f.fakeCrm.deleted).toEqual([]);
  });

  it('deletes every written activity and every local row; the purge audit entry is the one left', async () => {
    const result = await purgeAll(f);
    expect(result).toMatchObject({ crmActivities: 3, crmDeleted: 3, crmOwed: 0 });
    expect(f.fakeCrm.deleted.sort()).toEqual(['crm-k1', 'crm-k2', 'crm-k3']);
    const left = everyTable().map((t) => [t, f.count(t)]).filter(([, n]) => n !== 0);
    expect(left).toEqual([['audit_log', 1]]);
    expect(f.admin.auditLog()).toMatchObject([{ action: 'purge.all', detail: { crmDeleted: 3 } }]);
    expect(f.index.contactsByEmail('jane@acme.com')).toEqual([]);
  });

  it('when the CRM fails, the ids stay owed and a second purge pays them', async () => {
    f.fakeCrm.failDeletes = true;
    expect(await purgeAll(f)).toMatchObject({ crmDeleted: 0, crmOwed: 3 });
    expect(ledgerKeys(f)).toEqual([]);
    expect(f.count('crm_deletions')).toBe(3);
    f.fakeCrm.failDeletes = false;
    expect(await purgeAll(f)).toMatchObject({ crmActivities: 3, crmDeleted: 3, crmOwed: 0 });
    expect(f.count('crm_deletions')).toBe(0);
  });
});
