/**
 * The Graph emulator answered with documented raw requests (no SDK): token shapes, error
 * envelopes, validation limits, Prefer headers, `$batch` rules, throttling, control routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMailboxes } from '../../../src/emulators/common/mailbox-generator.js';
import { startGraphEmulator, type GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';

describe('Graph emulator over plain HTTP', () => {
  let emu: GraphEmulator;
  let token: string;
  let user: string;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${emu.url}/v1.0${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers } });

  beforeAll(async () => {
    emu = await startGraphEmulator({ mailboxes: generateMailboxes({ mailboxes: 2, messagesPerMailbox: 30, seed: 1 }).mailboxes });
    const form = new URLSearchParams({
      client_id: emu.credentials.clientId, client_secret: emu.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials',
    });
    const res = await fetch(emu.tokenUrl, { method: 'POST', body: form });
    const body = (await res.json()) as { token_type: string; expires_in: number; access_token: string };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3599);
    token = body.access_token;
    user = emu.store.mailboxes()[0]!.address;
  });
  afterAll(async () => emu.close());

  it('refuses a wrong secret with an AADSTS error and a missing token with the Graph envelope', async () => {
    const bad = await fetch(emu.tokenUrl, { method: 'POST', body: new URLSearchParams({ client_id: emu.credentials.clientId, client_secret: 'x', grant_type: 'client_credentials' }) });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_client');
    const res = await fetch(`${emu.url}/v1.0/users`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; innerError: Record<string, string> } };
    expect(body.error.code).toBe('InvalidAuthenticationToken');
    expect(Object.keys(body.error.innerError).sort()).toEqual(['client-request-id', 'date', 'request-id']);
    expect(res.headers.get('request-id')).toBe(body.error.innerError['request-id']);
  });

  it('validates $top, projects $select, and returns headers only when selected', async () => {
    expect((await get('/users?$top=1000')).status).toBe(400);
    expect((await get(`/users/${user}/mailFolders/inbox/messages?$top=1001`)).status).toBe(400);
    const page = (await (await get(`/users/${user}/mailFolders/Inbox/messages?$select=subject`)).json()) as { value: Record<string, unknown>[]; '@odata.nextLink'?: string };
    expect(page.value).toHaveLength(10);
    expect(Object.keys(page.value[0]!).sort()).toEqual(['@odata.etag', 'id', 'subject']);
    expect(page['@odata.nextLink']).toMatch(/\$skiptoken=/);
    const next = new URL(page['@odata.nextLink']!);
    const second = (await (await get(`${next.pathname.slice(5)}${next.search}`)).json()) as { value: Record<string, unknown>[] };
    expect(second.value[0]!.subject).toBeDefined();
    const withHeaders = (await (await get(`/users/${user}/mailFolders/inbox/messages?$select=internetMessageHeaders&$top=1`)).json()) as { value: { internetMessageHeaders: unknown[] }[] };
    expect(withHeaders.value[0]!.internetMessageHeaders.length).toBeGreaterThan(3);
  });

  it('serves text bodies when preferred, with Preference-Applied', async () => {
    const id = emu.control.messageIds(user, 'inbox')[0]!;
    const text = await get(`/users/${user}/messages/${id}?$select=body`, { Prefer: 'outlook.body-content-type="text"' });
    expect(text.headers.get('preference-applied')).toBe('outlook.body-content-type="text"');
    expect(((await text.json()) as { body: { contentType: string } }).body.contentType).toBe('text');
    const html = (await (await get(`/users/${user}/messages/${id}?$select=body`)).json()) as { body: { contentType: string } };
    expect(html.body.contentType).toBe('html');
  });

  it('delta: unknown token → 410 SyncStateNotFound', async () => {
    const res = await get(`/users/${user}/mailFolders/inbox/messages/delta?$deltatoken=nope`);
    expect(res.status).toBe(410);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SyncStateNotFound');
  });

  it('$batch: 21 requests or duplicate ids → 400; dependsOn on a failure → 424', async () => {
    const post = (requests: unknown[]) =>
      fetch(`${emu.url}/v1.0/$batch`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ requests }) });
    const item = (id: string, extra: object = {}) => ({ id, method: 'GET', url: `/users/${user}/mailFolders/inbox/messages?$top=1`, ...extra });
    expect((await post(Array.from({ length: 21 }, (_, i) => item(String(i + 1))))).status).toBe(400);
    expect((await post([item('1'), item('1')])).status).toBe(400);
    const res = await post([{ id: '1', method: 'GET', url: `/users/${user}/messages/AAMkmissing=` }, item('2', { dependsOn: ['1'] })]);
    expect(res.status).toBe(200);
    const { responses } = (await res.json()) as { responses: { id: string; status: number }[] };
    expect(Object.fromEntries(responses.map((r) => [r.id, r.status]))).toEqual({ '1': 404, '2': 424 });
  });

  it('throttles a mailbox over its window with 429 TooManyRequests and a Retry-After, others unaffected', async () => {
    emu.control.setLimits({ requestsPerWindow: 3, windowMs: 60_000 });
    try {
      const other = emu.store.mailboxes()[1]!.address;
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(`/users/${user}/mailFolders/inbox/messages?$top=1`)).status);
      expect(statuses.at(-1)).toBe(429);
      const res = await get(`/users/${user}/mailFolders/inbox/messages?$top=1`);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TooManyRequests');
      expect((await get(`/users/${other}/mailFolders/inbox/messages?$top=1`)).status).toBe(200);
    } finally {
      emu.control.setLimits({ requestsPerWindow: 10_000, windowMs: 600_000 });
    }
  });

  it('authorize: a declined prompt returns access_denied with the state; a code redeemed twice is refused AADSTS54005', async () => {
    // Entra error-code reference (learn.microsoft.com/entra/identity-platform/reference-error-codes):
    // AADSTS65004 user declined consent (sent back as access_denied, RFC 6749 §4.1.2.1), AADSTS54005 code already redeemed.
    const redirect = 'http://127.0.0.1:9/cb';
    const authorize = (extra: Record<string, string> = {}) =>
      fetch(
        `${emu.url}/${emu.credentials.tenantId}/oauth2/v2.0/authorize?${new URLSearchParams({
          client_id: emu.credentials.clientId, response_type: 'code', redirect_uri: redirect, scope: 'Mail.Read offline_access', login_hint: user, state: 's-1', ...extra,
        })}`,
        { redirect: 'manual' },
      );
    await fetch(`${emu.url}/__mock/decline-consent`, { method: 'POST', body: JSON.stringify({ mailbox: user }) });
    const declined = new URL((await authorize()).headers.get('location')!);
    expect([declined.searchParams.get('error'), declined.searchParams.get('state')]).toEqual(['access_denied', 's-1']);
    expect(declined.searchParams.get('error_description')).toMatch(/^AADSTS65004/);
    await fetch(`${emu.url}/__mock/decline-consent`, { method: 'POST', body: JSON.stringify({ mailbox: user, decline: false }) });

    const wrongType = new URL((await authorize({ response_type: 'token' })).headers.get('location')!);
    expect(wrongType.searchParams.get('error')).toBe('unsupported_response_type');

    const code = new URL((await authorize()).headers.get('location')!).searchParams.get('code')!;
    const redeem = () =>
      fetch(emu.tokenUrl, {
        method: 'POST',
        body: new URLSearchParams({ client_id: emu.credentials.clientId, client_secret: emu.credentials.clientSecret, grant_type: 'authorization_code', code, redirect_uri: redirect }),
      });
    expect((await redeem()).status).toBe(200);
    const replay = (await (await redeem()).json()) as { error: string; error_description: string };
    expect(replay.error).toBe('invalid_grant');
    expect(replay.error_description).toMatch(/^AADSTS54005/);
  });

  it('control routes add and delete mail and inject faults over HTTP', async () => {
    const before = emu.control.messageIds(user, 'inbox').length;
    const added = await fetch(`${emu.url}/__mock/messages`, {
      method: 'POST',
      body: JSON.stringify({ mailbox: user, message: { folder: 'inbox', receivedAt: '2026-11-02T00:00:00.000Z', headers: [{ name: 'Subject', value: 'x' }], text: 'x', html: null } }),
    });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: string };
    expect(emu.control.messageIds(user, 'inbox')).toHaveLength(before + 1);
    expect((await fetch(`${emu.url}/__mock/messages/${user}/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(emu.control.messageIds(user, 'inbox')).toHaveLength(before);
    await fetch(`${emu.url}/__mock/faults`, { method: 'POST', body: JSON.stringify({ fault: { type: 'status', status: 503 }, kind: 'users.list' }) });
    expect((await get('/users')).status).toBe(503);
    expect((await get('/users')).status).toBe(200);
  });
});
