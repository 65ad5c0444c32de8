/**
 * Google OAuth for the Gmail emulator: a service account whose RS256 JWT assertions (with `sub`
 * for domain-wide delegation) are verified against its public key, plus the per-user web flow
 * (authorization code with PKCE, refresh tokens). Access tokens are opaque strings.
 */
import { createHash, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse } from '../common/http-emulator.js';
import { digest, type MailStore } from '../common/mail-store.js';

/** The service-account key file a Workspace admin would download (fields google-auth uses). */
export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id: string;
  client_id: string;
  token_uri: string;
}

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

interface Issued {
  address: string;
  expiresAt: number;
  generation: number;
}

const TOKEN_AUD = 'https://oauth2.googleapis.com/token';

function oauthError(status: number, error: string, description: string): EmulatorResponse {
  return { status, body: { error, error_description: description } };
}

export class GmailAuthority {
  readonly serviceAccount: ServiceAccountKey;
  readonly oauthClient: OAuthClientCredentials = { clientId: 'emulator-client.apps.googleusercontent.com', clientSecret: 'emulator-secret' };
  private readonly publicKey: KeyObject;
  private readonly access = new Map<string, Issued>();
  private readonly refresh = new Map<string, string>();
  private readonly codes = new Map<string, { address: string; challenge: string | null }>();
  private readonly revoked = new Set<string>();
  private serial = 0;
  private generation = 0;

  constructor(private readonly store: MailStore) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKey = publicKey;
    this.serviceAccount = {
      type: 'service_account',
      client_email: 'mailbridge@emulator-project.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      private_key_id: digest('sa-key', 40),
      client_id: '100000000000000000001',
      token_uri: TOKEN_AUD,
    };
  }

  expireAccessTokens(): void {
    this.generation += 1;
  }

  revokeUser(address: string): void {
    this.revoked.add(address.toLowerCase());
  }

  restoreUser(address: string): void {
    this.revoked.delete(address.toLowerCase());
  }

  issueCode(address: string, challenge: string | null = null): string {
    this.serial += 1;
    const code = `4/${digest(`code#${address}#${this.serial}`, 30)}`;
    this.codes.set(code, { address: address.toLowerCase(), challenge });
    return code;
  }

  /** The user a bearer token acts as, or null. */
  authenticate(req: EmulatorRequest): string | null {
    const header = String(req.headers.authorization ?? '');
    const issued = this.access.get(header.startsWith('Bearer ') ? header.slice(7) : '');
    if (!issued || issued.generation !== this.generation || issued.expiresAt < Date.now()) return null;
    if (this.revoked.has(issued.address)) return null;
    return issued.address;
  }

  /** `POST /token` and `GET /o/oauth2/v2/auth`; undefined for other paths. */
  handle(req: EmulatorRequest): EmulatorResponse | undefined {
    if (req.path === '/token' && req.method === 'POST') return this.token(req);
    if (req.path === '/o/oauth2/v2/auth' && req.method === 'GET') return this.authorize(req);
    return undefined;
  }

  private authorize(req: EmulatorRequest): EmulatorResponse {
    const redirect = req.query.get('redirect_uri');
    if (req.query.get('client_id') !== this.oauthClient.clientId || !redirect) return oauthError(400, 'invalid_request', 'Invalid client or redirect_uri');
    const user = (req.query.get('login_hint') ?? '').toLowerCase();
    if (!this.store.mailbox(user)) return oauthError(400, 'invalid_request', 'Unknown login_hint');
    const target = new URL(redirect);
    target.searchParams.set('code', this.issueCode(user, req.query.get('code_challenge')));
    const state = req.query.get('state');
    if (state) target.searchParams.set('state', state);
    target.searchParams.set('scope', req.query.get('scope') ?? '');
    return { status: 302, headers: { Location: target.toString() } };
  }

  private token(req: EmulatorRequest): EmulatorResponse {
    const type = String(req.headers['content-type'] ?? '');
    const form = type.includes('json')
      ? new URLSearchParams(req.json<Record<string, string>>())
      : new URLSearchParams(req.body.toString('utf8'));
    const grant = form.get('grant_type');
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') return this.jwtBearer(form.get('assertion') ?? '');
    if (form.get('client_id') !== this.oauthClient.clientId || form.get('client_secret') !== this.oauthClient.clientSecret) {
      return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
    }
    if (grant === 'authorization_code') {
      const entry = this.codes.get(form.get('code') ?? '');
      if (!entry) return oauthError(400, 'invalid_grant', 'Malformed auth code.');
      this.codes.delete(form.get('code') ?? '');
      if (entry.challenge) {
        const computed = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
        if (computed !== entry.challenge) return oauthError(400, 'invalid_grant', 'Invalid code verifier.');
      }
      this.serial += 1;
      const refreshToken = `1//${digest(`rt#${entry.address}#${this.serial}`, 40)}`;
      this.refresh.set(refreshToken, entry.address);
      return { status: 200, body: { ...this.tokenBody(entry.address), refresh_token: refreshToken } };
    }
    if (grant === 'refresh_token') {
      const address = this.refresh.get(form.get('refresh_token') ?? '');
      if (!address || this.revoked.has(address)) return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
      return { status: 200, body: this.tokenBody(address) };
    }
    return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grant}`);
  }

  /** Domain-wide delegation: a signed assertion naming the user in `sub`. */
  private jwtBearer(assertion: string): EmulatorResponse {
    const [head, payload, signature] = assertion.split('.');
    if (!head || !payload || !signature) return oauthError(400, 'invalid_grant', 'Invalid JWT.');
    const ok = verify('RSA-SHA256', Buffer.from(`${head}.${payload}`), this.publicKey, Buffer.from(signature, 'base64url'));
    if (!ok) return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (claims.iss !== this.serviceAccount.client_email || claims.aud !== TOKEN_AUD) return oauthError(400, 'invalid_grant', 'Invalid issuer or audience.');
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return oauthError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token.');
    const subject = String(claims.sub ?? '').toLowerCase();
    if (!this.store.mailbox(subject)) return oauthError(400, 'invalid_grant', 'Invalid email or User ID');
    if (this.revoked.has(subject)) return oauthError(401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method.');
    return { status: 200, body: this.tokenBody(subject) };
  }

  private tokenBody(address: string): Record<string, unknown> {
    this.serial += 1;
    const token = `ya29.${digest(`at#${address}#${this.serial}`, 48)}`;
    this.access.set(token, { address, expiresAt: Date.now() + 3_599_000, generation: this.generation });
    return { access_token: token, expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/gmail.readonly' };
  }
}
