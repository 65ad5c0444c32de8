/**
 * `mailbridge sync --once`: one sync round for each tenant (or the one named), then exit.
 * Exit 0 when every mailbox went through, 1 when any failed. SIGTERM/SIGINT stop it gracefully
 * after the batch in flight; the cursors make the next run resume there.
 */
import type { Command } from 'commander';
import { createLogger, silentLogger } from '../../app/logger.js';
import { RoundFailedError, runSyncRound, type SyncRoundResult } from '../../app/run-sync.js';
import { errorJson } from '../run-cli.js';
import { formatCounts, printTable } from '../output.js';
import { createProgress } from '../progress.js';
import { tenantOptions, withEachTenant, type TenantFlags } from '../tenant-command.js';

interface SyncFlags extends TenantFlags {
  once?: boolean;
  mailbox?: string[];
  quiet?: boolean;
  logLevel?: string;
}

export function registerSync(program: Command): void {
  tenantOptions(
    program
      .command('sync')
      .description('Run one sync round now: pull CRM changes, scan every mailbox since its cursor, write back, then exit')
      .option('--once', 'run one round and exit (the default; `mailbridge run` keeps a schedule)')
      .option('-m, --mailbox <address...>', 'only these mailboxes')
      .option('-q, --quiet', 'no progress output')
      .option('--log-level <level>', 'log level for the job log on stderr (default: from the config, else info)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  mailbridge sync --once                         every tenant in ./mailbridge.config.json
  mailbridge sync --once --tenant acme --json    one tenant; the last stdout line is the result
  mailbridge sync --once -m ana@ours.example     one mailbox

Progress goes to stderr (a bar on a terminal, lines otherwise); the job log too, or to log.file.
Exit status: 0 all mailboxes synced, 1 a mailbox, its calendar or a tenant's round failed (the others still ran),
2 bad configuration. With several tenants, --json adds "failed": [{"tenant", "error"}] for rounds
that stopped.`,
    )
    .action(async (flags: SyncFlags) => {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        // One tenant's failed round (recorded in its database) does not stop the others.
        const failed: RoundFailedError[] = [];
        const rounds = await withEachTenant(flags, async (tenant, config) => {
          const logger = flags.quiet ? silentLogger() : createLogger({ level: flags.logLevel ?? config.log.level, file: config.log.file });
          const progress = createProgress({ json: flags.json, quiet: flags.quiet });
          try {
            return await runSyncRound(tenant, { mailboxes: flags.mailbox, signal: stop.signal, onProgress: (e) => progress.onProgress(e), logger });
          } catch (err) {
            if (!(err instanceof RoundFailedError)) throw err;
            failed.push(err);
            return null;
          } finally {
            progress.stop();
          }
        });
        const results = rounds.filter((r): r is SyncRoundResult => r !== null);
        // A single tenant's failure is the command's error (JSON under --json, by runCli).
        if (results.length === 0 && failed.length === 1) throw failed[0];
        for (const f of failed) process.stderr.write(`mailbridge: ${f.message}\n`);
        report(results, failed, flags.json ?? false);
        if (failed.length > 0 || results.some((r) => r.totals.failed > 0 || r.totals.calendarsFailed > 0)) process.exitCode = 1;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}

function report(results: SyncRoundResult[], failed: RoundFailedError[], json: boolean): void {
  if (json) {
    const failedJson = failed.map((f) => ({ tenant: f.tenant, error: errorJson(f) }));
    const out = results.length === 1 && failed.length === 0 ? results[0] : { tenants: results, ...(failed.length ? { failed: failedJson } : {}) };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  for (const r of results) {
    process.stdout.write(`\nTenant ${r.tenant} (${r.provider} → ${r.crm})${r.stopped ? ' — stopped early, resumes next run' : ''}\n`);
    printTable(
      ['mailbox', 'status', 'scanned', 'imported', 'already', 'skipped'],
      r.mailboxes.map((m) =>
        m.ok
          ? [m.address, m.stopped ? 'stopped' : 'ok', String(m.scanned), String(m.imported), String(m.duplicates), formatCounts(m.skipped)]
          : [m.address, m.code === 'leased' ? 'busy' : 'failed', '', '', '', m.error],
      ),
    );
    const t = r.totals;
    process.stdout.write(`\n${t.mailboxes} mailboxes, ${t.scanned} scanned, ${t.imported} imported, ${t.duplicates} already imported, ${t.failed} failed\n`);
    if (Object.keys(t.skipped).length) process.stdout.write(`skipped: ${formatCounts(t.skipped)}\n`);
    if (t.meetingsScanned || t.calendarsFailed) {
      process.stdout.write(`meetings: ${t.meetingsScanned} scanned, ${t.meetingsImported} imported, ${t.meetingActivitiesWritten} activities written, ${t.meetingsAlreadyImported} already imported, ${t.calendarsFailed} calendars failed\n`);
      if (Object.keys(t.meetingsSkipped).length) process.stdout.write(`meetings skipped: ${formatCounts(t.meetingsSkipped)}\n`);
    }
  }
}
