/**
 * An MSAL network module that sends identity requests for the given hosts to another origin.
 * MSAL only accepts `https://` authorities, so pointing it at a local emulator is done here,
 * through MSAL's supported `system.networkClient` option, while every other part of the flow
 * (authority, discovery, token requests and responses) stays the production one.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export class RedirectingNetworkClient implements INetworkModule {
  private readonly hosts: Set<string>;

  constructor(
    private readonly targetOrigin: string,
    hosts: readonly string[] = ['login.microsoftonline.com'],
    private readonly timeoutMs = 10_000,
  ) {
    this.hosts = new Set(hosts);
  }

  private rewrite(url: string): string {
    const parsed = new URL(url);
    if (!this.hosts.has(parsed.host)) return url;
    const target = new URL(this.targetOrigin);
    return `${target.origin}${parsed.pathname}${parsed.search}`;
  }

  private async send<T>(url: string, init: RequestInit, timeout?: number): Promise<NetworkResponse<T>> {
    const res = await fetch(this.rewrite(url), { ...init, signal: AbortSignal.timeout(timeout ?? this.timeoutMs) });
    const text = await res.text();
    return {
      headers: Object.fromEntries(res.headers.entries()),
      body: (text ? JSON.parse(text) : {}) as T,
      status: res.status,
    };
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>(url, { method: 'GET', headers: options?.headers }, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, { method: 'POST', headers: options?.headers, body: options?.body });
  }
}
