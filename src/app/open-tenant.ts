/**
 * Everything one tenant's work needs, built from its configuration: the encrypted database
 * (`<dataDir>/<tenant>.db`), the domain index, the sync and admin stores, the mail provider and
 * the CRM adapter on their official SDKs, and the engine's rules (the file's blocklist, the
 * database's blocklist and the suppression list together). Each tenant has its own file, so
 * settings, credentials, limits and data never mix.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineContext } from '../core/classify.js';
import type { Clock, CrmAdapter, MailProvider } from '../core/ports.js';
import { buildRules, type EngineRules } from '../core/rules.js';
import { ConfigError, resolveSecret, type LoadedConfig } from '../config/load-config.js';
import type { CrmConfig, MailConfig, TenantConfig } from '../config/config-schema.js';
import { databaseKey, pendingKey } from '../config/database-key.js';
import { HubspotAdapter } from '../crm-adapters/hubspot/hubspot-adapter.js';
import { SalesforceAdapter } from '../crm-adapters/salesforce/salesforce-adapter.js';
import type { StatusListener } from '../providers/common/connection-status.js';
import type { TokenStore } from '../providers/common/token-store.js';
import { GmailProvider } from '../providers/gmail/gmail-provider.js';
import type { ServiceAccountCredentials } from '../providers/gmail/gmail-tokens.js';
import { GraphProvider } from '../providers/graph/graph-provider.js';
import { RedirectingNetworkClient } from '../providers/graph/graph-network-client.js';
import { SqliteAdminStore } from '../store/admin-store.js';
import { openDatabase, type SqliteDatabase } from '../store/database.js';
import { SqliteDomainIndex } from '../store/domain-index.js';
import { SqliteMeetingStore } from '../store/meeting-store.js';
import { SqliteSecretStore } from '../store/secret-store.js';
import { SqliteSyncStore } from '../store/sync-store.js';
import { StoreKeyError } from '../store/store-errors.js';

/** A provider as the sync and `connect` use it. */
export type TenantProvider = (GraphProvider | GmailProvider) & MailProvider;
export type TenantCrm = (SalesforceAdapter | HubspotAdapter) & CrmAdapter;

export interface OpenTenant {
  config: TenantConfig;
  dbPath: string;
  db: SqliteDatabase;
  index: SqliteDomainIndex;
  store: SqliteSyncStore;
  /** Imported meetings and calendar cursors (issue 15). */
  meetings: SqliteMeetingStore;
  admin: SqliteAdminStore;
  secrets: SqliteSecretStore;
  clock: Clock;
  /** Built on first use, so admin commands that never touch an API need no credentials. */
  provider(): TenantProvider;
  crm(): TenantCrm;
  /** Rules and index as they stand now (re-read after a blocklist or suppression change). */
  context(): EngineContext;
  rules(): EngineRules;
  close(): Promise<void>;
}

export interface OpenTenantOptions {
  clock?: Clock;
  /** Overrides for tests and the demo: faster retries, smaller pages. */
  providerTuning?: { retryBaseMs?: number; requestTimeoutMs?: number };
  crmRetryBaseMs?: number;
}

export function tenantDatabasePath(config: LoadedConfig, tenantId: string): string {
  return join(config.dataPath, `${tenantId}.db`);
}

