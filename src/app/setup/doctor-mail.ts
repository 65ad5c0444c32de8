/**
 * `doctor`'s mail-service checks: the credentials, one call of each kind the configured mode
 * makes (each needs its own permission), and every configured mailbox. Each failure names the
 * setting or the permission to grant.
 */
import { GRAPH_PERMISSIONS, permissionOf } from '../../core/permissions.js';
import type { Mailbox } from '../../core/ports.js';
import { isSyncError } from '../../core/sync-error.js';
import type { MailProbe } from '../../providers/common/mail-probe.js';
import { DIRECTORY_SCOPES } from '../../providers/gmail/gmail-directory.js';
import { GMAIL_SCOPES } from '../../providers/gmail/gmail-tokens.js';
import type { OpenTenant } from '../open-tenant.js';
import { attempt, fail, pass, type DoctorCheck } from './doctor-check.js';

const AGAIN = 'fix the failures above, then run `mailbridge doctor` again';

/** What to grant for each call kind, per provider and mode (the names the admin consoles show). */
function permissionFix(tenant: OpenTenant, kind: MailProbe): string {
  const mail = tenant.config.mail;
  if (mail.mode === 'user') {
    return kind === 'read-folders' || kind === 'read-messages'
      ? 'the user must consent again (read-only mail scopes): `mailbridge connect --user <email>`'
      : 'user-by-user mode lists no directory';
  }
  if (mail.provider === 'graph') {
    const grant = (permission: string) =>
      `grant the application permission ${permission} to app ${mail.clientId} in Microsoft Entra (App registrations › API permissions) and give admin consent`;
    if (kind === 'list-users') return grant(permissionOf(GRAPH_PERMISSIONS.application, 'User.Read.All'));
    if (kind === 'list-group-members') return grant(permissionOf(GRAPH_PERMISSIONS.application, 'GroupMember.Read.All'));
    return `${grant(permissionOf(GRAPH_PERMISSIONS.application, 'Mail.Read'))}; if an application access policy limits the app, include this mailbox in its group`;
  }
  const delegate = (scope: string) =>
    `authorize ${scope} for the service account's client id in the Google Admin console (Security › API controls › Domain-wide delegation)`;
  if (kind === 'list-users') return `${delegate(DIRECTORY_SCOPES[0]!)}; tenants[${tenant.config.id}].mail.directory.adminSubject must be a Workspace admin`;
  if (kind === 'list-group-members') return `${delegate(DIRECTORY_SCOPES[1]!)}; tenants[${tenant.config.id}].mail.directory.adminSubject must be a Workspace admin`;
  return delegate(GMAIL_SCOPES[0]!);
}

function credentialsFix(tenant: OpenTenant): string {
  const mail = tenant.config.mail;
  const at = `tenants[${tenant.config.id}].mail`;
  if (mail.provider === 'graph') {
    return `set ${at}.clientSecret (or the environment variable it names) to a current client secret of app ${mail.clientId} in directory ${mail.tenantId}; check ${at}.tenantId and ${at}.clientId`;
  }
  return `set ${at}.serviceAccountFile to a current key of the service account that has domain-wide delegation`;
}

/** The listing calls the configured mode makes (company mode only; user mode lists nothing). */
function listingProbes(tenant: OpenTenant): MailProbe[] {
  const mail = tenant.config.mail;
  if (mail.mode !== 'company') return [];
  if (mail.provider === 'graph') return [mail.group ? 'list-group-members' : 'list-users'];
  if (mail.users.length || !mail.directory) return [];
  return [mail.directory.group ? 'list-group-members' : 'list-users'];
}

const PROBE_LABEL: Record<MailProbe, string> = {
  'list-users': 'list the directory users',
  'list-group-members': "list the group's members",
  'read-folders': "read a mailbox's Inbox and Sent folders",
  'read-messages': 'read a message',
};

