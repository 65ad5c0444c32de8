/**
 * `mailbridge classify`: the dry run of DESIGN §5, for admins testing rules before switching
 * them on, and for checking the engine against real mail.
 */
import type { Command } from 'commander';
import { classifyFiles, loadBlocklistFile, loadSnapshotFile, type ClassifyLine } from '../../app/classify-files.js';
import { printReasonSummary, printTable } from '../output.js';

interface ClassifyFlags {
  crm: string;
  mail: string;
  owner?: string;
  companyDomains?: string;
  blocklist?: string;
  timeZone?: string;
  json?: boolean;
}

export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description('Classify mail files against a CRM snapshot, without touching any mailbox or CRM')
    .requiredOption('--crm <snapshot.json>', 'CRM snapshot (companyDomains, users, accounts, contacts, leads, deals, blocklist)')
    .requiredOption('--mail <path>', 'a folder of .eml files, an mbox file, or a maildir')
    .option('--owner <email>', 'address of the mailbox owner (the owner rule falls back to this user)')
    .option('--company-domains <a,b>', "replaces the snapshot's companyDomains")
    .option('--blocklist <file>', 'JSON {"addresses": [], "domains": [], "phrases": []} added to the snapshot\'s')
    .option('--time-zone <iana>', 'tenant time zone for the deal window (default UTC)')
    .option('--json', 'one JSON object per message, one per line')
    .addHelpText(
      'after',
      `
Each message gets a decision (import | skip) and a reason:
  draft-or-deleted, internal-only, blocklisted, automated, no-crm-match, matched, unparseable
checked in that order; the first failing rule is the reason.

Examples:
  mailbridge classify --crm crm.json --mail ./Inbox --owner rep@example-seller.com
  mailbridge classify --crm crm.json --mail archive.mbox --json | jq 'select(.decision=="import")'

Exit codes: 0 done, 2 bad input (the message names the file and field), 1 other failure.`,
    )
    .action(async (flags: ClassifyFlags) => {
      const snapshot = await loadSnapshotFile(flags.crm);
      const blocklist = flags.blocklist ? await loadBlocklistFile(flags.blocklist) : undefined;
      const lines: ClassifyLine[] = [];
      for await (const line of classifyFiles({
        snapshot,
        mailPath: flags.mail,
        owner: flags.owner ?? null,
        ...(flags.companyDomains !== undefined ? { companyDomains: flags.companyDomains.split(',').map((d) => d.trim()).filter(Boolean) } : {}),
        ...(blocklist ? { blocklist } : {}),
        ...(flags.timeZone ? { timeZone: flags.timeZone } : {}),
      })) {
        if (flags.json) process.stdout.write(`${JSON.stringify(line)}\n`);
        else lines.push(line);
      }
      if (!flags.json) {
        printTable(
          ['decision', 'reason', 'file', 'matched'],
          lines.map((l) => [l.decision, l.reason, l.file, l.decision === 'import' ? l.explanation : '']),
        );
        printReasonSummary(lines.map((l) => l.reason));
      }
    });
}
