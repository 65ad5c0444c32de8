/**
 * What the admin and privacy operations work on: one tenant's state behind the store ports (the
 * embedded SQLite file or its PostgreSQL schema, one code path), its configuration, a CRM adapter for deletes (built only when a CRM call is needed, so dry runs
 * and local reads need no credentials), the clock, and who is acting (for the audit log).
 */
import { userInfo } from 'node:os';
import type { TenantConfig } from '../../config/config-schema.js';
import type { MeetingWriter } from '../../core/meeting.js';
import type { Clock, CrmAdapter } from '../../core/ports.js';
import type { TenantStore } from '../../store/store-ports.js';
import type { OpenTenant } from '../open-tenant.js';

export interface AdminParts {
  stores: TenantStore;
  config: Pick<TenantConfig, 'blocklist' | 'admins' | 'retentionDays'> & Partial<Pick<TenantConfig, 'retention'>>;
  crm(): CrmAdapter;
  /** The CRM's meeting writer, for deleting meeting activities; absent, their deletions stay owed. */
  meetingWriter?(): MeetingWriter;
  clock: Clock;
  /** Recorded in the audit log: an admin's address, or `cli:<os user>`. */
  actor: string;
}

export function adminParts(tenant: OpenTenant, actor: string): AdminParts {
  return {
    stores: tenant.stores,
    config: tenant.config,
    crm: () => tenant.crm(),
    meetingWriter: () => tenant.crm().meetingWriter(),
    clock: tenant.clock,
    actor,
  };
}

/**
 * Bad input or a refused action (a standard user deleting someone else's message). The CLI
 * exits 2 on it; the message names what is wrong and never carries message content.
 */
export class AdminError extends Error {
  override name = 'AdminError';
}

/** The audit actor of a command run from a shell: `cli:<os user>`. */
export function cliActor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep "unknown".
  }
  return `cli:${user}`;
}
