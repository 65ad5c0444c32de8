/**
 * `mailbridge retention run`: deletes imported messages older than the tenant's `retentionDays`
 * (3 years by default). The scheduler runs it daily too.
 */
import type { Command } from 'commander';
import { adminParts, cliActor } from '../../app/admin/admin-parts.js';
import { runRetention } from '../../app/admin/retention.js';
import { tenantOptions, withTenant, type TenantFlags } from '../tenant-command.js';

export function registerRetention(program: Command): void {
  const retention = program.command('retention').description('Retention of imported messages');
  tenantOptions(
    retention
      .command('run')
      .description("Delete imported messages sent before the tenant's retention period (retentionDays, default 1095)")
      .option('--dry-run', 'count what has expired; delete nothing')
      .option('--crm', 'assert that the CRM activities go too (refused unless retention.crm is on in the configuration)'),
  )
    .addHelpText(
      'after',
      `
Deletes mailbridge's own copy (ledger entry and searchable text). The CRM activity goes too when
the tenant's retention.crm is on in the configuration (off by default: the CRM is the system of
record and has its own retention). This command and the scheduled daily run follow the same
setting, so they never disagree.

Examples:
  mailbridge retention run --dry-run
  mailbridge retention run --json`,
    )
    .action(async (flags: TenantFlags & { dryRun?: boolean; crm?: boolean }) => {
      await withTenant(flags, async (tenant) => {
        const r = await runRetention(adminParts(tenant, cliActor()), { dryRun: flags.dryRun, ...(flags.crm ? { crm: true } : {}) });
        const crm = tenant.config.retention?.crm ?? false;
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(r)}\n`
            : r.dryRun
              ? `Dry run: ${r.expired} imported message(s) sent before ${r.cutoff} (${r.retentionDays} days) would be deleted.\n`
              : `Deleted ${r.messages} imported message(s) sent before ${r.cutoff}` +
                (crm ? `; ${r.crmDeleted} CRM activities deleted${r.crmOwed ? `, ${r.crmOwed} to retry` : ''}.\n` : '.\n'),
        );
      }, { sharedStore: true });
    });
}