export function openTenant(config: LoadedConfig, tenant: TenantConfig, opts: OpenTenantOptions = {}): OpenTenant {
  // Never fall back to local files silently when the configuration names the shared store.
  if (config.store.kind !== 'sqlite') {
    throw new ConfigError(
      `store.kind: "${config.store.kind}": this command works on the embedded SQLite store only; with PostgreSQL use \`mailbridge migrate\` and the commands docs/scale-out.md lists`,
      'store.kind',
    );
  }
  mkdirSync(config.dataPath, { recursive: true, mode: 0o700 });
  const dbPath = tenantDatabasePath(config, tenant.id);
  const db = openTenantDatabase(config, dbPath);
  const clock = opts.clock ?? { now: () => new Date() };
  const now = () => clock.now();
  const index = new SqliteDomainIndex(db);
  const store = new SqliteSyncStore(db, now);
  const meetings = new SqliteMeetingStore(db, now);
  const admin = new SqliteAdminStore(db, now);
  const secrets = new SqliteSecretStore(db);
  let provider: TenantProvider | null = null;
  let crm: TenantCrm | null = null;

  const rules = (): EngineRules => {
    const stored = admin.blocklist();
    return buildRules({
      companyDomains: tenant.companyDomains,
      blocklist: {
        addresses: [...tenant.blocklist.addresses, ...stored.addresses],
        domains: [...tenant.blocklist.domains, ...stored.domains],
        phrases: [...tenant.blocklist.phrases, ...stored.phrases],
      },
      suppressed: admin.suppressed(),
      timeZone: tenant.timeZone,
      freeMail: tenant.freeMail,
    });
  };

  // A user-mode provider announces every configured user as `invited` when it is built; that
  // must not overwrite what `connect` or a sync recorded (connected, revoked, failing).
  const knownConnection = db.prepare<[string], { one: number }>('SELECT 1 AS one FROM mailbox_status WHERE address = ?');
  const onStatus: StatusListener = (address, status) => {
    if (status === 'invited' && knownConnection.get(address.toLowerCase())) return;
    admin.setConnection(address, status);
  };

  return {
    config: tenant,
    dbPath,
    db,
    index,
    store,
    meetings,
    admin,
    secrets,
    clock,
    provider() {
      provider ??= buildProvider(tenant, secrets, onStatus, opts);
      return provider;
    },
    crm() {
      crm ??= buildCrm(tenant, index, opts);
      return crm;
    },
    rules,
    context: () => ({ index, rules: rules() }),
    async close() {
      await provider?.close();
      if (crm && 'close' in crm && typeof crm.close === 'function') await crm.close();
      if (db.open) db.close();
    },
  };
}

/**
 * Opens a tenant's database with the key, or, when a `key rotate` was interrupted after this
 * database was re-encrypted, with the pending key (`<keyFile>.next`); `key rotate` finishes it.
 * A rotation running in another process re-encrypts under `.next`'s key and then renames `.next`
 * over the key file, so reading the key file, then `.next`, then the key file again always meets
 * the key the database is under, whenever the rotation moves on between two reads.
 */
export function openTenantDatabase(config: LoadedConfig, dbPath: string): SqliteDatabase {
  const tried = new Set<string>();
  let wrongKey: StoreKeyError | null = null;
  for (const read of [() => databaseKey(config), () => pendingKey(config), () => databaseKey(config)]) {
    const key = read();
    if (key === null || tried.has(key)) continue;
    tried.add(key);
    try {
      return openDatabase({ path: dbPath, key });
    } catch (err) {
      if (!(err instanceof StoreKeyError)) throw err;
      wrongKey = err;
    }
  }
  throw wrongKey ?? new StoreKeyError(dbPath);
}

const field = (tenant: TenantConfig, path: string) => `tenants[${tenant.id}].${path}`;

