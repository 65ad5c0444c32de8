/**
 * The Graph SDK client as we run it: a middleware chain of our own bearer/timeout middleware and
 * the SDK's HTTP handler. The SDK's AuthenticationHandler only attaches tokens to https Graph
 * hosts (or `customHosts`); a custom chain through `Client.initWithMiddleware` is the supported
 * way to authenticate every request, so production and the emulator take the same path.
 * Retries are ours (bottleneck + Retry-After), so the SDK's RetryHandler is left out.
 */
import { Client, HTTPMessageHandler, type Middleware } from '@microsoft/microsoft-graph-client';
import type { Context } from '@microsoft/microsoft-graph-client';
import type { TokenSource } from './graph-tokens.js';

class BearerTimeoutMiddleware implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly tokens: TokenSource,
    private readonly timeoutMs: number,
  ) {}

  async execute(context: Context): Promise<void> {
    const token = await this.tokens.token();
    const options = (context.options ??= {});
    const headers = options.headers;
    if (headers instanceof Headers) headers.set('Authorization', `Bearer ${token}`);
    else options.headers = { ...(headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` };
    // A hung response must end as an error we can retry, not stall the mailbox forever.
    options.signal = AbortSignal.timeout(this.timeoutMs);
    await this.next!.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** A Graph client whose requests carry tokens from `tokens` and time out after `timeoutMs`. */
export function createGraphClient(tokens: TokenSource, opts: { baseUrl: string; timeoutMs: number }): Client {
  const first = new BearerTimeoutMiddleware(tokens, opts.timeoutMs);
  first.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({ middleware: first, baseUrl: opts.baseUrl, defaultVersion: 'v1.0' });
}

/** A next/delta link as the path the SDK expects (origin and version stripped). */
export function linkToPath(link: string): string {
  if (!/^https?:\/\//i.test(link)) return link;
  const url = new URL(link);
  return `${url.pathname.replace(/^\/(v1\.0|beta)(?=\/)/, '')}${url.search}`;
}
