/**
 * `mailbridge mailboxes add|remove|list`: who is synced, without editing the configuration by
 * hand. The work is in app/setup/mailboxes.ts; this only parses flags and prints.
 */
import type { Command } from 'commander';
import { cliActor } from '../../app/admin/admin-parts.js';
import { addMailboxes, listMailboxes, removeMailboxes, type MailboxChangeResult } from '../../app/setup/mailboxes.js';
import { printTable } from '../output.js';
import { tenantOptions, withTenant, type TenantFlags } from '../tenant-command.js';

const out = (text: string): void => {
  process.stdout.write(text);
};

function printChanges(result: MailboxChangeResult, json?: boolean): void {
  if (json) return out(`${JSON.stringify(result)}\n`);
  out(`Tenant ${result.tenant}\n`);
  printTable(['mailbox', 'change'], result.changes.map((c) => [c.address, c.change]));
  if (result.next.length) out(`\nNext:\n${result.next.map((n) => `  ${n}\n`).join('')}`);
}

export function registerMailboxes(program: Command): void {
  const mailboxes = program
    .command('mailboxes')
    .description('Choose which mailboxes are synced: add, remove, list (with each connection status)')
    .addHelpText(
      'after',
      `
The list is the tenant's mail.users in the configuration file, which these commands rewrite
keeping every other setting. Company mode without a list (all users, a group or the directory)
syncs every mailbox the service lists: there, remove takes one out and add brings it back.

Examples:
  mailbridge mailboxes list
  mailbridge mailboxes add ana@acme.com bo@acme.com --tenant acme
  mailbridge mailboxes remove bo@acme.com --json`,
    );

  tenantOptions(mailboxes.command('list').description('Every mailbox the tenant knows: synced or not, connection, last sync, last error')).action(
    async (flags: TenantFlags) => {
      const result = await withTenant(flags, (tenant) => listMailboxes(tenant));
      if (flags.json) return out(`${JSON.stringify(result)}\n`);
      out(`Tenant ${result.tenant} (${result.mode} mode)\n`);
      printTable(
        ['mailbox', 'synced', 'connection', 'last sync', 'last error'],
        result.mailboxes.map((m) => [m.address, m.synced ? 'yes' : 'no', m.consentPending ? `${m.connection} (link sent)` : m.connection, m.lastSyncAt ?? '-', m.lastError ?? '']),
      );
    },
  );

  tenantOptions(
    mailboxes
      .command('add <email...>')
      .description('Sync these mailboxes (user mode: then send each a consent link with `connect --user`)'),
  ).action(async (emails: string[], flags: TenantFlags) => {
    printChanges(await withTenant(flags, (tenant, config) => addMailboxes(tenant, config.file, emails, cliActor())), flags.json);
  });

  tenantOptions(
    mailboxes
      .command('remove <email...>')
      .description('Stop syncing these mailboxes and forget their stored tokens; mail already imported stays (see `mailbridge privacy`)'),
  ).action(async (emails: string[], flags: TenantFlags) => {
    printChanges(await withTenant(flags, (tenant, config) => removeMailboxes(tenant, config.file, emails, cliActor())), flags.json);
  });
}
