/**
 * `mailbridge init` (write a configuration, the database key and the data folder) and
 * `mailbridge config check` (validate a configuration, every error naming its field).
 */
import { Command, Option } from 'commander';
import { checkConfig, DEFAULT_SECRET_ENV, initConfig, type InitAnswers } from '../../app/init-config.js';
import { DEFAULT_CONFIG_FILE } from '../../config/load-config.js';
import { EXIT_BAD_INPUT } from '../run-cli.js';
import { configFile } from '../tenant-command.js';

interface InitFlags {
  config?: string;
  force?: boolean;
  addTenant?: boolean;
  tenant: string;
  companyDomain: string[];
  provider: 'graph' | 'gmail';
  mode: 'company' | 'user';
  users?: string;
  redirectUri?: string;
  graphTenantId?: string;
  graphClientId?: string;
  graphClientSecret?: string;
  graphGroup?: string;
  graphBaseUrl?: string;
  graphAuthorityHost?: string;
  gmailServiceAccountFile?: string;
  gmailClientId?: string;
  gmailClientSecret?: string;
  gmailAdminSubject?: string;
  gmailRootUrl?: string;
  gmailTokenOrigin?: string;
  crm: 'salesforce' | 'hubspot';
  salesforceLoginUrl?: string;
  salesforceClientId?: string;
  salesforceClientSecret?: string;
  salesforceUsername?: string;
  salesforcePrivateKeyFile?: string;
  hubspotToken?: string;
  hubspotBasePath?: string;
  dataDir?: string;
  keyFile?: string;
  json?: boolean;
}

const list = (value: string) => value.split(',').map((v) => v.trim()).filter(Boolean);

function answers(f: InitFlags): InitAnswers {
  return {
    file: configFile(f),
    force: f.force,
    addTenant: f.addTenant,
    tenant: f.tenant,
    companyDomains: f.companyDomain.flatMap(list),
    provider: f.provider,
    mode: f.mode,
    users: f.users ? list(f.users) : undefined,
    redirectUri: f.redirectUri,
    graph: { tenantId: f.graphTenantId, clientId: f.graphClientId, clientSecret: f.graphClientSecret, group: f.graphGroup, baseUrl: f.graphBaseUrl, authorityHost: f.graphAuthorityHost },
    gmail: {
      serviceAccountFile: f.gmailServiceAccountFile,
      clientId: f.gmailClientId,
      clientSecret: f.gmailClientSecret,
      adminSubject: f.gmailAdminSubject,
      rootUrl: f.gmailRootUrl,
      tokenOrigin: f.gmailTokenOrigin,
    },
    crm: f.crm,
    salesforce: {
      loginUrl: f.salesforceLoginUrl,
      clientId: f.salesforceClientId,
      clientSecret: f.salesforceClientSecret,
      username: f.salesforceUsername,
      privateKeyFile: f.salesforcePrivateKeyFile,
    },
    hubspot: { accessToken: f.hubspotToken, basePath: f.hubspotBasePath },
    dataDir: f.dataDir,
    keyFile: f.keyFile,
  };
}

