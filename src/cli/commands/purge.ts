/**
 * `mailbridge purge --all --yes`: termination. Deletes every activity mailbridge wrote to the CRM
 * and everything in the tenant's database; one audit entry recording the purge is left.
 */
import type { Command } from 'commander';
import { adminParts, cliActor } from '../../app/admin/admin-parts.js';
import { purgeAll } from '../../app/admin/purge-all.js';
import { UsageError } from '../run-cli.js';
import { tenantOptions, withTenant, type TenantFlags } from '../tenant-command.js';

interface PurgeFlags extends TenantFlags {
  all?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

export function registerPurge(program: Command): void {
  tenantOptions(
    program
      .command('purge')
      .description('Termination: delete every CRM activity mailbridge wrote and all local data of the tenant')
      .option('--all', 'required: everything is purged')
      .option('--yes', 'required (unless --dry-run): confirms the purge cannot be undone')
      .option('--dry-run', 'print what would be deleted; change nothing'),
  )
    .addHelpText(
      'after',
      `
Deletes, for the tenant: the CRM activities (in batches), imported messages and their text, the
CRM index, cursors, tokens and secrets, mailbox statuses, counters, blocklist, suppressions,
privacy jobs, settings and the audit log. A single audit entry recording the purge remains. If
the CRM refuses some deletions, their ids are kept and running the purge again finishes it.

Examples:
  mailbridge purge --all --dry-run
  mailbridge purge --all --yes --json`,
    )
    .action(async (flags: PurgeFlags) => {
      if (!flags.all) throw new UsageError('purge needs --all (it deletes everything of the tenant)');
      if (!flags.yes && !flags.dryRun) throw new UsageError('purge --all cannot be undone: add --yes to confirm, or --dry-run to see the counts');
      await withTenant(flags, async (tenant) => {
        const r = await purgeAll(adminParts(tenant, cliActor()), { dryRun: flags.dryRun });
        if (flags.json) return void process.stdout.write(`${JSON.stringify(r)}\n`);
        const rows = Object.entries(r.rows).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`).join(', ') || 'none';
        process.stdout.write(
          r.dryRun
            ? `Dry run: ${r.crmActivities} CRM activities and these local rows would be deleted: ${rows}\n`
            : `Purged. CRM activities deleted: ${r.crmDeleted} of ${r.crmActivities}` +
                (r.crmOwed ? ` (${r.crmOwed} refused by the CRM: run the purge again).\n` : '.\n') +
                `Local rows deleted: ${rows}\n`,
        );
      }, { keepCrmSession: false });
    });
}
