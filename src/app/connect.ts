/**
 * Connecting mailboxes (DESIGN §3). Company-wide: the app credentials are checked by listing the
 * mailboxes they reach, each recorded `connected`. User-by-user: a consent link per user (PKCE;
 * the verifier waits in the encrypted secrets table), then the code the redirect carried is
 * redeemed and the user becomes `connected`. Tokens and verifiers are never returned or printed.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isSyncError } from '../core/sync-error.js';
import type { Mailbox } from '../core/ports.js';
import { delegatedJwt, type ServiceAccountCredentials } from '../providers/gmail/gmail-tokens.js';
import type { OpenTenant } from './open-tenant.js';

/** A request `connect` cannot carry out as asked (wrong mode, unknown user, stale link). */
export class ConnectError extends Error {
  override name = 'ConnectError';
  constructor(
    message: string,
    /** The setting to correct (`tenants[acme].crm.clientSecret`), when one is at fault. */
    readonly field?: string,
    /** `bad-input` for what the admin typed; a SyncError code (`auth`, `transient`, …) when a service refused. */
    readonly code: string = 'bad-input',
  ) {
    super(message);
  }
}

const PENDING = 'connect:pending:';
/** The connection of a mailbox taken out of the sync (`mailbridge mailboxes remove`). */
export const REMOVED = 'removed';

/** Where a user's consent link waits (PKCE verifier, state) until its code comes back. */
export const pendingConsentKey = (address: string): string => PENDING + address.toLowerCase();

/** How long a consent link stays usable; an older one is refused and the user asked for a new one. */
export const CONSENT_LINK_DAYS = 14;

export interface PendingConsent {
  codeVerifier: string;
  state: string;
  redirectUri: string;
  invitedAt: string;
}

export interface CompanyConnectResult {
  tenant: string;
  mode: 'company';
  mailboxes: { address: string; id: string; displayName?: string; connection: string }[];
}

function plainAddress(input: string): string {
  const address = input.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) throw new ConnectError(`"${input}" is not an email address`);
  return address;
}

function failure(err: unknown): string {
  return isSyncError(err) ? `${err.code}: ${err.message}` : (err as Error).message;
}

/** Company-wide: lists the mailboxes the app credentials reach and records them `connected`. */
export async function connectCompany(tenant: OpenTenant, actor = 'cli'): Promise<CompanyConnectResult> {
  const mail = tenant.config.mail;
  if (mail.mode !== 'company') {
    throw new ConnectError(`tenant ${tenant.config.id} connects user by user: invite each user with \`mailbridge connect --user <email>\``);
  }
  let mailboxes: Mailbox[];
  try {
    mailboxes = await tenant.provider().listMailboxes();
  } catch (err) {
    throw new ConnectError(`tenant ${tenant.config.id}: the app credentials could not list mailboxes (${failure(err)})`);
  }
  const out: CompanyConnectResult['mailboxes'] = [];
  const removed = new Set((await tenant.stores.status.mailboxStatuses()).filter((s) => s.connection === REMOVED).map((s) => s.address));
  for (const m of mailboxes) {
    // A removed mailbox stays removed until `mailboxes add` brings it back.
    if (removed.has(m.address)) continue;
    let connection = 'connected';
    if (mail.provider === 'gmail') connection = (await gmailDelegationWorks(tenant, m.address)) ? 'connected' : 'failing';
    await tenant.stores.status.setConnection(m.address, connection, m.id);
    out.push({ address: m.address, id: m.id, ...(m.displayName ? { displayName: m.displayName } : {}), connection });
  }
  await checkCrmAccess(tenant);
  await tenant.stores.audit.audit(actor, 'connect.company', null, { mailboxes: out.length, failing: out.filter((m) => m.connection !== 'connected').length });
  return { tenant: tenant.config.id, mode: 'company', mailboxes: out };
}

/** The setting that holds the CRM credential, to name when the CRM refuses it. */
export function crmCredentialField(tenant: OpenTenant['config']): string {
  const crm = tenant.crm;
  const path = crm.kind === 'hubspot' ? 'crm.accessToken' : crm.privateKeyFile ? 'crm.privateKeyFile' : 'crm.clientSecret';
  return `tenants[${tenant.id}].${path}`;
}

