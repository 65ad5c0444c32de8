/**
 * `mailbridge worker`: joins the pool of workers that share one PostgreSQL (store.kind
 * "postgres"): its queue (pg-boss) and its state. Runs until SIGTERM or Ctrl-C, which finish the
 * batch in flight and release the job to another worker.
 */
import type { Command } from 'commander';
import { createLogger } from '../../app/logger.js';
import { poolDatabaseUrl } from '../../app/scale/pool-status.js';
import { startWorker } from '../../app/scale/worker-pool.js';
import { UsageError } from '../run-cli.js';
import { configFile, readConfig } from '../tenant-command.js';

interface WorkerFlags {
  config?: string;
  concurrency?: string;
  json?: boolean;
  initial?: boolean;
  logLevel?: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Join the pool of workers sharing one PostgreSQL (store.kind "postgres") and run its jobs until stopped')
    .option('-c, --config <file>', 'configuration file (default: $MAILBRIDGE_CONFIG or ./mailbridge.config.json)')
    .option('--concurrency <n>', 'mailbox jobs this worker runs at once (default 4)', '4')
    .option('--no-initial', 'do not queue a first round per tenant at start (the schedule still does)')
    .option('--log-level <level>', 'log level (default: from the config, else info)')
    .option('--json', 'machine-readable output (JSON lines on stdout: joined, stopped)')
    .addHelpText(
      'after',
      `
Examples:
  DATABASE_URL=postgres://mailbridge@db/mailbridge mailbridge worker --concurrency 8

Every worker runs the same way on any machine; the queue in PostgreSQL (pg-boss) hands out one
round per tenant (CRM pull) and one job per mailbox at a time, retries failed or lost jobs with
backoff, and keeps jobs that failed every try as dead letters (see \`mailbridge status\`).
SIGTERM finishes the batch in flight, saves the cursor, releases the job and exits 0; a killed
worker's job is retried by another. See docs/scale-out.md.`,
    )
    .action(async (flags: WorkerFlags) => {
      const config = readConfig(flags);
      const concurrency = Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency: expected a whole number from 1 to 64, got "${flags.concurrency}"`);
      const url = poolDatabaseUrl(config);
      if (!url) throw new UsageError(`${configFile(flags)}: a worker pool needs a PostgreSQL for its queue: store.kind "postgres" (store.url), or pool.url (see docs/scale-out.md)`);
      const logger = createLogger({ level: flags.logLevel ?? config.log.level, file: config.log.file });
      // Listening before joining: a SIGTERM during start-up still stops the worker cleanly.
      const stopSignal = new Promise<string>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      const worker = await startWorker(config, logger, { connectionString: url, concurrency, initial: flags.initial !== false });
      if (flags.json) process.stdout.write(`${JSON.stringify({ event: 'joined', worker: worker.id, concurrency })}\n`);
      const signal = await stopSignal;
      logger.info({ signal }, 'stopping: finishing the batch in flight, releasing the job');
      await worker.stop();
      logger.info({ worker: worker.id }, 'worker left the pool');
      if (flags.json) process.stdout.write(`${JSON.stringify({ event: 'stopped', worker: worker.id, signal })}\n`);
    });
}
