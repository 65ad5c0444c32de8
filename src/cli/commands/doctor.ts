/**
 * `mailbridge doctor`: every credential, permission, mailbox, CRM object, field and property the
 * job needs, one line per check with its fix; `--fix` creates what mailbridge may create itself.
 */
import type { Command } from 'commander';
import { runDoctor } from '../../app/setup/doctor.js';
import { configFile, tenantOptions, type TenantFlags } from '../tenant-command.js';

interface DoctorFlags extends TenantFlags {
  fix?: boolean;
}

export function registerDoctor(program: Command): void {
  tenantOptions(
    program
      .command('doctor')
      .description('Check credentials, permissions, mailboxes and CRM objects, fields and properties; name the fix of each failure')
      .option('--fix', "create what mailbridge may create itself (HubSpot: mailbridge's email properties) and say what it did"),
  )
    .addHelpText(
      'after',
      `
Checks, for every tenant (or the one --tenant names): the configuration; that the database key
opens the database; that the mail service accepts the credentials; each call the configured mode
makes (list users, list a group's members, read a mailbox's folders, read a message); every
configured mailbox; that the CRM accepts the credentials; every object, field and property the
write-back and the pull use (Salesforce describe: present, createable, updateable; HubSpot: the
email object, mailbridge's properties, the owners endpoint, the association types); and the
daily API headroom.

--json prints {"ok", "checks": [{"tenant", "name", "ok", "detail", "fix"}], "fixed"} as the last line.

Examples:
  mailbridge doctor
  mailbridge doctor --tenant acme --json
  mailbridge doctor --fix

Exit codes: 0 every check passes, 1 a check failed.`,
    )
    .action(async (flags: DoctorFlags) => {
      const result = await runDoctor({ configFile: configFile(flags), tenant: flags.tenant, fix: flags.fix });
      if (!result.ok) process.exitCode = 1;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const out = process.stdout;
      for (const c of result.checks) {
        out.write(`${c.ok ? '✓' : '✗'} ${c.tenant}  ${c.name}: ${c.detail}\n`);
        if (c.fix) out.write(`    fix: ${c.fix}\n`);
      }
      for (const line of result.fixed) out.write(`fixed: ${line}\n`);
      const failed = result.checks.filter((c) => !c.ok).length;
      out.write(failed ? `\n${failed} of ${result.checks.length} checks failed\n` : `\nall ${result.checks.length} checks passed\n`);
    });
}
