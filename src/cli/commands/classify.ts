/**
 * `mailbridge classify`: the dry run of DESIGN §5, for admins testing rules before switching
 * them on, and for checking the engine against real mail.
 */
import type { Command } from 'commander';
import { classifyCalendar } from '../../app/classify-calendar.js';
import { classifyFiles, loadBlocklistFile, loadSnapshotFile, type ClassifyLine } from '../../app/classify-files.js';
import { printReasonSummary, printTable } from '../output.js';
import { UsageError, wholeNumber } from '../run-cli.js';

interface ClassifyFlags {
  crm: string;
  mail?: string;
  calendar?: string;
  webinarAttendees?: string;
  daysAhead?: string;
  since?: string;
  owner?: string;
  companyDomains?: string;
  blocklist?: string;
  timeZone?: string;
  json?: boolean;
}

export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description('Classify mail files (or calendar exports) against a CRM snapshot, without touching any mailbox or CRM')
    .requiredOption('--crm <snapshot.json>', 'CRM snapshot (companyDomains, users, accounts, contacts, leads, deals, blocklist)')
    .option('--mail <path>', 'a folder of .eml files, an mbox file, or a maildir')
    .option('--calendar <path>', 'an .ics file or a folder of .ics files: meetings instead of mail (one line per occurrence)')
    .option('--webinar-attendees <n>', 'with --calendar: more attendees than this from outside the CRM is a webinar (default 50)')
    .option('--days-ahead <n>', 'with --calendar: occurrences up to this many days from now (default 30)')
    .option('--since <date>', 'with --calendar: leave out occurrences that ended before this date (ISO)')
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

With --calendar, each meeting occurrence gets a decision and a reason:
  cancelled, private, out-of-office, declined-by-all, internal-only, blocklisted, automated (webinar),
  no-crm-match, matched, unparseable; lines also carry start and end, and messageId holds the meeting key.

Examples:
  mailbridge classify --crm crm.json --mail ./Inbox --owner rep@example-seller.com
  mailbridge classify --crm crm.json --calendar ./exports --owner rep@example-seller.com --json
  mailbridge classify --crm crm.json --mail archive.mbox --json | jq 'select(.decision=="import")'

Exit codes: 0 done, 2 bad input (the message names the file and field), 1 other failure.`,
    )
    .action(async (flags: ClassifyFlags) => {
      if (!flags.mail === !flags.calendar) throw new UsageError('give one of --mail <path> or --calendar <path>', 'mail');
      const snapshot = await loadSnapshotFile(flags.crm);
      const blocklist = flags.blocklist ? await loadBlocklistFile(flags.blocklist) : undefined;
      const common = {
        snapshot,
        owner: flags.owner ?? null,
        ...(flags.companyDomains !== undefined ? { companyDomains: flags.companyDomains.split(',').map((d) => d.trim()).filter(Boolean) } : {}),
        ...(blocklist ? { blocklist } : {}),
        ...(flags.timeZone ? { timeZone: flags.timeZone } : {}),
      };
      const source = flags.calendar
        ? classifyCalendar({
            ...common,
            calendarPath: flags.calendar,
            ...(flags.webinarAttendees !== undefined ? { webinarAttendees: wholeNumber('--webinar-attendees', flags.webinarAttendees, 0) } : {}),
            ...(flags.daysAhead !== undefined ? { daysAhead: wholeNumber('--days-ahead', flags.daysAhead, 0) } : {}),
            ...(flags.since !== undefined ? { since: dateFlag('--since', flags.since) } : {}),
          })
        : classifyFiles({ ...common, mailPath: flags.mail! });
      const lines: (Omit<ClassifyLine, 'reason'> & { reason: string; start?: string | null })[] = [];
      for await (const line of source) {
        if (flags.json) process.stdout.write(`${JSON.stringify(line)}\n`);
        else lines.push(line);
      }
      if (!flags.json) {
        const head = flags.calendar ? ['decision', 'reason', 'start', 'file', 'matched'] : ['decision', 'reason', 'file', 'matched'];
        printTable(
          head,
          lines.map((l) => [l.decision, l.reason, ...(flags.calendar ? [l.start ?? ''] : []), l.file, l.decision === 'import' ? l.explanation : '']),
        );
        printReasonSummary(lines.map((l) => l.reason));
      }
    });
}

function dateFlag(flag: string, value: string): Date {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`${flag}: expected a date (2026-01-31 or an ISO instant), got "${value}"`);
  return new Date(t);
}
