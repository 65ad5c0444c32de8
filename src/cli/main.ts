#!/usr/bin/env node
/**
 * The `mailbridge` command. Each subcommand lives in `commands/` and registers itself here.
 */
import { Command } from 'commander';
import { registerClassify } from './commands/classify.js';
import { registerDemo } from './commands/demo.js';
import { registerEmulate } from './commands/emulate.js';
import { runCli } from './run-cli.js';

const program = new Command()
  .name('mailbridge')
  .description(
    'Capture customer-facing email from Microsoft 365 / Google Workspace mailboxes and log it\n' +
      'on the right Salesforce or HubSpot records. Every command takes --json for machine output.',
  )
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  // Before the commands are added, so they inherit it: usage errors reach runCli as exceptions.
  .exitOverride();

registerClassify(program);
registerDemo(program);
registerEmulate(program);

await runCli(program, process.argv);