const secretHelp = (name: string) => `value, or env:NAME to read it from the environment (default env:${name})`;

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Write a configuration file (0600), generate the database key (0600) and create the encrypted databases')
    .option('-c, --config <file>', `configuration file to write (default: $MAILBRIDGE_CONFIG or ./${DEFAULT_CONFIG_FILE})`)
    .option('--add-tenant', 'the file exists: add this tenant beside the others (refused if its id is there)')
    .option('--force', "the file exists: replace this tenant's settings, or add it (other tenants and settings are kept)")
    .option('-t, --tenant <id>', 'tenant id: names its database file (letters, digits, - and _)', 'default')
    .requiredOption('--company-domain <domain...>', "the company's own domains (mail among them only is internal)")
    .addOption(new Option('--provider <provider>', 'mail provider').choices(['graph', 'gmail']).makeOptionMandatory())
    .addOption(new Option('--mode <mode>', 'company-wide app credentials, or user-by-user consent').choices(['company', 'user']).default('company'))
    .option('--users <a,b>', 'mailboxes: company mode scans only these (default all); user mode invites these')
    .option('--redirect-uri <url>', 'user mode: the redirect URI registered for the app')
    .option('--graph-tenant-id <id>', 'Microsoft Entra tenant (directory) id')
    .option('--graph-client-id <id>', 'application (client) id of the app registration')
    .option('--graph-client-secret <secret>', secretHelp(DEFAULT_SECRET_ENV.graphClientSecret))
    .option('--graph-group <id>', 'company mode: scan the members of this security group only')
    .option('--graph-base-url <url>', 'Graph API origin (default https://graph.microsoft.com; an emulator for tests)')
    .option('--graph-authority-host <url>', 'identity origin (default https://login.microsoftonline.com)')
    .option('--gmail-service-account-file <file>', 'company mode: service account key (JSON) with domain-wide delegation')
    .option('--gmail-client-id <id>', 'user mode: OAuth web client id')
    .option('--gmail-client-secret <secret>', secretHelp(DEFAULT_SECRET_ENV.gmailClientSecret))
    .option('--gmail-admin-subject <email>', 'company mode without --users: list the directory as this admin')
    .option('--gmail-root-url <url>', 'Gmail API origin (an emulator for tests)')
    .option('--gmail-token-origin <url>', 'OAuth token origin (an emulator for tests)')
    .addOption(new Option('--crm <crm>', 'CRM').choices(['salesforce', 'hubspot']).makeOptionMandatory())
    .option('--salesforce-login-url <url>', 'default https://login.salesforce.com (https://test.salesforce.com for a sandbox)')
    .option('--salesforce-client-id <id>', 'consumer key of the connected app')
    .option('--salesforce-client-secret <secret>', secretHelp(DEFAULT_SECRET_ENV.salesforceClientSecret))
    .option('--salesforce-username <user>', 'integration user for the JWT bearer flow')
    .option('--salesforce-private-key-file <file>', 'private key for the JWT bearer flow (then no client secret)')
    .option('--hubspot-token <token>', secretHelp(DEFAULT_SECRET_ENV.hubspotAccessToken))
    .option('--hubspot-base-path <url>', 'HubSpot API origin (an emulator for tests)')
    .option('--data-dir <dir>', 'where the encrypted databases live, relative to the config file (default mailbridge-data)')
    .option('--key-file <file>', 'database key file, relative to the config file (default mailbridge.key; not written when MAILBRIDGE_DB_KEY is set)')
    .option('--json', 'print { config, keyFile, dataDir, tenants } as JSON')
    .addHelpText(
      'after',
      `
On an existing file, init changes one tenant, found by its id (--tenant), and nothing else:
--add-tenant adds a new tenant; --force replaces that tenant's company domains, mail and CRM
settings (its blocklist, limits, admins and the like stay), or adds it if absent. Other tenants,
the schedule, the log settings, the data folder and the key are always kept.

Secrets are written as references to environment variables by default ({"env": "NAME"}), so the
file holds no secret; pass a literal value only if you must. The database key is generated into
the key file (0600) unless it exists already or MAILBRIDGE_DB_KEY is set.

Examples:
  mailbridge init --tenant acme --company-domain acme.com --provider graph \\
    --graph-tenant-id <directory-id> --graph-client-id <app-id> \\
    --crm salesforce --salesforce-client-id <consumer-key>
  mailbridge init --company-domain acme.com --provider gmail --mode user --users ana@acme.com,bo@acme.com \\
    --gmail-client-id <id> --redirect-uri https://mailbridge.acme.com/oauth/callback \\
    --crm hubspot --hubspot-token env:HUBSPOT_TOKEN
  mailbridge init --add-tenant --tenant globex --company-domain globex.com --provider graph ...

Then: export the secrets named in the file, run \`mailbridge config check\`, \`mailbridge connect\`.`,
    )
    .action((flags: InitFlags) => {
      const result = initConfig(answers(flags));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const out = process.stdout;
      out.write(`Wrote ${result.config} (mode 0600)\n`);
      if (result.keyFile) out.write(`${result.keyGenerated ? 'Generated' : 'Kept'} database key ${result.keyFile} (mode 0600): back it up apart from the data\n`);
      else out.write('Database key: from MAILBRIDGE_DB_KEY\n');
      out.write(`Encrypted databases in ${result.dataDir}: ${result.tenants.join(', ')}\n\nNext steps:\n`);
      if (result.secretsFromEnv.length) out.write(`  1. export ${result.secretsFromEnv.join(', ')} (the file refers to them)\n`);
      out.write('  2. mailbridge config check\n  3. mailbridge connect            (or: mailbridge connect --user <email> in user mode)\n');
      out.write('  4. mailbridge sync --once, then mailbridge run for the schedule\n');
    });
}

export function registerConfig(program: Command): void {
  const config = program.command('config').description('Inspect the configuration file');
  config
    .command('check')
    .description('Validate the configuration: every error names its field; secrets and the database key are checked too')
    .option('-c, --config <file>', `configuration file (default: $MAILBRIDGE_CONFIG or ./${DEFAULT_CONFIG_FILE})`)
    .option('--json', 'print { file, ok, errors: [{ field, message }], tenants }')
    .addHelpText(
      'after',
      `
Checks the schema (all errors, not just the first), that each secret's environment variable is
set, and that the database key is available (key file present and mode 0600, or MAILBRIDGE_DB_KEY).

Examples:
  mailbridge config check
  mailbridge config check --config /etc/mailbridge/config.json --json

Exit codes: 0 valid, 2 errors found.`,
    )
    .action((flags: { config?: string; json?: boolean }) => {
      const result = checkConfig(configFile(flags));
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.ok) process.stdout.write(`${result.file}: valid (tenants: ${result.tenants.join(', ')})\n`);
      else {
        process.stdout.write(`${result.file}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}\n`);
        for (const e of result.errors) process.stdout.write(`  ${e.field}: ${e.message}\n`);
      }
      if (!flags.json) for (const w of result.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
      if (!result.ok) process.exitCode = EXIT_BAD_INPUT;
    });
}
