/**
 * The emulator's OAuth token endpoint: client credentials and JWT bearer (claims checked: `iss`
 * is the consumer key, `sub` the integration user, `aud` a login host, `exp` in the future; the
 * signature is not verified). No refresh token is issued, as with both real flows.
 */
import { randomBytes } from 'node:crypto';

export interface SalesforceCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
}

export type TokenResult =
  | { ok: true; accessToken: string }
  | { ok: false; status: number; body: { error: string; error_description: string } };

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com'];

function decodeJwtClaims(assertion: string): Record<string, unknown> | null {
  const parts = assertion.split('.');
  if (parts.length !== 3) return null;
  try {
    return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Issues and checks access tokens, each with an expiry on the emulator's clock. */
export class SalesforceTokens {
  private readonly tokens = new Map<string, number>();

  constructor(
    private readonly creds: SalesforceCredentials,
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly loginUrl: () => string,
  ) {}

  /** Mints a token directly (what `emulate` prints for manual use). */
  mint(): string {
    const token = `00DEMULATOR!${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, this.now() + this.ttlMs);
    return token;
  }

  /** Whether `Authorization: Bearer …` carries a live token. */
  check(header: string | undefined): boolean {
    const token = header?.replace(/^Bearer\s+/i, '');
    const expiry = token ? this.tokens.get(token) : undefined;
    return expiry !== undefined && expiry > this.now();
  }

  /** Invalidates every token (a token-expiry fault): the next call gets 401 INVALID_SESSION_ID. */
  expireAll(): void {
    this.tokens.clear();
  }

  /** Handles `POST /services/oauth2/token` with a form body. */
  grant(form: URLSearchParams): TokenResult {
    const fail = (error: string, description: string): TokenResult => ({ ok: false, status: 400, body: { error, error_description: description } });
    const grantType = form.get('grant_type');
    if (grantType === 'client_credentials') {
      if (form.get('client_id') !== this.creds.clientId || form.get('client_secret') !== this.creds.clientSecret) {
        return fail('invalid_client', 'invalid client credentials');
      }
      return { ok: true, accessToken: this.mint() };
    }
    if (grantType === JWT_GRANT) {
      const claims = decodeJwtClaims(form.get('assertion') ?? '');
      if (!claims) return fail('invalid_grant', 'invalid assertion');
      const audiences = [...AUDIENCES, this.loginUrl()];
      if (claims.iss !== this.creds.clientId) return fail('invalid_client_id', 'client identifier invalid');
      if (claims.sub !== this.creds.username) return fail('invalid_grant', "user hasn't approved this consumer");
      if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) return fail('invalid_grant', 'audience is invalid');
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.now()) return fail('invalid_grant', 'expired authorization code');
      return { ok: true, accessToken: this.mint() };
    }
    return fail('unsupported_grant_type', 'grant type not supported');
  }
}
