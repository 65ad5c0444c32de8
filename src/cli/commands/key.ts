/**
 * `mailbridge key rotate`: re-encrypts every tenant database under a new key (crash-safe; run it
 * again to finish an interrupted rotation).
 */
import type { Command } from 'commander';
import { KeyRotationError, rotateKey } from '../../app/rotate-key.js';
import { DEFAULT_CONFIG_FILE } from '../../config/load-config.js';
import { UsageError } from '../run-cli.js';
import { readConfig } from '../tenant-command.js';

export function registerKey(program: Command): void {
  const key = program.command('key').description('Manage the database encryption key');
  key
    .command('rotate')
    .description('Generate a new database key and re-encrypt every tenant database with it')
    .option('-c, --config <file>', `configuration file (default: $MAILBRIDGE_CONFIG or ./${DEFAULT_CONFIG_FILE})`)
    .option('--json', 'print { keyFile, resumed, tenants: [{ id, result }] }')
    .addHelpText(
      'after',
      `
The new key is written to <keyFile>.next (0600) first, each database is re-encrypted while no
sync holds it, and only then does the new key replace the key file. If the rotation stops half
way, every database still opens (the old key, then .next, are tried) and running the command
again finishes it. Stop \`mailbridge run\` first: a database in use cannot be re-encrypted.
A key given in MAILBRIDGE_DB_KEY cannot be rotated here: rotation needs a key file.

Examples:
  mailbridge key rotate
  mailbridge key rotate --config /etc/mailbridge/config.json --json`,
    )
    .action((flags: { config?: string; json?: boolean }) => {
      let result;
      try {
        result = rotateKey(readConfig(flags));
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
