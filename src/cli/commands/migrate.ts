/**
 * `mailbridge migrate`: create or upgrade the store's schema for every tenant.
 */
import type { Command } from 'commander';
import { migrateStore } from '../../app/store/migrate.js';
import { DEFAULT_CONFIG_FILE } from '../../config/load-config.js';
import { readConfig } from '../tenant-command.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Create or upgrade the store schema of every tenant (SQLite files, or PostgreSQL schemas)')
    .option('-c, --config <file>', `configuration file (default: $MAILBRIDGE_CONFIG or ./${DEFAULT_CONFIG_FILE})`)
    .option('--json', 'print { store, tenants: [{ id, where, from, version, applied }] }')
    .addHelpText(
      'after',
      `
With store.kind "postgres", each tenant gets its own schema (t_<tenant id>) and workers refuse
to start on a schema older than their build until this has run. Safe to run again, and from
two machines at once (they take turns). See docs/scale-out.md.

Examples:
  mailbridge migrate
  DATABASE_URL=postgres://mailbridge@db/mailbridge mailbridge migrate --config prod.json --json`,
    )
    .action(async (flags: { config?: string; json?: boolean }) => {
      const result = await migrateStore(readConfig(flags));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      for (const t of result.tenants) {
        // A SQLite file is migrated whenever it is opened: only its version is worth telling.
        const what = result.store === 'sqlite' ? `at version ${t.version}` : t.applied.length ? `upgraded from ${t.from} to ${t.version}` : `at version ${t.version}, nothing to do`;
        process.stdout.write(`  ${t.id} (${t.where}): ${what}\n`);
      }
    });
}
