/**
 * Access tokens for Graph through MSAL: app-only (client credentials) for company-wide mode, and
 * delegated (authorization code with PKCE, then silent refresh) for user-by-user mode, the MSAL
 * cache of each user persisted through a TokenStore.
 */
import {
  ConfidentialClientApplication,
  CryptoProvider,
  type Configuration,
  type ICachePlugin,
  type INetworkModule,
  type TokenCacheContext,
} from '@azure/msal-node';
import { GRAPH_PERMISSIONS, names } from '../../core/permissions.js';
import { SyncError } from '../../core/sync-error.js';
import type { TokenStore } from '../common/token-store.js';

export interface GraphAuthConfig {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /**
   * Default `https://login.microsoftonline.com`. An http origin (an emulator) needs
   * `networkClient` too, since MSAL only accepts https authorities; consent links still use it.
   */
  authorityHost?: string;
  /** MSAL network module; set to reach an emulator (see RedirectingNetworkClient). */
  networkClient?: INetworkModule;
}

/** A token for one mailbox's calls; `refresh` bypasses every cache. */
export interface TokenSource {
  token(): Promise<string>;
  refresh(): Promise<string>;
}

const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com';
const APP_SCOPES = ['https://graph.microsoft.com/.default'];
/** User mode's consent asks for the registry's delegated permissions (core/permissions.ts). */
export const DELEGATED_SCOPES = names(GRAPH_PERMISSIONS.delegated);

/** The delegated scopes to ask for: the calendar's only when meetings are read (a consent given without them stays valid). */
export function delegatedScopes(calendar: boolean): string[] {
  return calendar ? [...DELEGATED_SCOPES, ...names(GRAPH_PERMISSIONS.calendarDelegated)] : DELEGATED_SCOPES;
}

function msalConfig(config: GraphAuthConfig, cachePlugin?: ICachePlugin): Configuration {
  return {
    auth: {
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      authority: `${config.authorityHost?.startsWith('https:') ? config.authorityHost.replace(/\/+$/, '') : PUBLIC_AUTHORITY}/${config.tenantId}`,
    },
    system: config.networkClient ? { networkClient: config.networkClient } : {},
    cache: cachePlugin ? { cachePlugin } : undefined,
  };
}

/**
 * The identity platform's answers that a setting can fix, by AADSTS code or OAuth error: a
 * wrong or expired client secret (7000215, 7000222; `invalid_client`), an unknown application
 * (700016; `unauthorized_client`), an unknown tenant (90002).
 */
const CREDENTIAL_ERRORS: { test: RegExp; setting: string; what: string }[] = [
  { test: /AADSTS700021[5-9]|AADSTS7000222|invalid_client/i, setting: 'mail.clientSecret', what: 'the client secret was refused (wrong or expired)' },
  { test: /AADSTS700016|unauthorized_client/i, setting: 'mail.clientId', what: 'the application (client id) is not known in this directory' },
  { test: /AADSTS90002|AADSTS90023/i, setting: 'mail.tenantId', what: 'the directory (tenant id) was not found' },
];

/** Maps an MSAL failure: a refused credential or grant is `auth` (not retryable), anything else transient. */
export function msalError(error: unknown): SyncError {
  const e = error as { errorCode?: string; name?: string; message?: string };
  const text = `${e.errorCode ?? ''} ${e.message ?? ''}`;
  const code = /AADSTS\d+/.exec(text)?.[0] ?? e.errorCode ?? e.name ?? 'unknown';
  const credential = CREDENTIAL_ERRORS.find((c) => c.test.test(text));
  if (credential) return new SyncError('auth', `Microsoft sign-in: ${credential.what} (${code})`, { retryable: false, setting: credential.setting, cause: error });
  if (/AADSTS65001|consent_required/i.test(text)) {
    return new SyncError('auth', `Microsoft sign-in: admin consent has not been granted to the application (${code})`, { retryable: false, cause: error });
  }
  const refused = e.name === 'InteractionRequiredAuthError' || /invalid_grant|no_tokens_found|no_account/i.test(text);
  return refused
    ? new SyncError('auth', `token refused: ${e.errorCode ?? e.name ?? 'unknown'}`, { retryable: false, cause: error })
    : new SyncError('transient', `token request failed: ${e.errorCode ?? e.name ?? 'unknown'}`, { cause: error });
}

/** App-only tokens (client credentials), shared by every mailbox. */
export class AppTokenSource implements TokenSource {
  private readonly app: ConfidentialClientApplication;
  private cached: Promise<string> | null = null;

