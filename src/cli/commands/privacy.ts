/**
 * `mailbridge privacy access|erase|status`: data-subject requests (DESIGN §3). Erase runs as a
 * job: its id is printed first, so a request survives an interruption (`privacy status`).
 */
import type { Command } from 'commander';
import { adminParts, cliActor } from '../../app/admin/admin-parts.js';
import { accessReport, privacyStatus, requestErase, runPrivacyJobs } from '../../app/admin/privacy.js';
import type { PrivacyJob } from '../../store/admin-store.js';
import { printTable } from '../output.js';
import { tenantOptions, withTenant, type TenantFlags } from '../tenant-command.js';

const out = (text: string) => process.stdout.write(text);

function printJob(job: PrivacyJob): void {
  out(`job ${job.id}: ${job.kind} ${job.subject} — ${job.state} (updated ${job.updatedAt})\n`);
  if (job.result) out(`${Object.entries(job.result as Record<string, number>).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
  if (job.error) out(`  error: ${job.error}\n`);
}

export function registerPrivacy(program: Command): void {
  const privacy = program
    .command('privacy')
    .description('Data-subject requests: what mailbridge holds about an address, and erasing it')
    .addHelpText(
      'after',
      `
Examples:
  mailbridge privacy access jane@acme.example
  mailbridge privacy erase jane@acme.example
  mailbridge privacy status 4f1c…`,
    );

  tenantOptions(privacy.command('access <email>').description('List every reference to the address: messages, mentions, index entries, users, audit'))
    .addHelpText('after', '\nExample:\n  mailbridge privacy access jane@acme.example --json > jane-access.json\n\nThe request itself is written to the audit log.')
    .action(async (email: string, flags: TenantFlags) => {
      await withTenant(flags, async (tenant) => {
        const r = await accessReport(adminParts(tenant, cliActor()), email);
        if (flags.json) return out(`${JSON.stringify(r)}\n`);
        out(`References to ${r.address}\n\nImported messages (${r.messages.length}):\n`);
        if (r.messages.length) printTable(['sent', 'crm id', 'as', 'subject'], r.messages.map((m) => [m.sentAt, m.crmId, m.roles.join(','), m.subject]));
        out(`\nOther messages mentioning it (${r.mentions.length}):\n`);
        if (r.mentions.length) printTable(['sent', 'crm id', 'subject'], r.mentions.map((m) => [m.sentAt, m.crmId, m.subject]));
        out(`\nIndex: ${r.contacts.length} contact(s), ${r.leads.length} lead(s), ${r.users.length} CRM user(s)\n`);
        for (const c of r.contacts) out(`  contact ${c.id} ${c.name ?? ''}\n`);
        for (const l of r.leads) out(`  lead ${l.id} ${l.name ?? ''}\n`);
        for (const u of r.users) out(`  user ${u.id} ${u.name ?? ''}\n`);
        out(`Mailbox: ${r.mailboxes.length ? r.mailboxes.map((m) => m.connection).join(', ') : 'none'}\n`);
        out(`Suppressed: ${r.suppressed ? `since ${r.suppressed.addedAt}` : 'no'}; blocklisted: ${r.blocklisted ? 'yes' : 'no'}\n`);
        out(`Privacy jobs: ${r.privacyJobs.length}; audit entries: ${r.audit.length}\n`);
      });
    });

  tenantOptions(
    privacy
      .command('erase <email>')
      .description('Delete the messages it took part in (locally and in the CRM), drop it from the index, and never import it again')
      .option('--queue-only', 'queue the job and return; the scheduler (or a later `privacy erase`) runs it'),
  )
    .addHelpText(
      'after',
      `
The job id is printed first; \`privacy status <job>\` follows it. CRM deletions the CRM refuses
are retried by every sync round. The address stays on the suppression list so its mail is
never imported again.

Examples:
  mailbridge privacy erase jane@acme.example
  mailbridge privacy erase jane@acme.example --queue-only --json`,
    )
    .action(async (email: string, flags: TenantFlags & { queueOnly?: boolean }) => {
      await withTenant(flags, async (tenant) => {
        const parts = adminParts(tenant, cliActor());
        const jobId = await requestErase(parts, email);
        if (!flags.json) out(`Erase queued: job ${jobId}\n`);
        if (!flags.queueOnly) await runPrivacyJobs(parts);
        const job = await privacyStatus(parts, jobId);
        if (flags.json) out(`${JSON.stringify(job)}\n`);
        else printJob(job);
      });
    });

  tenantOptions(privacy.command('status <job>').description('Show a privacy job: queued, running, done (with counts) or failed'))
    .addHelpText('after', '\nExample:\n  mailbridge privacy status 0b6f3c9e-… --json')
    .action(async (jobId: string, flags: TenantFlags) => {
      await withTenant(flags, async (tenant) => {
        const job = await privacyStatus(adminParts(tenant, cliActor()), jobId);
        if (flags.json) out(`${JSON.stringify(job)}\n`);
        else printJob(job);
      });
    });
}
