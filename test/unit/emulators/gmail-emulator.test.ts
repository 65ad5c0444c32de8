/**
 * The Gmail emulator answered with documented raw requests: envelopes, limits, formats,
 * history ids, and the multipart batch endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMailboxes } from '../../../src/emulators/common/mailbox-generator.js';
import { startGmailEmulator, type GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';

describe('Gmail emulator over plain HTTP', () => {
  let emu: GmailEmulator;
  let token: string;
  let user: string;
  const get = (path: string) => fetch(`${emu.url}/gmail/v1/users/me${path}`, { headers: { Authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    emu = await startGmailEmulator({ mailboxes: generateMailboxes({ mailboxes: 1, messagesPerMailbox: 30, seed: 2 }).mailboxes });
    user = emu.store.mailboxes()[0]!.address;
    const code = emu.control.issueAuthCode(user);
    const res = await fetch(emu.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ code, client_id: emu.oauthClient.clientId, client_secret: emu.oauthClient.clientSecret, grant_type: 'authorization_code' }),
    });
    const body = (await res.json()) as { access_token: string; refresh_token: string };
    expect(body.refresh_token).toBeTruthy();
    token = body.access_token;
  });
  afterAll(async () => emu.close());

  it('401 with the authError envelope for a bad token', async () => {
    const res = await fetch(`${emu.url}/gmail/v1/users/me/profile`, { headers: { Authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 401, errors: [{ reason: 'authError', location: 'Authorization' }] } });
  });

  it('lists ids only, omits `messages` when empty, refuses maxResults over 500', async () => {
    const page = (await (await get('/messages?labelIds=INBOX&maxResults=5')).json()) as { messages: object[]; nextPageToken: string };
    expect(page.messages).toHaveLength(5);
    expect(Object.keys(page.messages[0]!).sort()).toEqual(['id', 'threadId']);
    expect(page.nextPageToken).toBeTruthy();
    const empty = (await (await get('/messages?q=before:1990/01/01')).json()) as Record<string, unknown>;
    expect(empty).toEqual({ resultSizeEstimate: 0 });
    expect((await get('/messages?maxResults=501')).status).toBe(400);
  });

  it('serves the four formats: metadata headers filter, base64url raw and parts', async () => {
    const id = emu.control.messageIds(user, 'inbox')[0]!;
    const meta = (await (await get(`/messages/${id}?format=metadata&metadataHeaders=From&metadataHeaders=subject`)).json()) as { payload: { headers: { name: string }[] }; internalDate: string };
    expect(meta.payload.headers.map((h) => h.name).sort()).toEqual(['From', 'Subject']);
    expect(meta.internalDate).toMatch(/^\d+$/);
    const raw = (await (await get(`/messages/${id}?format=raw`)).json()) as { raw: string };
    expect(raw.raw).not.toMatch(/[+/=]/);
    expect(Buffer.from(raw.raw, 'base64url').toString('utf8')).toMatch(/^From: /m);
    const minimal = (await (await get(`/messages/${id}?format=minimal`)).json()) as Record<string, unknown>;
    expect(minimal.payload).toBeUndefined();
  });

  it('history: monotonic gappy ids, 404 once expired', async () => {
    const profile = (await (await get('/profile')).json()) as { historyId: string };
    const added = emu.control.addMessage(user, { folder: 'inbox', receivedAt: '2026-11-05T00:00:00.000Z', headers: [{ name: 'Subject', value: 'h' }], text: 'h', html: null });
    const history = (await (await get(`/history?startHistoryId=${profile.historyId}`)).json()) as { history: { id: string; messagesAdded: { message: { id: string } }[] }[]; historyId: string };
    expect(history.history.map((h) => h.messagesAdded[0]!.message.id)).toEqual([added]);
    expect(Number(history.historyId)).toBeGreaterThan(Number(profile.historyId) + 1);
    emu.control.expireHistory(user);
    const gone = await get(`/history?startHistoryId=${profile.historyId}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: 404, errors: [{ reason: 'notFound' }] } });
  });

  it('batch: multipart in, parts out in order with response- content ids; more than 100 → 400', async () => {
    const ids = emu.control.messageIds(user, 'inbox').slice(0, 3);
    const part = (p: string, i: number) => `--b1\r\nContent-Type: application/http\r\nContent-ID: <item${i}>\r\n\r\nGET ${p}\r\n\r\n`;
    const body = [...ids.map((id, i) => part(`/gmail/v1/users/me/messages/${id}?format=minimal`, i + 1)), part('/gmail/v1/users/me/messages/missing', 4)].join('') + '--b1--';
    const res = await fetch(`${emu.url}/batch/gmail/v1`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'multipart/mixed; boundary=b1' }, body });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect([...text.matchAll(/Content-ID: <(response-item\d)>/g)].map((m) => m[1])).toEqual(['response-item1', 'response-item2', 'response-item3', 'response-item4']);
    expect([...text.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1])).toEqual(['200', '200', '200', '404']);
    const many = Array.from({ length: 101 }, (_, i) => part('/gmail/v1/users/me/profile', i + 1)).join('') + '--b1--';
    const tooMany = await fetch(`${emu.url}/batch/gmail/v1`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'multipart/mixed; boundary=b1' }, body: many });
    expect(tooMany.status).toBe(400);
  });

  it('quota: 403 userRateLimitExceeded once a user spends the window', async () => {
    emu.control.setLimits({ unitsPerWindow: 12, windowMs: 1_000 });
    // Let the units spent by the earlier tests leave the window.
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await get('/messages?maxResults=1')).status);
      expect(statuses).toEqual([200, 200, 403]);
    } finally {
      emu.control.setLimits({ unitsPerWindow: 15_000, windowMs: 60_000 });
    }
  });
});
