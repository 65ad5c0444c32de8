/**
 * `mailbridge connect`: company-wide (check the app credentials, record the mailboxes) or user by
 * user (consent link, then the code from the redirect), and `--list` of every user's status.
 */
import type { Command } from 'commander';
import { completeUser, connectCompany, connectionList, ConnectError, inviteUser } from '../../app/connect.js';
import { printTable } from '../output.js';
import { runInvites, runServe, type ConsentFlags } from './connect-consent.js';
import { UsageError } from '../run-cli.js';
import { tenantOptions, withEachTenant, withTenant, type TenantFlags } from '../tenant-command.js';

interface ConnectFlags extends TenantFlags, ConsentFlags {
  user?: string;
  code?: string;
  state?: string;
  redirectUri?: string;
  list?: boolean;
}

async function asUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    // What the admin typed is a usage error (exit 2); a service refusing keeps its own code (exit 1).
    if (err instanceof ConnectError && err.code === 'bad-input') throw new UsageError(err.message, err.field);
    throw err;
  }
}

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

export function registerConnect(program: Command): void {
  tenantOptions(
    program
      .command('connect')
      .description('Connect mailboxes: company-wide app credentials, or a consent link per user')
      .option('-u, --user <email>', 'user-by-user mode: print the consent link for this user')
      .option('--code <code-or-url>', 'with --user: the code from the redirect, or the whole URL the browser landed on')
      .option('--state <state>', 'with --code: the state from the redirect (checked against the link sent)')
      .option('--redirect-uri <url>', "with --user: overrides the configuration's mail.redirectUri")
      .option('--list', "print every user's connection status (invited, connected, revoked, failing)")
      .option('--invite <email...>', 'user-by-user mode: one consent link per user, as CSV (JSON lines with --json)')
      .option('--file <users.csv>', "with or instead of --invite: the users to invite (an 'email' column, or one address a line)")
      .option('--out <links.csv>', 'with --invite/--file: write the links to this file (0600) instead of stdout')
      .option('--serve', 'user-by-user mode: answer the redirect URI (code exchange, state checked) until SIGTERM')
      .option('--listen <host:port>', 'with --serve: where to listen (default: the redirect URI\'s port on a local host, else 127.0.0.1:8765)'),
  )
    .addHelpText(
      'after',
      `
Company-wide mode (mail.mode "company"): \`connect\` lists the mailboxes the app credentials reach
(all users, the configured users, or a group's members), proving the credentials work, and
records each as connected. It then signs in to the CRM once: refused CRM credentials fail
\`connect\`, naming the setting to correct.

User-by-user mode (mail.mode "user"): \`connect --user <email>\` prints a consent link for that
user (read-only scopes). After consent the browser lands on the redirect URI with ?code=...;
pass that code (or the whole URL) back with --code. Tokens are kept in the encrypted database
and never printed.

At scale: \`connect --invite a@acme.com b@acme.com\` (or \`--file users.csv\`) writes one link per
user (CSV: tenant,email,status,link); each is \`invited\` until they consent. \`connect --serve\`
answers the redirect URI itself: it checks the state, redeems the code with the link's PKCE
verifier, stores the refresh token encrypted and shows the user a page saying they are
connected (or what went wrong). Put it behind your HTTPS proxy at the redirect URI's path.

Examples:
  mailbridge connect
  mailbridge connect --invite ana@acme.com bo@acme.com --out links.csv
  mailbridge connect --serve --listen 127.0.0.1:8765
  mailbridge connect --user ana@acme.com
  mailbridge connect --user ana@acme.com --code 'https://mailbridge.acme.com/oauth/callback?code=...&state=...'
  mailbridge connect --list --json`,
    )
    .action(async (flags: ConnectFlags) => {
      const modes = [flags.invite || flags.file, flags.serve, flags.user, flags.list].filter(Boolean).length;
      if (modes > 1) throw new UsageError('use one of --invite/--file, --serve, --user, --list at a time');
      if (flags.invite || flags.file) return runInvites(flags);
      if (flags.serve) return runServe(flags);
      if (flags.out || flags.listen) throw new UsageError(flags.out ? '--out goes with --invite or --file' : '--listen goes with --serve');
      if (flags.code && !flags.user) throw new UsageError('--code needs --user <email>');
      if (flags.list && flags.user) throw new UsageError('--list cannot be combined with --user');
      if (flags.list) {
        const lists = await withEachTenant(flags, (t) => connectionList(t));
        if (flags.json) return print(flags.tenant ? lists[0] : { tenants: lists });
        for (const l of lists) {
          process.stdout.write(`Tenant ${l.tenant} (${l.mode} mode)\n`);
          printTable(
            ['mailbox', 'status', 'last sync', 'last error'],
            l.users.map((u) => [u.address, u.consentPending ? `${u.connection} (link sent)` : u.connection, u.lastSyncAt ?? '-', u.lastError ?? '']),
          );
        }
        return;
      }
      if (flags.user && flags.code) {
        const done = await asUsage(() => withTenant(flags, (t) => completeUser(t, flags.user!, flags.code!, { state: flags.state })));
        if (flags.json) return print(done);
        process.stdout.write(`${done.address} is connected (tenant ${done.tenant}); the next sync reads the mailbox.\n`);
        return;
      }
      if (flags.user) {
        const invite = await asUsage(() => withTenant(flags, (t) => inviteUser(t, flags.user!, { redirectUri: flags.redirectUri })));
        if (flags.json) return print(invite);
        process.stdout.write(
          `Send this consent link to ${invite.address}:\n\n  ${invite.url}\n\n` +
            `After consent the browser goes to ${invite.redirectUri}?code=...; then run:\n` +
            `  mailbridge connect --user ${invite.address} --code '<the code or the whole URL>'\n`,
        );
        return;
      }
      // Without --tenant, user-by-user tenants are left alone: they connect one user at a time.
      const all = await asUsage(() => withEachTenant(flags, (t) => (flags.tenant || t.config.mail.mode === 'company' ? connectCompany(t) : null)));
      const results = all.filter((r) => r !== null);
      if (!results.length) throw new UsageError('every tenant connects user by user: run `mailbridge connect --user <email>`');
      if (flags.json) return print(flags.tenant ? results[0] : { tenants: results });
      for (const r of results) {
        process.stdout.write(`Tenant ${r.tenant}: the app credentials reach ${r.mailboxes.length} mailbox${r.mailboxes.length === 1 ? '' : 'es'}\n`);
        printTable(['mailbox', 'status', 'name'], r.mailboxes.map((m) => [m.address, m.connection, m.displayName ?? '']));
      }
    });
}
