/** Plain-terminal output helpers shared by the commands. */

function clip(value: string, width: number): string {
  return value.length <= width ? value : `${value.slice(0, Math.max(0, width - 1))}…`;
}

/** A left-aligned table; the last column takes what is left of the terminal width. */
export function printTable(headers: string[], rows: string[][], out: NodeJS.WritableStream = process.stdout): void {
  const total = (process.stdout.columns ?? 120) - 1;
  const widths = headers.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const fixed = widths.slice(0, -1).reduce((a, b) => a + b + 2, 0);
  widths[widths.length - 1] = Math.max(10, total - fixed);
  const line = (cells: string[]) => cells.map((c, i) => clip(c, widths[i]!).padEnd(widths[i]!)).join('  ').trimEnd();
  out.write(`${line(headers)}\n`);
  for (const r of rows) out.write(`${line(r)}\n`);
}

/** "12 messages: 3 import (matched), 9 skip (4 automated, …)". */
export function printReasonSummary(reasons: string[], out: NodeJS.WritableStream = process.stdout): void {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n} ${r}`);
  out.write(`\n${reasons.length} message${reasons.length === 1 ? '' : 's'}: ${parts.join(', ') || 'none'}\n`);
}

/** `{automated: 2, "internal-only": 5}` → "5 internal-only, 2 automated" (`empty` when none). */
export function formatCounts(counts: Readonly<Record<string, number>>, empty = ''): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${n} ${reason}`);
  return parts.join(', ') || empty;
}

/**
 * A reader that closed our stdout (`mailbridge status | head -1`) has what it wanted: end the
 * process quietly instead of crashing on EPIPE. Other stdout errors still surface.
 */
export function exitQuietlyOnClosedStdout(stdout: NodeJS.WriteStream = process.stdout): void {
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw err;
  });
}
