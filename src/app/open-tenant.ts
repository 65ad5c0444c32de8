/**
 * Everything one tenant's work needs, built from its configuration: the tenant's state behind the
 * store ports (`stores`: the encrypted SQLite file `<dataDir>/<tenant>.db`, or the tenant's schema
 * in the shared PostgreSQL with `store.kind: "postgres"`), the mail provider and the CRM adapter
 * on their official SDKs, and the engine's rules (the file's blocklist, the stored blocklist and
 * the suppression list together). Settings, credentials, limits and data never mix across tenants.
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
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { sqliteTenantParts, sqliteTenantStore } from '../store/sqlite-tenant-store.js';
import type { IndexStore, TenantStore } from '../store/store-ports.js';
import { SqliteSyncStore } from '../store/sync-store.js';
import { StoreKeyError, unreachableStore } from '../store/store-errors.js';

/** A provider as the sync and `connect` use it. */
export type TenantProvider = (GraphProvider | GmailProvider) & MailProvider;
export type TenantCrm = (SalesforceAdapter | HubspotAdapter) & CrmAdapter;

/** The embedded file's own classes (doctor names the file; tests read it); commands use `stores`. */
interface EmbeddedParts {
  dbPath: string;
  db: SqliteDatabase;
  index: SqliteDomainIndex;
  store: SqliteSyncStore;
  admin: SqliteAdminStore;
}

export interface OpenTenant extends Readonly<EmbeddedParts> {
  config: TenantConfig;
  /** The tenant's state behind the store ports, on either store: what sync, workers and status use. */
  stores: TenantStore;
  /** Provider tokens (encrypted at rest on either store). */
  secrets: TokenStore;
  clock: Clock;
  /**
   * True on PostgreSQL: each page's participant keys are resolved in one round trip before the
   * synchronous cascade (`resolvePages` of the sync); the embedded index answers in process.
   */
  resolvePages: boolean;
  /** Built on first use, so admin commands that never touch an API need no credentials. */
  provider(): TenantProvider;
  crm(): TenantCrm;
  /** Rules and index as they stand now (re-read after a blocklist or suppression change). */
  context(): Promise<EngineContext>;
  rules(): Promise<EngineRules>;
  close(): Promise<void>;
}

export interface OpenTenantOptions {
  clock?: Clock;
  /** Overrides for tests and the demo: faster retries, smaller pages. */
  providerTuning?: { retryBaseMs?: number; requestTimeoutMs?: number };
  crmRetryBaseMs?: number;
  /**
   * Keep the Salesforce session in the tenant's secrets for later jobs (default true). A purge
   * keeps none: it empties the secrets and then logs in to delete the activities.
   */
  keepCrmSession?: boolean;
  /**
   * With `store.kind: "postgres"`: the process's shared store (a worker opens many tenants on
   * one pool); closed by its owner. Absent, the tenant opens its own small pool and closes it.
   */
  postgres?: PostgresStore;
}

export function tenantDatabasePath(config: LoadedConfig, tenantId: string): string {
  return join(config.dataPath, `${tenantId}.db`);
}

/** Connections of a tenant opened on its own pool (a CLI command): the mailbox lanes and a spare. */
const OWN_POOL_CONNECTIONS = 6;

export async function openTenant(config: LoadedConfig, tenant: TenantConfig, opts: OpenTenantOptions = {}): Promise<OpenTenant> {
  const clock = opts.clock ?? { now: () => new Date() };
  const now = () => clock.now();
  if (config.store.kind === 'postgres') {
    const own = opts.postgres ? null : new PostgresStore({ url: resolveSecret(config.store.url, 'store.url'), maxConnections: OWN_POOL_CONNECTIONS });
    try {
      const stores = await (opts.postgres ?? own!).tenant(tenant.id, databaseKey(config), now, pendingKey(config));
      return assemble(tenant, stores, null, clock, opts, async () => {
        await own?.close();
      });
    } catch (err) {
      await own?.close();
      throw unreachableStore(err) ?? err;
    }
  }
  mkdirSync(config.dataPath, { recursive: true, mode: 0o700 });
  const dbPath = tenantDatabasePath(config, tenant.id);
  const db = openTenantDatabase(config, dbPath);
  // One set of objects: the ports and the embedded parts share the index's caches.
  const parts = sqliteTenantParts(db, now);
  const stores = sqliteTenantStore(tenant.id, db, now, parts);
  const embedded: EmbeddedParts = { dbPath, db, index: parts.index, store: parts.ledger, admin: parts.admin };
  return assemble(tenant, stores, embedded, clock, opts, () => stores.close());
}

