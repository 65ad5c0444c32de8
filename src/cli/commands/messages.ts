/**
 * `mailbridge messages delete <id> --as <email>`: deletes one imported message locally and its
 * CRM activity. Admins (the tenant's `admins`) delete any; a CRM user only messages on accounts
 * they own (DESIGN §3). A refusal exits 2 and is recorded in the audit log.
 * `mailbridge messages list|search <text>`: imported mail, newest first or by full-text match.
 */
import type { Command } from 'commander';
import { adminParts, cliActor } from '../../app/admin/admin-parts.js';
import { deleteMessage } from '../../app/admin/delete-message.js';
import type { ImportedMessage } from '../../store/imported-messages.js';
import { printTable } from '../output.js';
import { wholeNumber } from '../run-cli.js';
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

  registerListAndSearch(messages);
}

interface ListFlags extends TenantFlags {
  limit: string;
}

/** `list` and `search <text>`: read-only views of imported mail (the ledger and its full-text search), on either store. */
function registerListAndSearch(messages: Command): void {
  const limit = (c: Command) => c.option('--limit <n>', 'at most this many messages', '100');
  tenantOptions(limit(messages.command('list').description('Imported messages, newest first'))).action(async (flags: ListFlags) => {
    const n = wholeNumber('--limit', flags.limit, 1);
    await withTenant(flags, async (tenant) => printMessages(await tenant.stores.messages.list(n), flags));
  });
  tenantOptions(limit(messages.command('search <text>').description('Imported messages whose subject, text or participants contain every word of <text>, best match first')))
    .addHelpText(
      'after',
      `
Words are matched whole (as the full-text index splits them), case-insensitively; every word
must appear. Quotes and operators are taken as plain words.

Examples:
  mailbridge messages search renewal pricing
  mailbridge messages search jane.doe@acme.com --json | jq .crmIds.activity`,
    )
    .action(async (text: string, flags: ListFlags) => {
      const n = wholeNumber('--limit', flags.limit, 1);
      await withTenant(flags, async (tenant) => printMessages(await tenant.stores.messages.search(text, n), flags));
    });
}

function printMessages(found: ImportedMessage[], flags: TenantFlags): void {
  if (flags.json) {
    for (const m of found) process.stdout.write(`${JSON.stringify(m)}\n`);
    return;
  }
  if (!found.length) {
    process.stdout.write('No imported message found.\n');
    return;
  }
  printTable(
    ['sent', 'crm activity', 'holders', 'subject'],
    found.map((m) => [m.sentAt.slice(0, 16).replace('T', ' '), m.crmIds.activity, m.holders.join(', '), m.subject]),
  );
}
