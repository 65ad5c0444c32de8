/**
 * The ops HTTP server of `mailbridge run --http`: `/healthz` (no token), `/metrics` and the status
 * page `/` (token). The token comes as `Authorization: Bearer <token>`, or once as `?token=`,
 * which sets an HttpOnly, SameSite=Strict cookie holding a value derived from it (never the token)
 * and redirects to the same page without the query. Tokens are compared in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpsMetrics } from './metrics.js';
import type { OpsState } from './ops-state.js';
import { renderStatusPage, STYLE_HASH } from './status-page.js';

export const COOKIE_NAME = 'mailbridge_session';
/** Shortest token accepted: a guessable token guards nothing. */
export const MIN_TOKEN_LENGTH = 16;

export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src '${STYLE_HASH}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // The first visit carries ?token=: never let it travel on as a referrer.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export interface OpsHttpOptions {
  host: string;
  port: number;
  token: string;
  state: OpsState;
  metrics: OpsMetrics;
  now?: () => Date;
}

export interface OpsHttpServer {
  url: string;
  close(): Promise<void>;
}

/** Constant-time equality of two strings of any length (both hashed to 32 bytes first). */
export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function cookieValue(token: string): string {
  return createHmac('sha256', token).update('mailbridge status page session').digest('base64url');
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, ...headers });
  res.end(body);
}

export function startOpsHttp(opts: OpsHttpOptions): Promise<OpsHttpServer> {
  if (opts.token.length < MIN_TOKEN_LENGTH) throw new Error(`http.token: at least ${MIN_TOKEN_LENGTH} characters`);
  const expectedCookie = cookieValue(opts.token);
  const now = opts.now ?? (() => new Date());

  const authorized = (req: IncomingMessage): boolean => {
    const auth = req.headers.authorization ?? '';
    if (/^bearer /i.test(auth) && sameSecret(auth.slice(7).trim(), opts.token)) return true;
    const cookie = cookies(req).get(COOKIE_NAME);
    return cookie !== undefined && sameSecret(cookie, expectedCookie);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'read-only: GET only\n', { allow: 'GET, HEAD' });

    if (url.pathname === '/healthz') {
      const health = opts.state.health();
      return send(res, health.ok ? 200 : 503, 'text/plain; charset=utf-8', health.ok ? 'ok\n' : `failing\n${health.problems.join('\n')}\n`);
    }
    if (url.pathname !== '/' && url.pathname !== '/metrics') return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');

    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) {
      if (!sameSecret(queryToken, opts.token)) return send(res, 401, 'text/plain; charset=utf-8', 'wrong token\n', { 'www-authenticate': 'Bearer' });
      url.searchParams.delete('token');
      return send(res, 303, 'text/plain; charset=utf-8', 'signed in\n', {
        'set-cookie': `${COOKIE_NAME}=${expectedCookie}; HttpOnly; SameSite=Strict; Path=/`,
        location: `${url.pathname}${url.search}`,
      });
    }
    if (!authorized(req)) {
      return send(res, 401, 'text/plain; charset=utf-8', 'token required: Authorization: Bearer <token>, or open /?token=<token> once\n', { 'www-authenticate': 'Bearer' });
    }
    if (url.pathname === '/metrics') {
      const m = await opts.metrics.text();
      return send(res, 200, m.contentType, m.body);
    }
    return send(res, 200, 'text/html; charset=utf-8', renderStatusPage(opts.state.all(), now()));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy(err instanceof Error ? err : undefined);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${host}:${addr.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