function assemble(
  tenant: TenantConfig,
  stores: TenantStore,
  embedded: EmbeddedParts | null,
  clock: Clock,
  opts: OpenTenantOptions,
  closeStore: () => Promise<void>,
): OpenTenant {
  let provider: TenantProvider | null = null;
  let crm: TenantCrm | null = null;
  // Status writes the provider announces while it works (below), awaited before closing.
  const pending = new Set<Promise<void>>();

  const rules = async (): Promise<EngineRules> => {
    const stored = await stores.governance.blocklist();
    return buildRules({
      companyDomains: tenant.companyDomains,
      blocklist: {
        addresses: [...tenant.blocklist.addresses, ...stored.addresses],
        domains: [...tenant.blocklist.domains, ...stored.domains],
        phrases: [...tenant.blocklist.phrases, ...stored.phrases],
      },
      suppressed: await stores.governance.suppressed(),
      timeZone: tenant.timeZone,
      freeMail: tenant.freeMail,
    });
  };

  // A user-mode provider announces every configured user as `invited` when it is built; that
  // must not overwrite what `connect` or a sync recorded (connected, revoked, failing).
  const recordStatus = async (address: string, status: string): Promise<void> => {
    if (status === 'invited' && (await stores.status.mailboxStatuses()).some((m) => m.address === address.toLowerCase())) return;
    await stores.status.setConnection(address, status);
  };
  const onStatus: StatusListener = (address, status) => {
    const write = Promise.resolve()
      .then(() => recordStatus(address, status))
      .catch(() => undefined)
      .finally(() => pending.delete(write));
    pending.add(write);
  };

  const part = <K extends keyof EmbeddedParts>(key: K): EmbeddedParts[K] => {
    if (!embedded) throw new Error(`the tenant is on the PostgreSQL store: it has no embedded ${key}`);
    return embedded[key];
  };

  return {
    config: tenant,
    stores,
    secrets: stores.secrets,
    clock,
    resolvePages: stores.kind === 'postgres',
    get dbPath() {
      return part('dbPath');
    },
    get db() {
      return part('db');
    },
    get index() {
      return part('index');
    },
    get store() {
      return part('store');
    },
    get admin() {
      return part('admin');
    },
    provider() {
      provider ??= buildProvider(tenant, stores.secrets, onStatus, opts);
      return provider;
    },
    crm() {
      crm ??= buildCrm(tenant, stores.index, stores.secrets, opts);
      return crm;
    },
    rules,
    // On PostgreSQL the cascade reads each page's resolved keys; this empty answer is never asked.
    context: async () => ({ index: embedded ? embedded.index : await stores.index.resolveKeys([]), rules: await rules() }),
    async close() {
      await provider?.close();
      if (crm && 'close' in crm && typeof crm.close === 'function') await crm.close();
      await Promise.all(pending);
      await closeStore();
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

function buildCrm(tenant: TenantConfig, index: IndexStore, secrets: TokenStore, opts: OpenTenantOptions): TenantCrm {
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
      // Ties matched ids to participant addresses from the index (one round trip per batch on
      // PostgreSQL), not per-write Salesforce queries.
      relationIndex: index,
      dailyShare: tenant.limits.share,
      ...(opts.keepCrmSession === false ? {} : { sessionStore: secrets }),
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