function buildProvider(tenant: TenantConfig, tokenStore: TokenStore, onStatus: StatusListener, opts: OpenTenantOptions): TenantProvider {
  const mail: MailConfig = tenant.mail;
  const retry = opts.providerTuning?.retryBaseMs !== undefined ? { baseDelayMs: opts.providerTuning.retryBaseMs } : undefined;
  const limits = { ...tenant.limits.mail, share: tenant.limits.share };
  if (mail.provider === 'graph') {
    // MSAL accepts only https authorities: a plain-http authority host (an emulator) is reached
    // through the supported network-client option instead.
    const redirect = mail.authorityHost && mail.authorityHost.startsWith('http:') ? mail.authorityHost : null;
    return new GraphProvider({
      mode: mail.mode,
      users: mail.users,
      group: mail.group,
      baseUrl: mail.baseUrl,
      auth: {
        tenantId: mail.tenantId,
        clientId: mail.clientId,
        clientSecret: resolveSecret(mail.clientSecret, field(tenant, 'mail.clientSecret')),
        authorityHost: mail.authorityHost,
        ...(redirect ? { networkClient: new RedirectingNetworkClient(redirect) } : {}),
      },
      // `calendar.enabled`: the calendar scope is asked for with mail's (one setting, docs/configuration.md).
      calendar: tenant.calendar.enabled,
      tokenStore,
      onStatus,
      retry,
      limits,
      requestTimeoutMs: opts.providerTuning?.requestTimeoutMs,
    });
  }
  let serviceAccount: ServiceAccountCredentials | undefined;
  if (mail.serviceAccountFile) {
    try {
      serviceAccount = JSON.parse(readFileSync(mail.serviceAccountFile, 'utf8')) as ServiceAccountCredentials;
    } catch (err) {
      throw new ConfigError(`${field(tenant, 'mail.serviceAccountFile')}: cannot read ${mail.serviceAccountFile}: ${(err as Error).message}`, 'mail.serviceAccountFile');
    }
  }
  if (mail.mode === 'company' && !serviceAccount) {
    throw new ConfigError(`${field(tenant, 'mail.serviceAccountFile')}: company-wide Gmail needs a service account key`, 'mail.serviceAccountFile');
  }
  if (mail.mode === 'user' && !mail.oauthClient) {
    throw new ConfigError(`${field(tenant, 'mail.oauthClient')}: user-by-user Gmail needs an OAuth client`, 'mail.oauthClient');
  }
  return new GmailProvider({
    mode: mail.mode,
    users: mail.users,
    // The directory is reached where the mail API is when only --gmail-root-url was given.
    directory: mail.directory ? { ...mail.directory, rootUrl: mail.directory.rootUrl ?? mail.rootUrl } : undefined,
    serviceAccount,
    oauthClient: mail.oauthClient
      ? { clientId: mail.oauthClient.clientId, clientSecret: resolveSecret(mail.oauthClient.clientSecret, field(tenant, 'mail.oauthClient.clientSecret')) }
      : undefined,
    rootUrl: mail.rootUrl,
    calendar: tenant.calendar.enabled,
    // Google serves Calendar on another origin than Gmail; a `rootUrl` (an emulator) serves both.
    ...(mail.rootUrl ? { calendarRootUrl: mail.rootUrl } : {}),
    tokenOrigin: mail.tokenOrigin,
    tokenStore,
    onStatus,
    retry,
    limits,
    requestTimeoutMs: opts.providerTuning?.requestTimeoutMs,
  });
}

function buildCrm(tenant: TenantConfig, index: SqliteDomainIndex, opts: OpenTenantOptions): TenantCrm {
  const crm: CrmConfig = tenant.crm;
  if (crm.kind === 'salesforce') {
    let privateKey: string | undefined;
    if (crm.privateKeyFile) {
      try {
        privateKey = readFileSync(crm.privateKeyFile, 'utf8');
      } catch (err) {
        throw new ConfigError(`${field(tenant, 'crm.privateKeyFile')}: cannot read ${crm.privateKeyFile}: ${(err as Error).message}`, 'crm.privateKeyFile');
      }
    }
    return new SalesforceAdapter({
      loginUrl: crm.loginUrl,
      clientId: crm.clientId,
      clientSecret: crm.clientSecret ? resolveSecret(crm.clientSecret, field(tenant, 'crm.clientSecret')) : undefined,
      username: crm.username,
      privateKey,
      accountDomainFields: crm.accountDomainFields,
      retryBaseMs: opts.crmRetryBaseMs,
      // Ties matched ids to participant addresses from the local index, not per-write queries.
      relationIndex: index,
      dailyShare: tenant.limits.share,
    });
  }
  return new HubspotAdapter({
    accessToken: resolveSecret(crm.accessToken, field(tenant, 'crm.accessToken')),
    basePath: crm.basePath,
    dedupe: crm.uniqueKeyProperty ? 'unique-property' : 'read-before-create',
    share: tenant.limits.share,
    tenSecondlyMax: tenant.limits.hubspotRequestsPer10s,
    retryBaseMs: opts.crmRetryBaseMs,
  });
}
