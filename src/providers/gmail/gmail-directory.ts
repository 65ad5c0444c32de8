/**
 * Company-wide Gmail without a user list: the domain's users (or one group's members) from the
 * Admin SDK Directory API, read by the service account impersonating an admin (domain-wide
 * delegation with the read-only directory scopes). Suspended users are left out.
 */
import { JWT } from 'google-auth-library';
import { z } from 'zod';
import { GMAIL_PERMISSIONS, names } from '../../core/permissions.js';
import { SyncError } from '../../core/sync-error.js';
import { toProviderError } from './gmail-errors.js';
import { redirectTokenRequests, type ServiceAccountCredentials } from './gmail-tokens.js';

/** From the permissions registry (core/permissions.ts): both must be delegated. */
export const DIRECTORY_SCOPES = names(GMAIL_PERMISSIONS.directory);

export interface DirectoryConfig {
  /** An admin of the Workspace the service account impersonates to read the directory. */
  adminSubject: string;
  /** Only this group's members (its email or id); all users of the customer otherwise. */
  group?: string;
  /** Default `https://admin.googleapis.com/`. */
  rootUrl?: string;
}

const usersPage = z.object({
  users: z.array(z.object({ primaryEmail: z.string(), suspended: z.boolean().optional() })).optional(),
  nextPageToken: z.string().optional(),
});
const membersPage = z.object({
  members: z.array(z.object({ email: z.string().optional(), type: z.string().optional(), status: z.string().optional() })).optional(),
  nextPageToken: z.string().optional(),
});

/** Lower-cased addresses of the users to scan, every page followed. */
export async function listDirectoryUsers(sa: ServiceAccountCredentials, config: DirectoryConfig, tokenOrigin?: string): Promise<string[]> {
  const client = new JWT({ email: sa.client_email, key: sa.private_key, keyId: sa.private_key_id, scopes: DIRECTORY_SCOPES, subject: config.adminSubject });
  redirectTokenRequests(client, tokenOrigin);
  const root = (config.rootUrl ?? 'https://admin.googleapis.com/').replace(/\/?$/, '/');
  const out: string[] = [];
  let pageToken: string | undefined;
  do {
    const url = new URL(
      config.group ? `admin/directory/v1/groups/${encodeURIComponent(config.group)}/members` : 'admin/directory/v1/users',
      root,
    );
    if (!config.group) url.searchParams.set('customer', 'my_customer');
    url.searchParams.set('maxResults', config.group ? '200' : '500');
    if (pageToken) url.searchParams.set('pageToken', pageToken);
    const res = await client.request({ url: url.toString(), retry: false }).catch((error: unknown) => {
      throw directoryError(error, url.origin);
    });
    if (config.group) {
      const page = membersPage.parse(res.data);
      for (const m of page.members ?? []) if (m.email && (m.type ?? 'USER') === 'USER' && (m.status ?? 'ACTIVE') === 'ACTIVE') out.push(m.email.toLowerCase());
      pageToken = page.nextPageToken;
    } else {
      const page = usersPage.parse(res.data);
      for (const u of page.users ?? []) if (!u.suspended) out.push(u.primaryEmail.toLowerCase());
      pageToken = page.nextPageToken;
    }
  } while (pageToken);
  return out;
}

/**
 * A directory failure that says where it went: an origin that does not answer at all is a
 * setting to correct (`mail.directory.rootUrl`, else `mail.rootUrl`), not a passing fault.
 */
function directoryError(error: unknown, origin: string): SyncError {
  const mapped = toProviderError(error);
  if (mapped.status === null && (error as { response?: unknown }).response === undefined) {
    return new SyncError('bad-input', `the directory at ${origin} cannot be reached (${mapped.message}): check mail.directory.rootUrl or mail.rootUrl`, { retryable: false, cause: error });
  }
  return new SyncError(mapped.code, `directory at ${origin}: ${mapped.message}`, { status: mapped.status, retryable: mapped.retryable, retryAfterMs: mapped.retryAfterMs, cause: error });
}
