/**
 * `mailbridge run`: the long-running job. Checks every tenant opens, syncs on the schedule (every 15
 * minutes by default, never overlapping), runs retention daily, and on SIGTERM/SIGINT stops
 * taking work, lets the batch in flight finish, saves its cursor and exits 0.
 */
import type { Command } from 'commander';
import { createLogger } from '../../app/logger.js';
import { openTenant } from '../../app/open-tenant.js';
import { runSyncRound, TenantBusyError } from '../../app/run-sync.js';
import { InProcessJobQueue, type Job } from '../../app/scheduler/job-queue.js';
import { nextRunOf, Scheduler } from '../../app/scheduler/scheduler.js';
import { selectTenants } from '../../config/load-config.js';
import { runHousekeepingJob } from '../../app/scheduler/job-handlers.js';
import { errorJson } from '../run-cli.js';
import { readConfig, tenantOptions, type TenantFlags } from '../tenant-command.js';

interface RunFlags extends TenantFlags {
  initial?: boolean;
  logLevel?: string;
}

export function registerRun(program: Command): void {
  tenantOptions(
    program
      .command('run')
      .description('Keep syncing on the schedule of the config file (schedule.cron, every 15 minutes by default) until stopped')
      .option('--no-initial', 'wait for the first scheduled time instead of syncing at start')
      .option('--log-level <level>', 'log level (default: from the config, else info)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  mailbridge run                         every tenant, first round now, then on schedule.cron
  mailbridge run --tenant acme --no-initial

Rounds never overlap: a round still running when the next is due makes that tick a no-op, and a
lease in the database keeps a second process on this host off the same mailboxes. SIGTERM or
Ctrl-C finishes the batch in flight, saves the cursor, and exits 0. Logs are JSON lines on stderr
(or log.file). With --json, stdout gets one JSON line per round: {"round": …} as \`sync --json\`
prints it, or {"tenant", "error": {"code", "message", "field"?}} when the round failed.`,
    )
    .action(async (flags: RunFlags) => {
      const config = readConfig(flags);
      const logger = createLogger({ level: flags.logLevel ?? config.log.level, file: config.log.file });
      const tenants = new Map(selectTenants(config, flags.tenant).map((t) => [t.id, t]));
      // Fail fast on a wrong key or an unreadable database, before the first tick.
      for (const t of tenants.values()) await openTenant(config, t).close();

      const queue = new InProcessJobQueue((job, err) => logger.error({ job, error: err instanceof Error ? err.message : String(err) }, 'job failed'));
      queue.process(async (job: Job, signal) => {
        const tenantConfig = tenants.get(job.tenant);
        if (!tenantConfig) return;
        // Opened per job, not held: `key rotate` needs the only connection, the key file is read
        // afresh, and a mailbox whose consent was refused is tried again with new clients.
        const tenant = openTenant(config, tenantConfig);
        try {
          if (job.kind === 'sync') {
            const result = await runSyncRound(tenant, { signal, logger });
            // --json: one line per round on stdout, for scripts that follow the service.
            if (flags.json) process.stdout.write(`${JSON.stringify({ round: result })}\n`);
            logger.info({ tenant: job.tenant, nextRun: nextRunOf(config.schedule.cron)?.toISOString() ?? null }, 'next sync round');
          } else {
            await runHousekeepingJob(job, tenant, logger);
          }
        } catch (err) {
          if (flags.json && job.kind === 'sync') process.stdout.write(`${JSON.stringify({ tenant: job.tenant, error: errorJson(err) })}\n`);
          if (err instanceof TenantBusyError) logger.warn({ tenant: job.tenant }, err.message);
          else throw err;
        } finally {
          await tenant.close();
        }
      });

      const scheduler = new Scheduler({ tenants: [...tenants.keys()], cron: config.schedule.cron, retentionCron: config.schedule.retentionCron }, queue);
      scheduler.start(flags.initial !== false);
      logger.info({ tenants: [...tenants.keys()], cron: config.schedule.cron, nextRun: scheduler.nextRun()?.toISOString() ?? null }, 'scheduler started');

      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping: finishing the batch in flight');
          resolve();
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      scheduler.stop();
      await queue.close();
      logger.info({}, 'stopped');
    });
}