/** Signs in to the CRM once, so wrong CRM credentials show up at `connect`, not at the first sync. */
export async function checkCrmAccess(tenant: OpenTenant): Promise<void> {
  try {
    await tenant.crm().verifyAccess();
  } catch (err) {
    const field = crmCredentialField(tenant.config);
    const refused = isSyncError(err, 'auth', 'permission');
    throw new ConnectError(
      `tenant ${tenant.config.id}: ${tenant.config.crm.kind} ${refused ? 'refused the credentials' : 'could not be reached'} (${failure(err)}): check ${field}${refused ? '' : ' and the CRM URL'}`,
      field,
      isSyncError(err) ? err.code : 'transient',
    );
  }
}

/**
 * Gmail with a configured user list reaches no API while listing; a token minted through
 * domain-wide delegation proves the service account may read that user's mail.
 */
async function gmailDelegationWorks(tenant: OpenTenant, address: string): Promise<boolean> {
  const mail = tenant.config.mail;
  if (mail.provider !== 'gmail' || !mail.serviceAccountFile) return false;
  const sa = JSON.parse(readFileSync(mail.serviceAccountFile, 'utf8')) as ServiceAccountCredentials;
  try {
    await delegatedJwt(sa, address, mail.tokenOrigin).getAccessToken();
    return true;
  } catch {
    return false;
  }
}

/** The configured user-mode address `input` names; a ConnectError when it is not one. */
export function userModeAddress(tenant: OpenTenant, input: string): string {
  const mail = tenant.config.mail;
  if (mail.mode !== 'user') {
    throw new ConnectError(`tenant ${tenant.config.id} is connected company-wide (mail.mode "company"): run \`mailbridge connect\` without --user`);
  }
  const address = plainAddress(input);
  const users = (mail.users ?? []).map((u) => u.toLowerCase());
  if (!users.includes(address)) {
    throw new ConnectError(`${address} is not in tenants[${tenant.config.id}].mail.users: add it to the configuration first, so the sync reads the mailbox`);
  }
  return address;
}

export interface InviteResult {
  tenant: string;
  address: string;
  /** The consent link to send the user (no secret in it: the PKCE verifier stays here). */
  url: string;
  state: string;
  redirectUri: string;
}

/** User-by-user: the consent link for one user; the user is `invited` until the code comes back. */
export async function inviteUser(tenant: OpenTenant, input: string, opts: { redirectUri?: string; actor?: string } = {}): Promise<InviteResult> {
  const address = userModeAddress(tenant, input);
  const redirectUri = opts.redirectUri ?? tenant.config.mail.redirectUri;
  if (!redirectUri) {
    throw new ConnectError(`tenants[${tenant.config.id}].mail.redirectUri is not set: give the redirect URI registered for the app (or --redirect-uri)`);
  }
  const state = randomBytes(16).toString('hex');
  const { url, codeVerifier } = await tenant.provider().authorizationUrl(address, redirectUri, state);
  const pending: PendingConsent = { codeVerifier, state, redirectUri, invitedAt: tenant.clock.now().toISOString() };
  await tenant.secrets.set(PENDING + address, JSON.stringify(pending));
  // An invitation never demotes a user who is already connected: consent is renewed on completion.
  const current = (await tenant.stores.status.mailboxStatuses()).find((s) => s.address === address)?.connection;
  if (current !== 'connected') await tenant.stores.status.setConnection(address, 'invited', address);
  await tenant.stores.audit.audit(opts.actor ?? 'cli', 'connect.invite', address);
  return { tenant: tenant.config.id, address, url, state, redirectUri };
}

