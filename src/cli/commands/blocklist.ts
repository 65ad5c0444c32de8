/**
 * `mailbridge blocklist add|remove|list`: the tenant's blocklist kept in the database, beside
 * the configuration file's entries. Adding purges every matching imported message locally and
 * in the CRM (DESIGN §3).
 */
import { Command, Option } from 'commander';
import { cliActor, adminParts } from '../../app/admin/admin-parts.js';
import { addToBlocklist, BLOCKLIST_KINDS, listBlocklist, removeFromBlocklist } from '../../app/admin/blocklist.js';
import type { BlocklistKind } from '../../store/admin-store.js';
import { printTable } from '../output.js';
import { tenantOptions, withTenant, type TenantFlags } from '../tenant-command.js';

interface EntryFlags extends TenantFlags {
  kind?: BlocklistKind;
  dryRun?: boolean;
}

const kindOption = () =>
  new Option('--kind <kind>', 'address | domain | phrase (default: inferred — contains @ → address, a domain → domain, words → phrase; a public suffix such as co.uk is refused, and a domain-like value that is none needs --kind phrase)').choices(
    BLOCKLIST_KINDS as string[],
  );

const out = (text: string) => process.stdout.write(text);

export function registerBlocklist(program: Command): void {
  const blocklist = program
    .command('blocklist')
    .description('Block addresses, domains (with their subdomains) and subject phrases; adding one purges what it matches')
    .addHelpText(
      'after',
      `
Examples:
  mailbridge blocklist add ceo@partner.example --dry-run   # list what would be deleted
  mailbridge blocklist add partner.example                 # block a domain and its subdomains
  mailbridge blocklist add "confidential: hr" --kind phrase
  mailbridge blocklist remove partner.example
  mailbridge blocklist list --json`,
    );

  tenantOptions(
    blocklist
      .command('add <value>')
      .description('Add an entry and delete every imported message it matches (any role or the subject), locally and in the CRM')
      .addOption(kindOption())
      .option('--dry-run', 'list the messages that would be deleted; change nothing'),
  )
    .addHelpText(
      'after',
      `
Matching: an address in From, To, Cc or Bcc (case and +tags ignored); a domain and every
subdomain of it; a phrase anywhere in the subject, case-insensitive. The purge is recorded in
the audit log (counts only). New mail that matches is never imported.

Examples:
  mailbridge blocklist add jane@acme.example --dry-run
  mailbridge blocklist add acme.example --json`,
    )
    .action(async (value: string, flags: EntryFlags) => {
      await withTenant(flags, async (tenant) => {
        const result = await addToBlocklist(adminParts(tenant, cliActor()), { value, kind: flags.kind }, { dryRun: flags.dryRun });
        if (flags.json) return out(`${JSON.stringify(result)}\n`);
        if (result.dryRun) {
          out(`Dry run: ${result.kind} "${result.value}" matches ${result.matched} imported message(s); nothing was changed.\n`);
          if (result.wouldDelete.length) {
            printTable(['sent', 'crm id', 'key', 'subject'], result.wouldDelete.map((m) => [m.sentAt, m.crmId, m.key, m.subject]));
          }
          return;
        }
        const p = result.purged!;
        out(`${result.added ? 'Added' : 'Already blocked:'} ${result.kind} "${result.value}". Deleted ${p.messages} imported message(s); ` +
          `${p.crmDeleted} CRM activit${p.crmDeleted === 1 ? 'y' : 'ies'} deleted` +
          (p.crmOwed ? `, ${p.crmOwed} to retry (the CRM refused; the next sync round retries).\n` : '.\n'));
      });
    });

  tenantOptions(
    blocklist
      .command('remove <value>')
      .description('Remove an entry added with `blocklist add` (entries from the configuration file are edited there)')
      .addOption(kindOption()),
  )
    .addHelpText('after', '\nExample:\n  mailbridge blocklist remove acme.example\n\nMessages purged when the entry was added are not restored.')
    .action(async (value: string, flags: EntryFlags) => {
      await withTenant(flags, async (tenant) => {
        const result = await removeFromBlocklist(adminParts(tenant, cliActor()), { value, kind: flags.kind });
        out(flags.json ? `${JSON.stringify(result)}\n` : `Removed ${result.kind} "${result.value}".\n`);
      });
    });

  tenantOptions(blocklist.command('list').description('List the entries: the database\'s and the configuration file\'s'))
    .addHelpText('after', '\nExample:\n  mailbridge blocklist list --json')
    .action(async (flags: TenantFlags) => {
      await withTenant(flags, async (tenant) => {
        const entries = await listBlocklist(adminParts(tenant, cliActor()));
        if (flags.json) return out(`${JSON.stringify({ entries })}\n`);
        if (!entries.length) return out('The blocklist is empty.\n');
        printTable(['kind', 'value', 'source', 'added'], entries.map((e) => [e.kind, e.value, e.source, e.addedAt ? `${e.addedAt} by ${e.addedBy}` : '']));
      });
    });
}
