/**
 * `mailbridge messages delete <id> --as <email>`: deletes one imported message locally and its
 * CRM activity. Admins (the tenant's `admins`) delete any; a CRM user only messages on accounts
 * they own (DESIGN §3). A refusal exits 2 and is recorded in the audit log.
 */
import type { Command } from 'commander';
import { adminParts, cliActor } from '../../app/admin/admin-parts.js';
import { deleteMessage } from '../../app/admin/delete-message.js';
import { tenantOptions, withTenant, type TenantFlags } from '../tenant-command.js';

interface DeleteFlags extends TenantFlags {
  as: string;
}

export function registerMessages(program: Command): void {
  const messages = program.command('messages').description('Act on imported messages');
  tenantOptions(
    messages
      .command('delete <id>')
      .description('Delete one imported message (by CRM activity id or ledger key), locally and in the CRM')
      .requiredOption('--as <email>', 'who is deleting: an admin of the tenant, or the CRM user owning the account'),
  )
    .addHelpText(
      'after',
      `
Roles: an address listed in the tenant's "admins" may delete any message. Any other CRM user may
delete a message only when every account it is on (directly or through its deal) is theirs.
A refused delete exits with code 2 and is written to the audit log.

Examples:
  mailbridge messages delete 02sEMU000000000001 --as ann@example-seller.com
  mailbridge messages delete 02sEMU000000000001 --as ben@example-seller.com --json`,
    )
    .action(async (id: string, flags: DeleteFlags) => {
      await withTenant(flags, async (tenant) => {
        const result = await deleteMessage(adminParts(tenant, cliActor()), id, flags.as);
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(result)}\n`
            : `Deleted message ${result.key} (CRM activity ${result.crmId}) as ${result.role}` +
                (result.result.crmOwed ? '; the CRM refused the delete, the next sync round retries it.\n' : '.\n'),
        );
      });
    });
}
