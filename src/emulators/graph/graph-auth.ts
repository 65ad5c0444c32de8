/**
 * The Microsoft identity platform side of the Graph emulator: the v2.0 token endpoint
 * (client credentials, authorization code with PKCE, refresh token), the authorize redirect,
 * and the discovery documents MSAL reads. Access tokens are opaque strings checked on each call.
 */
import { createHash } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse } from '../common/http-emulator.js';
import { digest, type MailStore } from '../common/mail-store.js';

export interface GraphCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** Who a token speaks for: the application (all mailboxes) or one user (delegated). */
export type GraphPrincipal = { kind: 'app' } | { kind: 'user'; address: string };

interface IssuedToken {
  principal: GraphPrincipal;
  expiresAt: number;
  generation: number;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function oauthError(status: number, error: string, description: string): EmulatorResponse {
  return {
    status,
    body: { error, error_description: description, error_codes: [status === 401 ? 7000215 : 70000], timestamp: new Date().toISOString() },
  };
}

/** Issues and checks tokens for one tenant and one app registration. */
export class GraphAuthority {
  private readonly access = new Map<string, IssuedToken>();
  private readonly refresh = new Map<string, string>();
  private readonly codes = new Map<string, { address: string; challenge: string | null; redirectUri: string }>();
  private readonly revoked = new Set<string>();
  /** Codes already exchanged: Entra refuses a second redemption (AADSTS54005). */
  private readonly redeemed = new Set<string>();
  /** Users who answer the consent prompt with Cancel. */
  private readonly declining = new Set<string>();
  private serial = 0;
  private generation = 0;
  tokenLifetimeSec = 3599;

  constructor(
    readonly credentials: GraphCredentials,
    private readonly store: MailStore,
    /** Host MSAL believes it talks to; discovery documents name endpoints on it. */
    readonly loginHost = 'https://login.microsoftonline.com',
  ) {}

  /** Makes every access token issued so far fail with 401 (an expiry); refresh still works. */
  expireAccessTokens(): void {
    this.generation += 1;
  }

  /** Revokes a user's consent: their tokens fail and refresh answers `invalid_grant`. */
  revokeUser(address: string): void {
    this.revoked.add(address.toLowerCase());
  }

  /** Restores a revoked user's consent (a reconnect). */
  restoreUser(address: string): void {
    this.revoked.delete(address.toLowerCase());
  }

  /** The user clicks Cancel on the consent prompt (true) or accepts it (false, the default). */
  declineConsent(address: string, decline = true): void {
    if (decline) this.declining.add(address.toLowerCase());
    else this.declining.delete(address.toLowerCase());
  }

  /** Issues an authorization code directly (what a browser round trip would produce). */
  issueCode(address: string, redirectUri: string, challenge: string | null = null): string {
    this.serial += 1;
    const code = `code-${digest(`${address}#${this.serial}`, 24)}`;
    this.codes.set(code, { address: address.toLowerCase(), challenge, redirectUri });
    return code;
  }

  /** The principal behind a bearer token, or null when missing, unknown, expired or revoked. */
  authenticate(req: EmulatorRequest): GraphPrincipal | null {
    const header = String(req.headers.authorization ?? '');
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const issued = this.access.get(token);
    if (!issued || issued.generation !== this.generation || issued.expiresAt < Date.now()) return null;
    if (issued.principal.kind === 'user' && this.revoked.has(issued.principal.address)) return null;
    return issued.principal;
  }

  /** Serves the identity routes; returns undefined for any other path. */
  handle(req: EmulatorRequest): EmulatorResponse | undefined {
    const parts = req.path.split('/').filter(Boolean);
    const tenant = parts[0] ?? '';
    const rest = parts.slice(1).join('/');
    if (req.path.startsWith('/common/discovery/instance')) return this.instanceDiscovery();
    if (rest === 'v2.0/.well-known/openid-configuration') return { status: 200, body: this.openidConfiguration(tenant) };
    if (rest === 'oauth2/v2.0/authorize' && req.method === 'GET') return this.authorize(req);
    if (rest === 'oauth2/v2.0/token' && req.method === 'POST') return this.token(req);
    return undefined;
  }

