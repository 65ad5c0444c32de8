/**
 * `mailbridge demo`: the product end to end on the bundled emulators, no account needed. A seeded
 * tenant (ten mailboxes, a CRM) is synced by a full round and a delta round; `--chaos` repeats it
 * under injected faults with the sync process killed and restarted, and compares.
 */
import type { Command } from 'commander';
import { runChaos } from '../../demo/chaos.js';
import type { DemoCrm, DemoEmulators, DemoProvider } from '../../demo/demo-emulators.js';
import { chaosJson, demoJson, printChaos, printDemo } from '../../demo/demo-output.js';
import { runDemo, type DemoRun } from '../../demo/run-demo.js';
import { UsageError, wholeNumber } from '../run-cli.js';

interface DemoFlags {
  provider: string;
  crm: string;
  json?: boolean;
  chaos?: boolean;
  seed: string;
  kills: string;
  keep: boolean;
  serve?: boolean;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** Waits for Ctrl-C (or SIGTERM). */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Sync a seeded company (10 mailboxes, a CRM) on the bundled API emulators and show what was logged where, and why')
    .option('--provider <graph|gmail>', 'mail service to emulate', 'graph')
    .option('--crm <salesforce|hubspot>', 'CRM to emulate', 'salesforce')
    .option('--json', 'print one JSON object (the last stdout line) instead of the story')
    .option('--chaos', 'run it under faults (429, 503, slow answers) with `sync --once` child processes SIGKILLed at random points, then compare with a clean run; exit 1 if they differ')
    .option('--seed <n>', 'chaos: seed of the fault plan and kill points', '1')
    .option('--kills <n>', 'chaos: SIGKILLs aimed for in each of the two rounds', '3')
    .option('--no-keep', 'remove the workspace (config, key, encrypted database) at the end')
    .option('--serve', 'keep the emulators running after the demo (Ctrl-C to stop), so `sync --once --config …` works')
    .addHelpText(
      'after',
      `
The demo writes a real configuration, a database key (0600) and the tenant's encrypted database
into a fresh temporary folder and prints where; every other command works on it
(\`mailbridge status --config <that folder>/mailbridge.config.json\`).

JSON (last line): {"provider","crm","mailboxes","scanned","imported","skipped":{reason:n},
"activitiesWritten","duplicateActivities","meetingsScanned","meetingsImported",
"meetingActivitiesWritten","duplicateMeetings",…}; with --chaos also "chaos":{kills,restarts,match,…}.

Examples:
  mailbridge demo
  mailbridge demo --provider gmail --crm hubspot --json
  mailbridge demo --chaos --seed 7 --kills 6
  mailbridge demo --serve`,
    )
    .action(async (flags: DemoFlags) => {
      const provider = oneOf<DemoProvider>('--provider', flags.provider, ['graph', 'gmail']);
      const crm = oneOf<DemoCrm>('--crm', flags.crm, ['salesforce', 'hubspot']);
      const seed = wholeNumber('--seed', flags.seed, 0);
      const kills = wholeNumber('--kills', flags.kills, 0);
      if (flags.chaos && flags.serve) throw new UsageError('--serve and --chaos do not go together');
      const say = flags.json ? () => undefined : (m: string) => process.stdout.write(`• ${m}\n`);

      if (flags.chaos) {
        const run = await runChaos({ provider, crm, seed, kills: [kills, kills], keep: flags.keep, onStep: say, crmChanges: true });
        if (flags.json) process.stdout.write(`${JSON.stringify(chaosJson(run))}\n`);
        else printChaos(run);
        if (!run.ok) process.exitCode = 1;
        return;
      }

      const show = (run: DemoRun) => (flags.json ? process.stdout.write(`${JSON.stringify(demoJson(run))}\n`) : printDemo(run));
      const run = await runDemo({
        provider,
        crm,
        keep: flags.keep || !!flags.serve,
        onStep: say,
        crmChanges: true,
        ...(flags.serve
          ? {
              hold: async (done: DemoRun, emulators: DemoEmulators) => {
                show(done);
                process.stderr.write(
                  `\nThe emulators keep running (mail ${emulators.mailUrl}, CRM ${emulators.crmUrl}); Ctrl-C stops them.\n` +
                    `New mail: POST ${emulators.mailUrl}/__mock/messages {"mailbox": "<address>", "message": {…}} (see src/emulators/common/README.md)\n`,
                );
                await untilStopped();
              },
            }
          : {}),
      });
      if (!flags.serve) show(run);
      if (run.totals.failed > 0 || run.totals.calendarsFailed > 0 || run.state.duplicateActivities > 0 || run.state.meetings.duplicateMeetings > 0) process.exitCode = 1;
    });
}
