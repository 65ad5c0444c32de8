import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Leases } from '../../../src/app/leases.js';
import { SqliteAdminStore } from '../../../src/store/admin-store.js';
import { openDatabase } from '../../../src/store/database.js';

function store(clock: { t: number }) {
  const db = openDatabase({ path: join(mkdtempSync(join(tmpdir(), 'mailbridge-lease-')), 'm.db'), key: 'k' });
  return new SqliteAdminStore(db, () => new Date(clock.t));
}

describe('leases', async () => {
  it('one holder at a time until the lease expires or is released', async () => {
    const clock = { t: Date.parse('2026-11-24T10:00:00Z') };
    const admin = store(clock);
    const a = new Leases(admin, 'elsewhere:1', 60_000);
    const b = new Leases(admin, 'elsewhere:2', 60_000);
    expect(await a.acquire('mailbox:x')).toBe(true);
    expect(await b.acquire('mailbox:x')).toBe(false);
    expect(await a.acquire('mailbox:x')).toBe(true); // renewal
    clock.t += 61_000;
    expect(await b.acquire('mailbox:x')).toBe(true);
    expect(await a.acquire('mailbox:x')).toBe(false);
    await b.release('mailbox:x');
    expect(await a.acquire('mailbox:x')).toBe(true);
  });

  it('takes over at once from a process of this host that no longer exists, never from a live one', async () => {
    const admin = store({ t: Date.now() });
    expect(new Leases(admin, `${hostname()}:999999999`).acquire('tenant')).toBe(true);
    const me = new Leases(admin, 'elsewhere:7');
    expect(await me.acquire('tenant')).toBe(true);
    expect(admin.leaseHolder('tenant')?.holder).toBe('elsewhere:7');

    expect(new Leases(admin, `${hostname()}:${process.pid}`).acquire('mailbox:y')).toBe(true);
    expect(await me.acquire('mailbox:y')).toBe(false);
  });
});
