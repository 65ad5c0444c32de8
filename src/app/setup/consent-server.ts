/**
 * `mailbridge connect --serve`: the redirect endpoint of user-by-user consent, run by mailbridge
 * itself. The identity service sends the user's browser back to the configured redirect URI with
 * `code` and `state` (or `error`); the state names the waiting consent link, whose PKCE verifier
 * redeems the code (`completeUser`), and the refresh token lands encrypted in the tenant's
 * database. The user sees a plain page: connected, or what went wrong and what to do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { html } from '../ops/html.js';
import { CONSENT_LINK_DAYS, completeUser, ConnectError, dropPendingConsent, findPendingConsent } from '../connect.js';
import type { OpenTenant } from '../open-tenant.js';

export type ConsentResult = 'connected' | 'denied' | 'unknown-state' | 'expired' | 'refused' | 'bad-request' | 'not-found';

export interface ConsentOutcome {
  status: number;
  result: ConsentResult;
  /** The user the link was for, when the state named one. */
  address?: string;
  title: string;
  message: string;
}

const ASK_AGAIN = 'Ask your mailbridge administrator for a new consent link.';

/** What the redirect `url` (path and query) means for the tenant; completes the consent when it can. */
export async function handleConsentRedirect(tenant: OpenTenant, redirectPath: string, url: URL): Promise<ConsentOutcome> {
  if (url.pathname !== redirectPath) {
    return { status: 404, result: 'not-found', title: 'Not found', message: 'This address is not a mailbridge consent page.' };
  }
  const state = url.searchParams.get('state');
  if (!state) {
    return { status: 400, result: 'bad-request', title: 'This link is incomplete', message: `The address carries no state, so it cannot be tied to a consent link. ${ASK_AGAIN}` };
  }
  const found = await findPendingConsent(tenant, state);
  if (!found) {
    return { status: 400, result: 'unknown-state', title: 'This consent link is not valid', message: `It is unknown, or it was already used. ${ASK_AGAIN}` };
  }
  const { address, pending } = found;
  const ageMs = tenant.clock.now().getTime() - Date.parse(pending.invitedAt);
  if (ageMs > CONSENT_LINK_DAYS * 86_400_000) {
    await dropPendingConsent(tenant, address);
    await tenant.stores.audit.audit('consent-server', 'connect.expired', address);
    return { status: 400, result: 'expired', address, title: 'This consent link has expired', message: `Links are valid for ${CONSENT_LINK_DAYS} days. ${ASK_AGAIN}` };
  }
  const error = url.searchParams.get('error');
  if (error) {
    // The link stays valid: the user may open it again and accept.
    await tenant.stores.audit.audit('consent-server', 'connect.declined', address, { error });
    const declined = error === 'access_denied';
    return {
      status: 400,
      result: 'denied',
      address,
      title: declined ? 'Consent was not given' : 'Sign-in did not complete',
      message: declined
        ? `${address} is not connected: mailbridge reads no mail without your consent. To connect, open the consent link again and accept.`
        : `The sign-in service answered "${error}"${url.searchParams.get('error_description') ? `: ${url.searchParams.get('error_description')}` : ''}. Open the consent link again, or tell your administrator.`,
    };
  }
  const code = url.searchParams.get('code');
  if (!code) return { status: 400, result: 'bad-request', address, title: 'This link is incomplete', message: `The address carries no code. Open the consent link again.` };
  try {
    await completeUser(tenant, address, code, { state, actor: 'consent-server' });
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    return { status: 400, result: 'refused', address, title: 'Connecting did not complete', message: `${err.message}.` };
  }
  return { status: 200, result: 'connected', address, title: 'You are connected', message: `${address} is connected to mailbridge. You can close this page.` };
}

/** The page the user's browser shows: plain, every value escaped. */
export function consentPage(outcome: ConsentOutcome): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${outcome.title} · mailbridge</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>${outcome.title}</h1>
<p>${outcome.message}</p>
</body></html>
`.toString();
}

export interface ConsentServer {
  /** `http://host:port/path` the server answers on. */
  url: string;
  close(): Promise<void>;
}

export interface ConsentServerOptions {
  host: string;
  port: number;
  /** The path of the configured redirect URI: the only one answered. */
  path: string;
  /** Told about each redirect handled (no code or token in it). */
  onOutcome?: (outcome: ConsentOutcome) => void;
}

/** Starts the redirect endpoint on host:port. */
export async function startConsentServer(tenant: OpenTenant, opts: ConsentServerOptions): Promise<ConsentServer> {
  const respond = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let outcome: ConsentOutcome;
    if (req.method !== 'GET') {
      outcome = { status: 405, result: 'bad-request', title: 'Method not allowed', message: 'Open the consent link in a browser.' };
    } else {
      try {
        outcome = await handleConsentRedirect(tenant, opts.path, new URL(req.url ?? '/', 'http://localhost'));
      } catch (err) {
        outcome = { status: 500, result: 'refused', title: 'Connecting did not complete', message: `mailbridge could not finish (${(err as Error).message}). ${ASK_AGAIN}` };
      }
    }
    opts.onOutcome?.(outcome);
    // No caching, no referrer: the address carried a one-time code.
    res.writeHead(outcome.status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    res.end(consentPage(outcome));
  };
  const server: Server = createServer((req, res) => void respond(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new ConnectError(`--listen ${opts.host}:${opts.port}: cannot listen there (${err.code ?? err.message}): choose another address with --listen`, '--listen')),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}${opts.path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Where `--serve` listens by default: the redirect URI's own port on a local host, else 127.0.0.1:8765 (behind a proxy). */
export function defaultListen(redirectUri: string): { host: string; port: number } {
  const u = new URL(redirectUri);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  const port = u.port ? Number(u.port) : 8765;
  return { host: local ? (u.hostname === '[::1]' ? '::1' : u.hostname) : '127.0.0.1', port: local ? port : 8765 };
}

/** `host:port` as --listen takes it; a ConnectError naming the flag otherwise. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new ConnectError(`--listen "${value}": expected host:port, e.g. 127.0.0.1:8765`, '--listen');
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
