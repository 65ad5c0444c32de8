/**
 * `mailbridge demo`: until the bundled emulators and the sync job exist, the demo classifies
 * the bundled sample mailbox against the bundled sample CRM and says so.
 */
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { classifyFiles, loadSnapshotFile, type ClassifyLine } from '../../app/classify-files.js';
import { printReasonSummary, printTable } from '../output.js';

const SAMPLE = new URL('../../../examples/', import.meta.url);

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the engine end to end on the bundled sample mailbox and CRM (no account needed)')
    .option('--json', 'print the results as one JSON object')
    .action(async (flags: { json?: boolean }) => {
      const crm = fileURLToPath(new URL('sample-crm.json', SAMPLE));
      const mail = fileURLToPath(new URL('sample-mailbox/', SAMPLE));
      const lines: ClassifyLine[] = [];
      for await (const line of classifyFiles({
        snapshot: await loadSnapshotFile(crm),
        mailPath: mail,
        owner: 'alex@example-seller.com',
      })) {
        lines.push(line);
      }
      if (flags.json) {
        const skipped: Record<string, number> = {};
        for (const l of lines) if (l.decision === 'skip') skipped[l.reason] = (skipped[l.reason] ?? 0) + 1;
        process.stdout.write(
          `${JSON.stringify({ mode: 'classify-sample', scanned: lines.length, imported: lines.filter((l) => l.decision === 'import').length, skipped, messages: lines })}\n`,
        );
        return;
      }
      process.stdout.write(
        'mailbridge demo — the sync job and the bundled emulators are not built yet, so this demo runs\n' +
          '`mailbridge classify` on the bundled sample mailbox (examples/sample-mailbox) against the\n' +
          'bundled sample CRM (examples/sample-crm.json), as mailbox owner alex@example-seller.com.\n\n',
      );
      printTable(
        ['decision', 'reason', 'file', 'why'],
        lines.map((l) => [l.decision, l.reason, l.file, l.explanation]),
      );
      printReasonSummary(lines.map((l) => l.reason));
      process.stdout.write(
        '\nNext: try your own mail and CRM export:\n' +
          '  npx mailbridge classify --crm <snapshot.json> --mail <folder|mbox|maildir> [--json]\n',
      );
    });
}
