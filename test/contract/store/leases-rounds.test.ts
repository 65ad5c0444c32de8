/**
 * Leases (one holder per name until it expires) and the sync rounds `status` reads, on both
 * stores: a `run` or `sync --once` and the workers share them through the tenant's store.
 */
import { hostname } from 'node:os';
import { expect, it } from 'vitest';
import { Leases } from '../../../src/app/leases.js';
import { describeStores } from './store-under-test.js';

describeStores('leases and sync rounds', (sut) => {
  it('one holder at a time until the lease expires or is released', async () => {
    const leases = sut.store().leases;
    const t0 = Date.now();
    expect(await leases.acquireLease('mailbox:x', 'host-a:1', 60_000)).toBe(true);
    expect(await leases.acquireLease('mailbox:x', 'host-b:2', 60_000)).toBe(false);
    // Renewal by the holder.
    expect(await leases.acquireLease('mailbox:x', 'host-a:1', 60_000)).toBe(true);
    const held = await leases.leaseHolder('mailbox:x');
    expect(held?.holder).toBe('host-a:1');
    expect(Date.parse(held!.expiresAt)).toBeGreaterThanOrEqual(t0 + 59_000);
    // Taken over only from the holder named.
    expect(await leases.takeOverLease('mailbox:x', 'host-c:3', 'host-b:2', 60_000)).toBe(false);
    expect(await leases.takeOverLease('mailbox:x', 'host-a:1', 'host-b:2', 60_000)).toBe(true);
    // Release by someone else is a no-op; by the holder it frees the name.
    await leases.releaseLease('mailbox:x', 'host-a:1');
    expect((await leases.leaseHolder('mailbox:x'))?.holder).toBe('host-b:2');
    await leases.releaseLease('mailbox:x', 'host-b:2');
    expect(await leases.leaseHolder('mailbox:x')).toBeNull();
    // An expired lease (ttl in the past) is free for the next holder.
    expect(await leases.acquireLease('tenant', 'host-a:1', -1_000)).toBe(true);
    expect(await leases.acquireLease('tenant', 'host-b:2', 60_000)).toBe(true);
  });

  it('Leases takes over at once from a dead process of this host, never from a live one', async () => {
    const store = sut.store().leases;
    expect(await new Leases(store, `${hostname()}:999999999`).acquire('tenant')).toBe(true);
    expect(await new Leases(store, 'elsewhere:7').acquire('tenant')).toBe(true);
    expect((await store.leaseHolder('tenant'))?.holder).toBe('elsewhere:7');
    expect(await new Leases(store, `${hostname()}:${process.pid}`).acquire('mailbox:y')).toBe(true);
    expect(await new Leases(store, 'elsewhere:7').acquire('mailbox:y')).toBe(false);
  });

  it('records rounds, failed ones with their error, newest first', async () => {
    const rounds = sut.store().rounds;
    await rounds.recordRound({ startedAt: '2026-11-02T10:00:00.000Z', finishedAt: '2026-11-02T10:01:00.000Z', ok: true, stage: null, error: null, totals: { imported: 3 } });
    await rounds.recordRound({
      startedAt: '2026-11-02T10:15:00.000Z',
      finishedAt: '2026-11-02T10:15:02.000Z',
      ok: false,
      stage: 'crm',
      error: { code: 'auth', message: 'Salesforce login refused', setting: 'tenants[acme].crm.clientSecret' },
      totals: null,
    });
    expect(await rounds.syncRounds(10)).toEqual([
      { startedAt: '2026-11-02T10:15:00.000Z', finishedAt: '2026-11-02T10:15:02.000Z', ok: false, stage: 'crm', error: { code: 'auth', message: 'Salesforce login refused', setting: 'tenants[acme].crm.clientSecret' }, totals: null },
      { startedAt: '2026-11-02T10:00:00.000Z', finishedAt: '2026-11-02T10:01:00.000Z', ok: true, stage: null, error: null, totals: { imported: 3 } },
    ]);
    expect(await rounds.syncRounds(1)).toHaveLength(1);
  });

  it('marks every named mailbox failing, known or not, keeping its mailbox id', async () => {
    const { rounds, status } = sut.store();
    await status.setConnection('ann@seller.example', 'connected', 'mbx-ann');
    await rounds.markMailboxesFailing(['Ann@Seller.Example', 'bob@seller.example', 'bob@seller.example'], 'auth: consent revoked');
    const rows = await status.mailboxStatuses();
    expect(rows.map((r) => [r.address, r.mailboxId, r.connection, r.lastError])).toEqual([
      ['ann@seller.example', 'mbx-ann', 'failing', 'auth: consent revoked'],
      ['bob@seller.example', null, 'failing', 'auth: consent revoked'],
    ]);
  });
});
