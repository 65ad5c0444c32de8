/**
 * `connect --invite` / `--file` (consent links at scale) and `connect --serve` (the redirect
 * endpoint). The work is in app/setup/consent-invites.ts and consent-server.ts; this parses flags
 * and prints.
 */
import { writeFileSync } from 'node:fs';
import { ConnectError } from '../../app/connect.js';
import { inviteUsers, invitesCsv, invitesJsonLines, readUsersFile } from '../../app/setup/consent-invites.js';
import { defaultListen, parseListen, startConsentServer } from '../../app/setup/consent-server.js';
import { UsageError } from '../run-cli.js';
import { withTenant, type TenantFlags } from '../tenant-command.js';

export interface ConsentFlags extends TenantFlags {
  invite?: string[];
  file?: string;
  out?: string;
  redirectUri?: string;
  serve?: boolean;
  listen?: string;
}

async function asUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ConnectError) throw new UsageError(err.message, err.field);
    throw err;
  }
}

/** `--invite a b` and/or `--file users.csv`: one link per user, CSV (or JSON lines) to stdout or --out. */
export async function runInvites(flags: ConsentFlags): Promise<void> {
  const users = [...(flags.invite ?? [])];
  const rows = await asUsage(async () => {
    if (flags.file) users.push(...readUsersFile(flags.file));
    return withTenant(flags, (t) => inviteUsers(t, users, { redirectUri: flags.redirectUri }));
  });
  const text = flags.json ? invitesJsonLines(rows) : invitesCsv(rows);
  if (!flags.out) {
    process.stdout.write(text);
    return;
  }
  // The links carry no secret, but they name every invited user: owner-only, like the config.
  writeFileSync(flags.out, text, { mode: 0o600 });
  const summary = { tenant: rows[0]?.tenant, invited: rows.length, out: flags.out };
  process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `${rows.length} consent link${rows.length === 1 ? '' : 's'} written to ${flags.out}\n`);
}

/** `--serve`: answers the redirect until SIGTERM (or SIGINT), then closes the database. */
export async function runServe(flags: ConsentFlags): Promise<void> {
  await asUsage(() =>
    withTenant(flags, async (tenant) => {
      if (tenant.config.mail.mode !== 'user') {
        throw new ConnectError(`tenant ${tenant.config.id} is connected company-wide: there is no consent redirect to serve`);
      }
      const redirectUri = flags.redirectUri ?? tenant.config.mail.redirectUri;
      if (!redirectUri) throw new ConnectError(`tenants[${tenant.config.id}].mail.redirectUri is not set: --serve answers on its path`, `tenants[${tenant.config.id}].mail.redirectUri`);
      const listen = flags.listen ? parseListen(flags.listen) : defaultListen(redirectUri);
      const path = new URL(redirectUri).pathname;
      const server = await startConsentServer(tenant, {
        ...listen,
        path,
        onOutcome: (o) => {
          const line = { tenant: tenant.config.id, result: o.result, ...(o.address ? { address: o.address } : {}) };
          process.stdout.write(flags.json ? `${JSON.stringify(line)}\n` : `${o.result}${o.address ? ` ${o.address}` : ''}\n`);
        },
      });
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ tenant: tenant.config.id, listening: server.url, redirectUri })}\n`
          : `Serving consent redirects for tenant ${tenant.config.id} on ${server.url} (redirect URI ${redirectUri}); stop with SIGTERM or Ctrl-C\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await server.close();
    }),
  );
}
