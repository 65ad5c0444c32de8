/**
 * Consent at scale (user-by-user mode): one consent link per user, from a list on the command
 * line or a CSV file, written as CSV (or JSON lines). Each link's PKCE verifier and state wait
 * encrypted in the tenant's database (see `inviteUser`); each user is recorded `invited`.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ConnectError, inviteUser, userModeAddress, type InviteResult } from '../connect.js';
import type { OpenTenant } from '../open-tenant.js';

/**
 * The addresses of a users file: a CSV whose header names an `email` column, or one address
 * per line (first column) without a header. Blank lines are skipped.
 */
export function readUsersFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConnectError(`--file ${file}: cannot read it (${(err as Error).message})`, '--file');
  }
  const rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true, bom: true }) as string[][];
  if (!rows.length) throw new ConnectError(`--file ${file}: no users in it`, '--file');
  const header = rows[0]!.map((h) => h.toLowerCase());
  const column = header.indexOf('email');
  const body = column >= 0 ? rows.slice(1) : rows;
  return body.map((r) => r[Math.max(column, 0)] ?? '').filter((a) => a.length > 0);
}

export interface InviteRow extends InviteResult {
  status: 'invited' | 'connected';
}

/**
 * Invites every user: all addresses are checked first (each must be a configured user of a
 * user-mode tenant), so one bad line changes nothing. A user already connected keeps that
 * status and gets a fresh link (consent renewed when they use it).
 */
export async function inviteUsers(tenant: OpenTenant, input: readonly string[], opts: { redirectUri?: string; actor?: string } = {}): Promise<InviteRow[]> {
  if (!input.length) throw new ConnectError('name at least one user to invite (--invite <email...> or --file users.csv)', '--invite');
  const addresses = [...new Set(input.map((a) => userModeAddress(tenant, a)))];
  const rows: InviteRow[] = [];
  for (const address of addresses) {
    const invite = await inviteUser(tenant, address, opts);
    const current = (await tenant.stores.status.mailboxStatuses()).find((s) => s.address === address)?.connection;
    rows.push({ ...invite, status: current === 'connected' ? 'connected' : 'invited' });
  }
  return rows;
}

/** The links as CSV (header `tenant,email,status,link`): what an admin mails out or merges. */
export function invitesCsv(rows: readonly InviteRow[]): string {
  return stringify(
    rows.map((r) => [r.tenant, r.address, r.status, r.url]),
    { header: true, columns: ['tenant', 'email', 'status', 'link'] },
  );
}

/** The links as JSON lines, one object per user. */
export function invitesJsonLines(rows: readonly InviteRow[]): string {
  return rows.map((r) => `${JSON.stringify({ tenant: r.tenant, email: r.address, status: r.status, link: r.url, redirectUri: r.redirectUri })}\n`).join('');
}
