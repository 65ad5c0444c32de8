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
import { httpToken, Ops, parseListen } from '../../app/ops/ops.js';
import { UsageError } from '../run-cli.js';

interface RunFlags extends TenantFlags {
  initial?: boolean;
  logLevel?: string;
  http?: string;
}

export function registerRun(program: Command): void {
  tenantOptions(
    program
      .command('run')
      .description('Keep syncing on the schedule of the config file (schedule.cron, every 15 minutes by default) until stopped')
      .option('--no-initial', 'wait for the first scheduled time instead of syncing at start')
      .option('--log-level <level>', 'log level (default: from the config, else info)')
      .option('--http <host:port>', 'serve the status page, /metrics and /healthz there (default: http.listen of the config, else off)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  mailbridge run                         every tenant, first round now, then on schedule.cron
  mailbridge run --tenant acme --no-initial
  MAILBRIDGE_HTTP_TOKEN=… mailbridge run --http 127.0.0.1:9464

Rounds never overlap: a round still running when the next is due makes that tick a no-op, and a
lease in the database keeps a second process on this host off the same mailboxes. SIGTERM or
Ctrl-C finishes the batch in flight, saves the cursor, and exits 0. Logs are JSON lines on stderr
(or log.file). With --json, stdout gets one JSON line per round: {"round": …} as \`sync --json\`
prints it, or {"tenant", "error": {"code", "message", "field"?}} when the round failed.

--http serves a read-only status page (/), Prometheus metrics (/metrics) and /healthz (200, or 503
naming what fails); all but /healthz need the token (http.token or MAILBRIDGE_HTTP_TOKEN). Alerts
go to alerts.webhook on transitions. See docs/operations.md.`,
    )
    .action(async (flags: RunFlags) => {
      const config = readConfig(flags);
      const logger = createLogger({ level: flags.logLevel ?? config.log.level, file: config.log.file });
      const tenants = new Map(selectTenants(config, flags.tenant).map((t) => [t.id, t]));
      const listenAt = flags.http ?? config.http?.listen;
      const listen = listenAt === undefined ? null : parseListen(listenAt);
      if (listenAt !== undefined && !listen) throw new UsageError(`${flags.http ? '--http' : 'http.listen'}: expected host:port (e.g. 127.0.0.1:9464), got "${listenAt}"`);
      const token = listen ? httpToken(config) : null;

      const queue = new InProcessJobQueue((job, err) => logger.error({ job, error: err instanceof Error ? err.message : String(err) }, 'job failed'));
      const ops = new Ops(config, logger, () => queue.depth());
      // Fail fast on a wrong key or an unreadable database, before the first tick; the status
      // page starts from what each database says.
      for (const t of tenants.values()) {
        const tenant = await openTenant(config, t);
        try {
          await ops.observe(tenant);
        } finally {
          await tenant.close();
        }
      }
      if (listen && token) logger.info({ url: await ops.listen(listen, token) }, 'status page listening');

      queue.process(async (job: Job, signal) => {
        const tenantConfig = tenants.get(job.tenant);
        if (!tenantConfig) return;
        // Opened per job, not held: `key rotate` needs the only connection, the key file is read
        // afresh, and a mailbox whose consent was refused is tried again with new clients.
        let tenant;
        try {
          tenant = await openTenant(config, tenantConfig);
        } catch (err) {
          if (job.kind === 'sync') await ops.roundFailed(job.tenant, null, err);
          throw err;
        }
        try {
          if (job.kind === 'sync') {
            try {
              const result = await runSyncRound(tenant, { signal, logger });
              await ops.roundFinished(tenant, result);
              // --json: one line per round on stdout, for scripts that follow the service.
              if (flags.json) process.stdout.write(`${JSON.stringify({ round: result })}\n`);
            } catch (err) {
              if (!(err instanceof TenantBusyError)) await ops.roundFailed(job.tenant, tenant, err);
              throw err;
            }
            logger.info({ tenant: job.tenant, nextRun: nextRunOf(config.schedule.cron)?.toISOString() ?? null }, 'next sync round');
          } else {
            await runHousekeepingJob(job, tenant, logger);
            await ops.observe(tenant);
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
      await ops.close();
      logger.info({}, 'stopped');
    });
}