/** What the admin pastes: the code alone, or the whole URL the browser was sent back to. */
export function parseConsentReply(reply: string): { code: string; state: string | null } {
  const text = reply.trim();
  if (!/^https?:\/\//i.test(text)) return { code: text, state: null };
  const url = new URL(text);
  const error = url.searchParams.get('error');
  if (error) throw new ConnectError(`consent was not given: ${error}${url.searchParams.get('error_description') ? ` (${url.searchParams.get('error_description')})` : ''}`);
  const code = url.searchParams.get('code');
  if (!code) throw new ConnectError('the redirect URL carries no code');
  return { code, state: url.searchParams.get('state') };
}

export interface CompleteResult {
  tenant: string;
  address: string;
  connection: 'connected';
}

/** User-by-user: redeems the code for the user's tokens (kept encrypted); the user is `connected`. */
export async function completeUser(
  tenant: OpenTenant,
  input: string,
  reply: string,
  opts: { state?: string; actor?: string } = {},
): Promise<CompleteResult> {
  const address = userModeAddress(tenant, input);
  const saved = await tenant.secrets.get(PENDING + address);
  if (!saved) throw new ConnectError(`no consent link is waiting for ${address}: run \`mailbridge connect --user ${address}\` first`);
  const pending = JSON.parse(saved) as PendingConsent;
  const { code, state } = parseConsentReply(reply);
  const expected = opts.state ?? state;
  if (expected !== null && expected !== undefined && expected !== pending.state) {
    throw new ConnectError(`the state does not match the latest consent link for ${address}: send the user the newest link`);
  }
  try {
    await tenant.provider().completeAuthorization(address, code, pending.codeVerifier, pending.redirectUri);
  } catch (err) {
    throw new ConnectError(`${address}: the code was refused (${failure(err)}); ask the user to open the consent link again`);
  }
  await tenant.secrets.delete(PENDING + address);
  await tenant.stores.status.setConnection(address, 'connected', address);
  await tenant.stores.audit.audit(opts.actor ?? 'cli', 'connect.complete', address);
  return { tenant: tenant.config.id, address, connection: 'connected' };
}

/**
 * The user whose waiting consent link carries `state`, or null. Looks at every address the
 * tenant invited (recorded `invited`) or configures, so a link is found without its address.
 */
export async function findPendingConsent(tenant: OpenTenant, state: string): Promise<{ address: string; pending: PendingConsent } | null> {
  const candidates = new Set([...(tenant.config.mail.users ?? []).map((u) => u.toLowerCase()), ...(await tenant.stores.status.mailboxStatuses()).map((s) => s.address)]);
  for (const address of candidates) {
    const saved = await tenant.secrets.get(PENDING + address);
    if (!saved) continue;
    const pending = JSON.parse(saved) as PendingConsent;
    if (pending.state === state) return { address, pending };
  }
  return null;
}

/** Forgets a user's waiting consent link (expired, or replaced by a new invitation). */
export async function dropPendingConsent(tenant: OpenTenant, address: string): Promise<void> {
  await tenant.secrets.delete(PENDING + address.toLowerCase());
}

export interface ConnectionRow {
  address: string;
  /** invited, connected, revoked, failing; `not-connected` for a configured mailbox `connect` has not seen. */
  connection: string;
  mailboxId: string | null;
  /** A consent link was sent and its code not yet redeemed. */
  consentPending: boolean;
  lastSyncAt: string | null;
  lastError: string | null;
}

/** Every mailbox's connection status: recorded ones, and configured users not yet seen. */
export async function connectionList(tenant: OpenTenant): Promise<{ tenant: string; mode: string; users: ConnectionRow[] }> {
  const mail = tenant.config.mail;
  const rows = new Map<string, ConnectionRow>();
  for (const s of (await tenant.stores.status.mailboxStatuses())) {
    rows.set(s.address, { address: s.address, connection: s.connection, mailboxId: s.mailboxId, consentPending: false, lastSyncAt: s.lastSyncAt, lastError: s.lastError });
  }
  for (const raw of mail.users ?? []) {
    const address = raw.toLowerCase();
    if (!rows.has(address)) {
      const connection = mail.mode === 'user' ? 'invited' : 'not-connected';
      rows.set(address, { address, connection, mailboxId: null, consentPending: false, lastSyncAt: null, lastError: null });
    }
  }
  for (const row of rows.values()) row.consentPending = (await tenant.secrets.get(PENDING + row.address)) !== null;
  return { tenant: tenant.config.id, mode: mail.mode, users: [...rows.values()].sort((a, b) => a.address.localeCompare(b.address)) };
}