  constructor(config: GraphAuthConfig) {
    this.app = new ConfidentialClientApplication(msalConfig(config));
  }

  token(): Promise<string> {
    this.cached ??= this.acquire(false);
    return this.cached;
  }

  refresh(): Promise<string> {
    this.cached = this.acquire(true);
    return this.cached;
  }

  private async acquire(skipCache: boolean): Promise<string> {
    try {
      const result = await this.app.acquireTokenByClientCredential({ scopes: APP_SCOPES, skipCache });
      if (!result?.accessToken) throw new Error('no access token');
      return result.accessToken;
    } catch (error) {
      this.cached = null;
      throw msalError(error);
    }
  }
}

/** Persists one user's MSAL cache (which holds their refresh token) in the TokenStore. */
function storeCachePlugin(store: TokenStore, key: string): ICachePlugin {
  return {
    async beforeCacheAccess(ctx: TokenCacheContext) {
      const saved = await store.get(key);
      if (saved) ctx.tokenCache.deserialize(saved);
    },
    async afterCacheAccess(ctx: TokenCacheContext) {
      if (ctx.cacheHasChanged) await store.set(key, ctx.tokenCache.serialize());
    },
  };
}

/** Where a user's MSAL cache (with the refresh token) is kept in the TokenStore. */
export const graphTokenKey = (address: string): string => `graph:msal-cache:${address.toLowerCase()}`;

/** Delegated (user-by-user) consent and tokens. */
export class DelegatedAuth {
  private readonly apps = new Map<string, ConfidentialClientApplication>();
  private readonly crypto = new CryptoProvider();

  constructor(
    private readonly config: GraphAuthConfig,
    private readonly store: TokenStore,
    private readonly scopes: string[] = DELEGATED_SCOPES,
  ) {}

  private key(address: string): string {
    return graphTokenKey(address);
  }

  private app(address: string): ConfidentialClientApplication {
    const lower = address.toLowerCase();
    let app = this.apps.get(lower);
    if (!app) {
      app = new ConfidentialClientApplication(msalConfig(this.config, storeCachePlugin(this.store, this.key(lower))));
      this.apps.set(lower, app);
    }
    return app;
  }

  /** The consent URL to send the user to, and the PKCE verifier to keep until they come back. */
  async authorizationUrl(address: string, redirectUri: string, state?: string): Promise<{ url: string; codeVerifier: string }> {
    const { verifier, challenge } = await this.crypto.generatePkceCodes();
    const url = await this.app(address).getAuthCodeUrl({
      scopes: this.scopes,
      redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      loginHint: address,
      state,
    });
    return { url: this.atConfiguredAuthority(url), codeVerifier: verifier };
  }

  /** The user's browser must reach the configured identity origin, whatever MSAL was given. */
  private atConfiguredAuthority(url: string): string {
    if (!this.config.authorityHost) return url;
    const link = new URL(url);
    const host = new URL(this.config.authorityHost);
    link.protocol = host.protocol;
    link.host = host.host;
    return link.toString();
  }

  /** Redeems the code the redirect carried; the refresh token lands in the TokenStore. */
  async completeAuthorization(address: string, code: string, codeVerifier: string, redirectUri: string): Promise<void> {
    try {
      await this.app(address).acquireTokenByCode({ code, codeVerifier, redirectUri, scopes: this.scopes });
    } catch (error) {
      throw msalError(error);
    }
  }

  /** Whether consent was given (a cache with an account is stored). */
  async isConnected(address: string): Promise<boolean> {
    const accounts = await this.app(address).getTokenCache().getAllAccounts();
    return accounts.length > 0;
  }

  /** Tokens for one user's calls. */
  source(address: string): TokenSource {
    let cached: Promise<string> | null = null;
    const acquire = async (forceRefresh: boolean): Promise<string> => {
      try {
        const app = this.app(address);
        const accounts = await app.getTokenCache().getAllAccounts();
        const account = accounts.find((a) => a.username.toLowerCase() === address.toLowerCase()) ?? accounts[0];
        if (!account) throw new SyncError('auth', 'user has not connected', { retryable: false });
        const result = await app.acquireTokenSilent({ account, scopes: this.scopes, forceRefresh });
        return result.accessToken;
      } catch (error) {
        cached = null;
        throw error instanceof SyncError ? error : msalError(error);
      }
    };
    return {
      token: () => (cached ??= acquire(false)),
      refresh: () => (cached = acquire(true)),
    };
  }
}