  private instanceDiscovery(): EmulatorResponse {
    const host = new URL(this.loginHost).host;
    return {
      status: 200,
      body: {
        tenant_discovery_endpoint: `${this.loginHost}/${this.credentials.tenantId}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      },
    };
  }

  private openidConfiguration(tenant: string): unknown {
    const base = `${this.loginHost}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      issuer: `${this.loginHost}/${this.credentials.tenantId}/v2.0`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    };
  }

  /**
   * The browser leg of the authorization code flow. Errors the user can be sent back with go to
   * the redirect URI as `error`, `error_description` and the request's `state` (RFC 6749 §4.1.2.1);
   * a missing client or redirect URI is shown on the login page instead, never redirected.
   * Declining consent is `access_denied` with AADSTS65004 (Entra error-code reference,
   * learn.microsoft.com/entra/identity-platform/reference-error-codes).
   */
  private authorize(req: EmulatorRequest): EmulatorResponse {
    const redirectUri = req.query.get('redirect_uri') ?? '';
    if (req.query.get('client_id') !== this.credentials.clientId || !redirectUri) {
      return oauthError(400, 'invalid_request', 'AADSTS700016: Application not found or redirect_uri missing.');
    }
    const state = req.query.get('state');
    const back = (params: Record<string, string>): EmulatorResponse => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      if (state) target.searchParams.set('state', state);
      return { status: 302, headers: { Location: target.toString() } };
    };
    if (req.query.get('response_type') !== 'code') {
      return back({ error: 'unsupported_response_type', error_description: 'AADSTS70005: response_type is not supported for this flow.' });
    }
    const challenge = req.query.get('code_challenge');
    if (challenge && req.query.get('code_challenge_method') !== 'S256') {
      return back({ error: 'invalid_request', error_description: 'AADSTS501491: Invalid code_challenge_method.' });
    }
    const hint = (req.query.get('login_hint') ?? this.store.mailboxes()[0]?.address ?? '').toLowerCase();
    if (!this.store.mailbox(hint)) return oauthError(400, 'invalid_request', 'AADSTS50034: The user account does not exist.');
    if (this.declining.has(hint)) {
      return back({ error: 'access_denied', error_subcode: 'cancel', error_description: 'AADSTS65004: User declined to consent to access the app.' });
    }
    return back({ code: this.issueCode(hint, redirectUri, challenge) });
  }

  private token(req: EmulatorRequest): EmulatorResponse {
    const form = new URLSearchParams(req.body.toString('utf8'));
    if (form.get('client_id') !== this.credentials.clientId) {
      return oauthError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found.`);
    }
    if (form.get('client_secret') !== this.credentials.clientSecret) {
      return oauthError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    }
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') {
      return { status: 200, body: { token_type: 'Bearer', expires_in: this.tokenLifetimeSec, ext_expires_in: this.tokenLifetimeSec, access_token: this.mint({ kind: 'app' }) } };
    }
    if (grant === 'authorization_code') {
      const entry = this.codes.get(form.get('code') ?? '');
      if (!entry && this.redeemed.has(form.get('code') ?? '')) {
        return oauthError(400, 'invalid_grant', 'AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code.');
      }
      if (!entry) return oauthError(400, 'invalid_grant', 'AADSTS70008: The provided authorization code or refresh token has expired.');
      this.codes.delete(form.get('code') ?? '');
      this.redeemed.add(form.get('code') ?? '');
      if (entry.challenge) {
        const verifier = form.get('code_verifier') ?? '';
        const computed = createHash('sha256').update(verifier).digest('base64url');
        if (computed !== entry.challenge) return oauthError(400, 'invalid_grant', 'AADSTS501481: The Code_Verifier does not match the code_challenge.');
      }
      return this.userTokens(entry.address, form.get('scope') ?? '');
    }
    if (grant === 'refresh_token') {
      const address = this.refresh.get(form.get('refresh_token') ?? '');
      if (!address || this.revoked.has(address)) {
        return oauthError(400, 'invalid_grant', 'AADSTS700082: The refresh token has expired or was revoked.');
      }
      return this.userTokens(address, form.get('scope') ?? '');
    }
    return oauthError(400, 'unsupported_grant_type', `AADSTS70003: The grant type '${grant}' is not supported.`);
  }

  private mint(principal: GraphPrincipal): string {
    this.serial += 1;
    const token = `eyJ0eXAi.${digest(`at#${this.serial}#${JSON.stringify(principal)}`, 40)}`;
    this.access.set(token, { principal, expiresAt: Date.now() + this.tokenLifetimeSec * 1000, generation: this.generation });
    return token;
  }

  private userTokens(address: string, scope: string): EmulatorResponse {
    const box = this.store.mailbox(address);
    const uid = box?.id ?? digest(address, 32);
    this.serial += 1;
    const refreshToken = `rt-${digest(`rt#${address}#${this.serial}`, 40)}`;
    this.refresh.set(refreshToken, address);
    const now = Math.floor(Date.now() / 1000);
    const idToken = [
      b64url({ typ: 'JWT', alg: 'none' }),
      b64url({
        aud: this.credentials.clientId,
        iss: `${this.loginHost}/${this.credentials.tenantId}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        name: box?.displayName ?? address,
        oid: uid,
        preferred_username: address,
        sub: uid,
        tid: this.credentials.tenantId,
        ver: '2.0',
      }),
      '',
    ].join('.');
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        scope: scope || 'Mail.Read User.Read',
        expires_in: this.tokenLifetimeSec,
        ext_expires_in: this.tokenLifetimeSec,
        access_token: this.mint({ kind: 'user', address }),
        refresh_token: refreshToken,
        id_token: idToken,
        client_info: b64url({ uid, utid: this.credentials.tenantId }),
      },
    };
  }
}
