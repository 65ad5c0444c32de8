/**
 * Leases so two processes never sync the same mailbox (or run the same tenant round) at once:
 * rows with an expiry in the tenant's store (the SQLite file, or the PostgreSQL schema, where a
 * row outlives the pooled connection that took it, which an advisory lock would not). A holder
 * is `host:pid`; a lease held by a process of this host that no longer exists (killed, crashed)
 * is taken over at once instead of waiting for it to expire.
 */
import { hostname } from 'node:os';
import type { LeaseStore } from '../store/store-ports.js';

export const DEFAULT_LEASE_MS = 15 * 60_000;

export function processHolder(): string {
  return `${hostname()}:${process.pid}`;
}

/** Whether `holder` names a process of this host that is gone. */
function isDeadLocalHolder(holder: string): boolean {
  const sep = holder.lastIndexOf(':');
  if (sep < 0 || holder.slice(0, sep) !== hostname()) return false;
  const pid = Number(holder.slice(sep + 1));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: the process exists under another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export class Leases {
  constructor(
    private readonly store: LeaseStore,
    readonly holder: string = processHolder(),
    private readonly ttlMs: number = DEFAULT_LEASE_MS,
  ) {}

  /** Takes or renews `name`; false when a live process holds it. */
  async acquire(name: string): Promise<boolean> {
    if (await this.store.acquireLease(name, this.holder, this.ttlMs)) return true;
    const current = await this.store.leaseHolder(name);
    if (!current) return this.store.acquireLease(name, this.holder, this.ttlMs);
    return isDeadLocalHolder(current.holder) && this.store.takeOverLease(name, current.holder, this.holder, this.ttlMs);
  }

  async release(name: string): Promise<void> {
    await this.store.releaseLease(name, this.holder);
  }

  /** Renews in the background while work goes on; a failed renewal is retried on the next page. */
  renew(name: string): void {
    void Promise.resolve(this.acquire(name)).catch(() => undefined);
  }
}
