/**
 * `mailbridge key rotate`: re-encrypts every tenant database under a new key (crash-safe; run it
 * again to finish an interrupted rotation), waiting out a sync round in progress.
 */
import type { Command } from 'commander';
import { KeyRotationError, rotateKeyWhenFree } from '../../app/rotate-key.js';
import { DEFAULT_CONFIG_FILE } from '../../config/load-config.js';
import { UsageError, wholeNumber } from '../run-cli.js';
import { readConfig } from '../tenant-command.js';

export function registerKey(program: Command): void {
  const key = program.command('key').description('Manage the database encryption key');
  key
    .command('rotate')
    .description('Generate a new database key and re-encrypt every tenant database with it')
    .option('-c, --config <file>', `configuration file (default: $MAILBRIDGE_CONFIG or ./${DEFAULT_CONFIG_FILE})`)
    .option('--wait <seconds>', 'how long to wait for a sync round in progress to finish (0: fail at once)', '300')
    .option('--json', 'print { keyFile, resumed, tenants: [{ id, result }] }')
    .addHelpText(
      'after',
      `
The new key is written to <keyFile>.next (0600) first, each database is re-encrypted while no
sync holds it, and only then does the new key replace the key file. It can run beside
\`mailbridge run\`: a database in use by a sync round is retried until the round ends (--wait),
and the scheduler's next rounds read the new key. If the rotation stops half way, every
database still opens (the old key, then .next, are tried) and running the command again
finishes it. A key given in MAILBRIDGE_DB_KEY cannot be rotated here: rotation needs a key file.

Examples:
  mailbridge key rotate
  mailbridge key rotate --wait 0       # fail at once if a sync is running
  mailbridge key rotate --config /etc/mailbridge/config.json --json`,
    )
    .action(async (flags: { config?: string; json?: boolean; wait: string }) => {
      const waitMs = wholeNumber('--wait', flags.wait, 0) * 1000;
      const told = new Set<string>();
      const onWait = (busy: KeyRotationError) => {
        if (!told.has(busy.tenant)) process.stderr.write(`tenant ${busy.tenant} is in use by a sync: waiting up to ${waitMs / 1000} s for it to finish…\n`);
        told.add(busy.tenant);
      };
      let result;
      try {
        result = await rotateKeyWhenFree(readConfig(flags), { waitMs, onWait });
      } catch (err) {
        if (err instanceof KeyRotationError) throw new UsageError(err.message);
        throw err;
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      if (result.resumed) process.stdout.write('Resumed an interrupted rotation.\n');
      for (const t of result.tenants) process.stdout.write(`  ${t.id}: ${t.result}\n`);
      process.stdout.write(`New key in ${result.keyFile} (mode 0600). Back it up; the old key no longer opens the databases.\n`);
    });
}
