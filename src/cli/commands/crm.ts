/**
 * `mailbridge crm snapshot`: the tenant's CRM index in the `classify --crm` snapshot format,
 * on stdout (or `--out <file>`, created readable by its owner only).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { crmSnapshotJson } from '../../app/ops/crm-snapshot.js';
import { tenantOptions, withTenant, type TenantFlags } from '../tenant-command.js';

interface SnapshotFlags extends TenantFlags {
  out?: string;
}

export function registerCrm(program: Command): void {
  const crm = program.command('crm').description("Look at the tenant's copy of the CRM");
  tenantOptions(
    crm
      .command('snapshot')
      .description('Write the CRM index (users, accounts, contacts, leads, deals, company domains, blocklist) as a classify snapshot')
      .option('--out <file>', 'write to this file (mode 0600) instead of stdout'),
  )
    .addHelpText(
      'after',
      `
The output is the snapshot format of \`mailbridge classify --crm\`: test rules on exported mail
against the real CRM. Addresses and domains come out normalised, as the index holds them. The
erase (suppression) list is not exported. It holds CRM data: keep the file private.
--json is accepted and changes nothing (the output is JSON).

Examples:
  mailbridge crm snapshot > crm.json
  mailbridge crm snapshot --tenant acme --out crm.json
  mailbridge classify --crm crm.json --mail ./Exported --owner rep@example-seller.com`,
    )
    .action(async (flags: SnapshotFlags) => {
      await withTenant(flags, async (tenant) => {
        const out = flags.out ? createWriteStream(flags.out, { mode: 0o600 }) : process.stdout;
        // A file that cannot be created fails here, named, before anything is read.
        if (out !== process.stdout) await once(out, 'open');
        for await (const chunk of crmSnapshotJson(tenant)) {
          if (!out.write(chunk)) await once(out, 'drain');
        }
        if (out !== process.stdout) {
          out.end();
          await once(out, 'finish');
        }
      });
    });
}