export async function mailChecks(tenant: OpenTenant): Promise<DoctorCheck[]> {
  const id = tenant.config.id;
  const mail = tenant.config.mail;
  const configured = (mail.users ?? []).map((u) => u.toLowerCase());
  const checks: DoctorCheck[] = [];

  // 1. Credentials: a refused secret stops the mail checks (every other call would fail the same way).
  const credentials = await attempt(
    id,
    'mail.credentials',
    async () => {
      const provider = tenant.provider();
      if (mail.mode === 'user') return pass(id, 'mail.credentials', "user-by-user: each user's consent is checked with their mailbox");
      if (provider.kind === 'graph') await provider.checkCredentials();
      else {
        const subject = mail.provider === 'gmail' ? (mail.directory?.adminSubject ?? configured[0]) : undefined;
        if (!subject) return fail(id, 'mail.credentials', 'no user to impersonate', `set tenants[${id}].mail.users or tenants[${id}].mail.directory.adminSubject`);
        try {
          await provider.checkCredentials(subject);
        } catch (error) {
          if (isSyncError(error, 'not-found')) {
            return fail(id, 'mail.credentials', `could not be tried: ${subject} is not a user of the Workspace`, `correct tenants[${id}].mail.directory.adminSubject or mail.users`);
          }
          throw error;
        }
      }
      return pass(id, 'mail.credentials', `${mail.provider} accepted the app credentials`);
    },
    credentialsFix(tenant),
  );
  checks.push(...credentials);
  if (!credentials.every((c) => c.ok)) return checks;

  // 2. The listing the mode makes, each kind its own permission.
  for (const kind of listingProbes(tenant)) {
    const name = `mail.permission.${kind}`;
    checks.push(...(await attempt(id, name, async () => pass(id, name, (await tenant.provider().probe(kind)) ?? `allowed to ${PROBE_LABEL[kind]}`), permissionFix(tenant, kind))));
  }

  // 3. Every configured mailbox exists (user mode: has consented); else the listing reaches some.
  const reachable: Mailbox[] = [];
  if (configured.length) {
    for (const address of configured) {
      checks.push(
        ...(await attempt(
          id,
          'mail.mailbox',
          async () => {
            const found = await tenant.provider().findMailbox(address);
            if (found) {
              reachable.push(found);
              return pass(id, 'mail.mailbox', `${address} ${mail.mode === 'user' ? 'has connected' : 'exists'}`);
            }
            return mail.mode === 'user'
              ? fail(id, 'mail.mailbox', `${address} has not connected`, `send ${address} a consent link: \`mailbridge connect --user ${address}\``)
              : fail(id, 'mail.mailbox', `${address} is not a user of the ${mail.provider === 'graph' ? 'Microsoft 365 tenant' : 'Workspace'}`, `correct or remove ${address} in tenants[${id}].mail.users`);
          },
          `check that ${address} is a mailbox the credentials can reach`,
        )),
      );
    }
  } else if (mail.mode === 'company') {
    checks.push(
      ...(await attempt(
        id,
        'mail.mailbox',
        async () => {
          reachable.push(...(await tenant.provider().listMailboxes()));
          return reachable.length
            ? pass(id, 'mail.mailbox', `${reachable.length} mailbox${reachable.length === 1 ? '' : 'es'} reached`)
            : fail(id, 'mail.mailbox', 'the listing reached no mailbox', `check the group or user list in tenants[${id}].mail`);
        },
        AGAIN,
      )),
    );
  } else {
    checks.push(fail(id, 'mail.mailbox', 'no user is configured', `add users: tenants[${id}].mail.users, then \`mailbridge connect --user <email>\``));
  }

  // 4. Reading a mailbox: folders, then a message, on the first mailbox reached.
  for (const kind of ['read-folders', 'read-messages'] as const) {
    const name = `mail.permission.${kind}`;
    const target = reachable[0];
    if (!target) {
      checks.push(fail(id, name, 'not tried: no mailbox reached', AGAIN));
      continue;
    }
    checks.push(
      ...(await attempt(
        id,
        name,
        async () => pass(id, name, (await tenant.provider().probe(kind, target)) ?? `allowed to ${PROBE_LABEL[kind]} (${target.address})`),
        permissionFix(tenant, kind),
      )),
    );
  }
  return checks;
}

