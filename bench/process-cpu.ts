/**
 * CPU seconds of processes and of the machine, from Linux's /proc (bench only): where a pass's
 * time goes when worker processes, PostgreSQL and the emulators share a few cores. Elsewhere
 * (no /proc) every figure reads as null.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's clock ticks per second (`getconf CLK_TCK`), 100 on every common build. */
const TICKS = 100;

interface Stat {
  ppid: number;
  /** utime + stime, in ticks. */
  own: number;
  /** cutime + cstime: children that ended and were reaped, in ticks. */
  reaped: number;
}

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields follow its last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/** CPU seconds one process has used so far (null once it is gone, or without /proc). */
export function processCpuSeconds(pid: number | undefined): number | null {
  const s = pid === undefined ? null : stat(pid);
  return s ? s.own / TICKS : null;
}

/**
 * CPU seconds of a process and every child it has had: its own, its reaped children's, and its
 * live children's. A server that forks a process per connection (PostgreSQL) is measured whole.
 */
export function processTreeCpuSeconds(pid: number): number | null {
  const root = stat(pid);
  if (!root) return null;
  let ticks = root.own + root.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(Number(entry));
    if (child?.ppid === pid) ticks += child.own;
  }
  return ticks / TICKS;
}

/** The parent of a process (the postmaster of a PostgreSQL backend). */
export function parentPid(pid: number): number | null {
  return stat(pid)?.ppid ?? null;
}

/** Busy and total CPU seconds of the whole machine since boot (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    // idle + iowait are the idle columns.
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: (total - idle) / TICKS, total: total / TICKS };
  } catch {
    return null;
  }
}
