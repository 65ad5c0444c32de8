#!/usr/bin/env node
/**
 * The `mailbridge` command. Each subcommand lives in `commands/` and registers itself here.
 */
import { Command } from 'commander';
import { registerBlocklist } from './commands/blocklist.js';
import { registerClassify } from './commands/classify.js';
import { registerConnect } from './commands/connect.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEmulate } from './commands/emulate.js';
import { registerConfig, registerInit } from './commands/init.js';
import { registerKey } from './commands/key.js';
import { registerMailboxes } from './commands/mailboxes.js';
import { registerStatus } from './commands/status.js';
import { registerRun } from './commands/run.js';
import { registerSync } from './commands/sync.js';
import { registerMessages } from './commands/messages.js';
import { registerPrivacy } from './commands/privacy.js';
import { registerPurge } from './commands/purge.js';
import { registerRetention } from './commands/retention.js';
import { registerExplain } from './commands/explain.js';
import { registerCrm } from './commands/crm.js';
import { registerWorker } from './commands/worker.js';
import { registerMigrate } from './commands/migrate.js';
import { runCli } from './run-cli.js';

const program = new Command()
  .name('mailbridge')
  .description(
    'Capture customer-facing email from Microsoft 365 / Google Workspace mailboxes and log it ' +
      'on the right Salesforce or HubSpot records. Every command takes --json for machine output.\n' +
      'Start with `mailbridge demo`, then `mailbridge init --help`.',
  )
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  // Before the commands are added, so they inherit it: usage errors reach runCli as exceptions.
  .exitOverride();

// In the order an admin meets them: set up, sync, look, govern, then the tools.
registerInit(program);
registerConfig(program);
registerConnect(program);
registerMailboxes(program);
registerDoctor(program);
registerSync(program);
registerRun(program);
registerWorker(program);
registerStatus(program);
registerBlocklist(program);
registerMessages(program);
registerPrivacy(program);
registerRetention(program);
registerPurge(program);
registerExplain(program);
registerCrm(program);
registerKey(program);
registerMigrate(program);
registerClassify(program);
registerEmulate(program);
registerDemo(program);

await runCli(program, process.argv);
