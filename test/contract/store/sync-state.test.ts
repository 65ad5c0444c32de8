/**
 * Cursors, checkpoints with reason counts, CRM cursors, mailbox status, settings, the audit log
 * and provider secrets: the same answers on both stores.
 */
import { expect, it } from 'vitest';
import { describeStores } from './store-under-test.js';

describeStores('sync state and admin state', (sut) => {
  it('saves a cursor per mailbox and folder and adds the page counts with it', async () => {
    const ledger = sut.store().ledger;
    expect(await ledger.cursor('mbx-1', 'inbox')).toBeNull();
    await ledger.checkpoint('mbx-1', 'inbox', 'c1', { 'no-crm-match': 3, automated: 0 });
    await ledger.checkpoint('mbx-1', 'inbox', 'c2', { 'no-crm-match': 2, internal: 1 });
    await ledger.checkpoint('mbx-1', 'sent', 's1', {});
    expect(await ledger.cursor('mbx-1', 'inbox')).toBe('c2');
    expect(await ledger.cursor('mbx-1', 'sent')).toBe('s1');
    expect(await ledger.cursor('mbx-2', 'inbox')).toBeNull();
    expect(await ledger.reasonCounts('mbx-1')).toEqual({ 'no-crm-match': 5, internal: 1 });
    // An expired delta cursor is reset to null (rescan from the backfill start).
    await ledger.checkpoint('mbx-1', 'inbox', null, {});
    expect(await ledger.cursor('mbx-1', 'inbox')).toBeNull();
  });

  it('keeps the CRM pull cursor', async () => {
    const ledger = sut.store().ledger;
    expect(await ledger.crmCursor('salesforce')).toBeNull();
    await ledger.saveCrmCursor('salesforce', '2026-11-02T10:00:00Z');
    expect(await ledger.crmCursor('salesforce')).toBe('2026-11-02T10:00:00Z');
  });

  it('tracks mailbox connection and runs', async () => {
    const status = sut.store().status;
    await status.setConnection('Ann@Seller.Example', 'invited');
    // A run records its outcome; it does not change what the connection is.
    await status.recordRun('ann@seller.example', 'mbx-ann', null, { imported: 2 });
    await status.recordRun('ann@seller.example', 'mbx-ann', 'throttled', { imported: 0 });
    await status.setConnection('bob@seller.example', 'revoked', 'mbx-bob');
    const rows = await status.mailboxStatuses();
    expect(rows.map((r) => [r.address, r.mailboxId, r.connection, r.lastError, r.lastResult])).toEqual([
      ['ann@seller.example', 'mbx-ann', 'invited', 'throttled', { imported: 0 }],
      ['bob@seller.example', 'mbx-bob', 'revoked', null, null],
    ]);
    expect(rows[0]!.lastOkAt).not.toBeNull();
    expect(rows[0]!.lastSyncAt! >= rows[0]!.lastOkAt!).toBe(true);
  });

  it('reads and replaces settings', async () => {
    const settings = sut.store().settings;
    expect(await settings.setting('paused')).toBeNull();
    await settings.setSetting('paused', 'true');
    await settings.setSetting('paused', 'false');
    expect(await settings.setting('paused')).toBe('false');
  });

  it('appends to the audit log, newest first', async () => {
    const audit = sut.store().audit;
    await audit.audit('admin@seller.example', 'blocklist.add', 'rival.example', { kind: 'domain' });
    await audit.audit('admin@seller.example', 'messages.delete', null);
    const log = await audit.auditLog(10);
    expect(log.map((e) => [e.actor, e.action, e.target, e.detail])).toEqual([
      ['admin@seller.example', 'messages.delete', null, null],
      ['admin@seller.example', 'blocklist.add', 'rival.example', { kind: 'domain' }],
    ]);
    expect(await audit.auditLog(1)).toHaveLength(1);
  });

  it('stores, replaces and deletes secrets', async () => {
    const secrets = sut.store().secrets;
    expect(await secrets.get('graph:ann')).toBeNull();
    await secrets.set('graph:ann', 'refresh-1');
    await secrets.set('graph:ann', 'refresh-2');
    expect(await secrets.get('graph:ann')).toBe('refresh-2');
    await secrets.delete('graph:ann');
    expect(await secrets.get('graph:ann')).toBeNull();
  });
});
