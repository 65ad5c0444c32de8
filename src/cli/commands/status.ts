/**
 * `mailbridge status`: per mailbox the connection, last sync and its outcome, counts by reason
 * and imported emails; the next scheduled round; per CRM the API budget and deletions owed.
 */
import type { Command } from 'commander';
import { tenantStatus, type TenantStatusReport } from '../../app/tenant-status.js';
import { poolDatabaseUrl, poolStatus, type PoolStatus } from '../../app/scale/pool-status.js';
import { formatCounts, printTable } from '../output.js';
import { readConfig, tenantOptions, withEachTenant, type TenantFlags } from '../tenant-command.js';

const reasons = (counts: Record<string, number>) => formatCounts(counts, '-');

function printReport(r: TenantStatusReport, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`Tenant ${r.tenant}: ${r.provider} (${r.mode} mode) → ${r.crm.kind}\n`);
  printTable(
    ['mailbox', 'connection', 'last sync', 'last ok', 'imported', 'skipped', 'last error'],
    r.mailboxes.map((m) => [m.address, m.connection, m.lastSyncAt ?? 'never', m.lastOkAt ?? '-', String(m.imported), reasons(m.skipped), m.lastError ?? '']),
    out,
  );
  const b = r.crm.budget;
  const used = b && b.dailyUsed !== null ? `${b.dailyUsed}${b.dailyMax !== null ? ` of ${b.dailyMax}` : ''} API calls today (as of ${b.at ?? '?'})` : 'not measured yet';
  out.write(`\nCRM ${r.crm.kind}: ${used}; ${r.crm.pendingDeletions} activity deletion${r.crm.pendingDeletions === 1 ? '' : 's'} pending\n`);
  const last = r.lastRound;
  if (!last) out.write('Last round: none yet\n');
  else if (last.ok) out.write(`Last round: ok, finished ${last.finishedAt ?? '?'}; ${last.lateMatched} late-matched, ${last.reassociated} re-associated\n`);
  else {
    const e = last.error;
    out.write(`Last round: FAILED ${last.finishedAt ?? '?'} (${last.stage ?? '?'}): ${e ? `${e.code}: ${e.message}` : 'unknown error'}\n`);
    if (e?.setting) out.write(`  check ${e.setting} in the configuration\n`);
  }
  out.write(`Next run: ${r.schedule.nextRun ?? 'unknown'} (schedule "${r.schedule.cron}")\n`);
  out.write(
    `Totals: ${r.totals.mailboxes} mailboxes, ${r.totals.connected} connected, ${r.totals.needingAttention} needing attention, ` +
      `${r.totals.imported} emails imported; skipped: ${reasons(r.totals.skipped)}\n`,
  );
  if (r.totals.calendar || r.totals.meetingsImported) {
    out.write(`Meetings: ${r.totals.meetingsImported} imported; skipped: ${reasons(r.totals.meetingsSkipped)}${r.totals.calendar ? '' : ' (calendar.enabled is off)'}\n`);
  }
  out.write('\n');
}

function printPool(p: PoolStatus, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`Worker pool: ${p.workers.length} worker${p.workers.length === 1 ? '' : 's'} live; jobs: ${p.queue.queued} waiting, ${p.queue.running} running, ${p.queue.failed} failed (dead letters)\n`);
  printTable(
    ['worker', 'concurrency', 'started', 'last seen'],
    p.workers.map((w) => [w.id, String(w.concurrency), w.startedAt, w.seenAt]),
    out,
  );
  if (p.queue.failed) out.write('Dead letters failed every retry: see the worker logs ("job not done") for why, fix, then run a round again.\n');
  out.write('\n');
}

export function registerStatus(program: Command): void {
  tenantOptions(program.command('status').description('Show connection, sync and CRM status per mailbox (all tenants unless --tenant)'))
    .addHelpText(
      'after',
      `
Reads the tenant's database only: no mailbox or CRM is contacted. Columns: connection (invited,
connected, revoked, failing, missing = gone from the directory, not-connected), last sync, last successful sync, emails imported
from the mailbox, skipped messages by reason, last error. Below: the CRM's API budget as the
last round saw it, CRM deletions still owed, the last round's outcome (with the setting to
check when a credential was refused), and the next scheduled round. "Needing attention" counts
mailboxes with an error or a revoked, failing, missing or not-connected connection, plus one
when the last round failed.
With store.kind "postgres" or a pool.url, also the worker pool: live workers, jobs waiting and
running, dead letters.

Examples:
  mailbridge status
  mailbridge status --tenant acme --json | jq '.mailboxes[] | select(.lastError)'`,
    )
    .action(async (flags: TenantFlags) => {
      const reports = await withEachTenant(flags, (t, config) => tenantStatus(t, config));
      const url = poolDatabaseUrl(readConfig(flags));
      const pool = url ? await poolStatus(url) : null;
      if (flags.json) {
        const body = flags.tenant ? reports[0] : { tenants: reports };
        process.stdout.write(`${JSON.stringify(pool ? { ...body, pool } : body)}\n`);
        return;
      }
      for (const r of reports) printReport(r);
      if (pool) printPool(pool);
    });
}
