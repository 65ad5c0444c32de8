/**
 * Google auth clients per mailbox: company-wide through a service account with domain-wide
 * delegation (a JWT client whose `subject` is the user), user-by-user through the OAuth web flow
 * with PKCE, refresh tokens kept in a TokenStore. Pointing the token endpoint at an emulator is
 * done on the client's own transporter (a gaxios request interceptor, a supported option), so
 * the assertion, grant and response handling stay the library's.
 */
import { CodeChallengeMethod, JWT, OAuth2Client, type AuthClient } from 'google-auth-library';
import { SyncError } from '../../core/sync-error.js';
import type { TokenStore } from '../common/token-store.js';
import { GMAIL_PERMISSIONS, names } from '../../core/permissions.js';

/** From the permissions registry (core/permissions.ts). */
export const GMAIL_SCOPES = names(GMAIL_PERMISSIONS.mail);

/** The scopes to ask for: the calendar's too when meetings are read (each must be granted, in the delegation or the consent). */
export function gmailScopes(calendar: boolean): string[] {
  return calendar ? [...GMAIL_SCOPES, ...names(GMAIL_PERMISSIONS.calendar)] : GMAIL_SCOPES;
}
const GOOGLE_TOKEN_HOST = 'oauth2.googleapis.com';

export interface ServiceAccountCredentials {
  client_email: string;
  private_key: string;
  private_key_id?: string;
}

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
}

/** Sends the client's token requests to `origin` instead of oauth2.googleapis.com. */
export function redirectTokenRequests(client: AuthClient, origin: string | undefined): void {
  if (!origin) return;
  const target = new URL(origin);
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      if (options.url instanceof URL && options.url.host === GOOGLE_TOKEN_HOST) {
        options.url = new URL(`${options.url.pathname}${options.url.search}`, target);
      }
      return options;
    },
  });
}

/** A JWT client impersonating `user` (domain-wide delegation). */
export function delegatedJwt(sa: ServiceAccountCredentials, user: string, tokenOrigin?: string, scopes: string[] = GMAIL_SCOPES): JWT {
  const jwt = new JWT({ email: sa.client_email, key: sa.private_key, keyId: sa.private_key_id, scopes, subject: user });
  redirectTokenRequests(jwt, tokenOrigin);
  return jwt;
}

/** Where a user's refresh token is kept in the TokenStore. */
export const gmailTokenKey = (address: string): string => `gmail:refresh-token:${address.toLowerCase()}`;

/** The per-user OAuth flow and the stored refresh tokens. */
export class GmailUserAuth {
  constructor(
    private readonly client: OAuthClientConfig,
    private readonly store: TokenStore,
    private readonly tokenOrigin?: string,
    private readonly scopes: string[] = GMAIL_SCOPES,
  ) {}

  private key(address: string): string {
    return gmailTokenKey(address);
  }

  private oauth(redirectUri?: string): OAuth2Client {
    const c = new OAuth2Client({ clientId: this.client.clientId, clientSecret: this.client.clientSecret, redirectUri });
    redirectTokenRequests(c, this.tokenOrigin);
    return c;
  }

  /** The consent URL (offline access, PKCE) and the verifier to keep until the redirect. */
  async authorizationUrl(address: string, redirectUri: string, state?: string): Promise<{ url: string; codeVerifier: string }> {
    const c = this.oauth(redirectUri);
    const { codeVerifier, codeChallenge } = await c.generateCodeVerifierAsync();
    const url = c.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: this.scopes,
      login_hint: address,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
    });
    return { url, codeVerifier };
  }

  /** Redeems the code; stores the refresh token. */
  async completeAuthorization(address: string, code: string, codeVerifier: string, redirectUri: string): Promise<void> {
    try {
      const { tokens } = await this.oauth(redirectUri).getToken({ code, codeVerifier, redirect_uri: redirectUri });
      if (!tokens.refresh_token) throw new SyncError('auth', 'no refresh token granted (offline access missing)', { retryable: false });
      await this.store.set(this.key(address), tokens.refresh_token);
    } catch (error) {
      if (error instanceof SyncError) throw error;
      throw new SyncError('auth', 'authorization code refused', { retryable: false, cause: error });
    }
  }

  async isConnected(address: string): Promise<boolean> {
    return (await this.store.get(this.key(address))) !== null;
  }

  /** An auth client for the user, or null when they never connected. */
  async userClient(address: string): Promise<OAuth2Client | null> {
    const refreshToken = await this.store.get(this.key(address));
    if (!refreshToken) return null;
    const c = this.oauth();
    c.setCredentials({ refresh_token: refreshToken });
    return c;
  }
}
