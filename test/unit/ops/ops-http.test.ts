/**
 * The ops HTTP server on a real tenant database: /healthz without a token (200, then 503 naming
 * the problem, never an address), /metrics and / behind the token (Bearer, or ?token= once then
 * an HttpOnly SameSite=Strict cookie), the strict CSP, and data escaped on the page.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenTenant } from '../../../src/app/open-tenant.js';
import { silentLogger } from '../../../src/app/logger.js';
import { COOKIE_NAME, sameSecret } from '../../../src/app/ops/http-server.js';
import { httpToken, Ops, parseListen } from '../../../src/app/ops/ops.js';
import { ConfigError, parseConfig } from '../../../src/config/load-config.js';
import { openOpsTenant, opsConfig, roundResult, TOKEN, totals } from './ops-fixture.js';

const ANN = 'ann@acme-seller.example';
const BOB = 'bob@acme-seller.example';

describe('the ops HTTP server', () => {
  let tenant: OpenTenant;
  let ops: Ops;
  let url: string;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeEach(async () => {
    const config = opsConfig();
    tenant = await openOpsTenant(config);
    ops = new Ops(config, silentLogger(), () => ({ queued: 2, running: 1 }));
    url = await ops.listen({ host: '127.0.0.1', port: 0 }, TOKEN);
  });
  afterEach(async () => {
    await ops.close();
    await tenant.close();
  });

  it('/healthz needs no token: 200 while rounds succeed, 503 naming the tenant when a mailbox fails', async () => {
    tenant.admin.recordRun(ANN, 'id-ann', null, {});
    tenant.admin.recordRun(BOB, 'id-bob', null, {});
    await ops.roundFinished(tenant, roundResult());
    let res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');

    tenant.admin.recordRun(BOB, 'id-bob', `mailbox ${BOB} answered 403`, { code: 'permission' });
    await ops.roundFinished(tenant, roundResult(totals({ failed: 1 })));
    res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(body).toContain('tenant acme: 1 mailbox failing');
    // Served to anyone who can reach the port: no address.
    expect(body).not.toContain('@');
  });

  it('/healthz is 503 with the reason when the last round failed', async () => {
    await ops.observe(tenant);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await ops.roundFailed('acme', tenant, Object.assign(new Error('CRM login refused'), { name: 'CrmLoginError' }));
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('tenant acme: last round failed (CrmLoginError)');
  });

  it('/metrics and / answer 401 without the token, or with a wrong one', async () => {
    await ops.observe(tenant);
    for (const path of ['/', '/metrics']) {
      expect((await fetch(`${url}${path}`)).status).toBe(401);
      expect((await fetch(`${url}${path}`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
      expect((await fetch(`${url}${path}`, { headers: { cookie: `${COOKIE_NAME}=${TOKEN}` } })).status).toBe(401);
    }
    expect((await fetch(`${url}/?token=nope`, { redirect: 'manual' })).status).toBe(401);
  });

  it('?token= once sets an HttpOnly SameSite=Strict cookie (not the token) and redirects without it', async () => {
    await ops.observe(tenant);
    const first = await fetch(`${url}/?token=${TOKEN}`, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const pair = cookie.split(';')[0]!;
    const page = await fetch(`${url}/`, { headers: { cookie: pair } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Tenant acme');
  });

  it('/metrics: rounds, messages by reason, lag quantiles, budget, queue depth; no label holds an address', async () => {
    tenant.admin.recordRun(ANN, 'id-ann', null, {});
    tenant.admin.recordRun(BOB, 'id-bob', 'token expired', { code: 'auth' });
    tenant.admin.setSetting('crm.limits', JSON.stringify({ dailyUsed: 1200, dailyMax: 15000, at: new Date().toISOString() }));
    await ops.roundFinished(tenant, roundResult(totals({ failed: 1 })));
    await ops.roundFinished(tenant, roundResult());
    const res = await fetch(`${url}/metrics`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('mailbridge_rounds_total{tenant="acme",outcome="partial"} 1');
    expect(text).toContain('mailbridge_rounds_total{tenant="acme",outcome="ok"} 1');
    expect(text).toContain('mailbridge_messages_total{tenant="acme",reason="imported"} 6');
    expect(text).toContain('mailbridge_messages_total{tenant="acme",reason="internal-only"} 4');
    expect(text).toContain('mailbridge_messages_total{tenant="acme",reason="duplicate"} 2');
    expect(text).toMatch(/mailbridge_mailbox_sync_lag_seconds\{tenant="acme",quantile="1"\} \d/);
    expect(text).toContain('mailbridge_api_daily_calls_remaining{tenant="acme",service="salesforce"} 13800');
    expect(text).toContain('mailbridge_queue_jobs{state="queued"} 2');
    expect(text).toContain('mailbridge_mailboxes_failing{tenant="acme"} 1');
    expect(text).toContain('mailbridge_tenant_healthy{tenant="acme"} 0');
    expect(text).not.toContain('@');
  });

  it('the page: strict CSP whose style hash matches the inline style, failing mailbox first, <script> escaped', async () => {
    tenant.admin.recordRun(ANN, 'id-ann', null, {});
    tenant.admin.recordRun(BOB, 'id-bob', '<script>alert("error")</script>', { code: 'transient' });
    tenant.admin.audit('<script>alert("actor")</script>', 'blocklist.add', '<img src=x onerror=alert(1)>', { phrase: '</code><script>x</script>' });
    await ops.observe(tenant);
    const res = await fetch(`${url}/`, { headers: auth });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const page = await res.text();
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(page).not.toMatch(/<script|<img/i);
    expect(page).toContain('&lt;script&gt;alert(&quot;error&quot;)&lt;/script&gt;');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.indexOf(BOB)).toBeLessThan(page.indexOf(ANN));
  });
});

describe('the page token and listen address', () => {
  it('comes from http.token, else MAILBRIDGE_HTTP_TOKEN; missing or short is an error naming http.token', () => {
    const config = opsConfig();
    expect(httpToken(config, { MAILBRIDGE_HTTP_TOKEN: TOKEN })).toBe(TOKEN);
    expect(httpToken({ http: { token: { env: 'PAGE_TOKEN' } } }, { PAGE_TOKEN: TOKEN })).toBe(TOKEN);
    expect(() => httpToken(config, {})).toThrow(ConfigError);
    expect(() => httpToken(config, {})).toThrow(/http\.token.*MAILBRIDGE_HTTP_TOKEN/);
    expect(() => httpToken({ http: { token: 'short' } }, {})).toThrow(/http\.token: at least 16/);
  });

  it('compares in constant time whatever the lengths', () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    expect(sameSecret(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(sameSecret('', TOKEN)).toBe(false);
  });

  it('http.listen must be host:port', () => {
    expect(parseListen('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen('9464')).toBeNull();
    expect(parseListen('localhost:99999')).toBeNull();
    const config = opsConfig();
    expect(() => parseConfig({ tenants: config.tenants, http: { listen: 'everywhere' } }, config.file)).toThrow(/http\.listen/);
  });
});
