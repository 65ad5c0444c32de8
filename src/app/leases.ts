/**
 * Leases so two processes on one host never sync the same mailbox (or run the same tenant
 * round) at once. A holder is `host:pid`; a lease held by a process of this host that no longer
 * exists (killed, crashed) is taken over at once instead of waiting for it to expire.
 */
import { hostname } from 'node:os';
import type { SqliteAdminStore } from '../store/admin-store.js';

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
    private readonly admin: SqliteAdminStore,
    readonly holder: string = processHolder(),
    private readonly ttlMs: number = DEFAULT_LEASE_MS,
  ) {}

  /** Takes or renews `name`; false when a live process holds it. */
  acquire(name: string): boolean {
    if (this.admin.acquireLease(name, this.holder, this.ttlMs)) return true;
    const current = this.admin.leaseHolder(name);
    if (!current) return this.admin.acquireLease(name, this.holder, this.ttlMs);
    return isDeadLocalHolder(current.holder) && this.admin.takeOverLease(name, current.holder, this.holder, this.ttlMs);
  }

  release(name: string): void {
    this.admin.releaseLease(name, this.holder);
  }
}
