/**
 * Standing check: what the Graph emulator returns fits Microsoft's own typings
 * (`@microsoft/microsoft-graph-types`, generated from the Graph metadata; read from the installed
 * package). Every property of a user, mail folder, message (default set, every emulated property,
 * delta rows sparse or full) exists in the vendor type with the right JSON kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import { misfits, readVendorShapes, type Shape } from '../../helpers/vendor-types.js';
import { startSeededGraph } from './graph-harness.js';

type Json = Record<string, unknown>;

describe('Graph emulator against the vendor typings', () => {
  let emu: GraphEmulator;
  let token: string;
  let userId: string;
  let shapes: Record<string, Shape>;

  const get = async (path: string, headers: Record<string, string> = {}): Promise<Json> => {
    const res = await fetch(path.startsWith('http') ? path : `${emu.url}/v1.0${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as Json;
  };

  /** A message and the objects inside it, each against its own vendor type. */
  const messageMisfits = (m: Json): string[] => {
    const out = misfits(m, shapes.message!);
    const recipients = ['from', 'sender', 'toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo']
      .flatMap((k) => (Array.isArray(m[k]) ? (m[k] as Json[]) : m[k] ? [m[k] as Json] : []));
    for (const r of recipients) {
      out.push(...misfits(r, shapes.recipient!));
      if (r.emailAddress) out.push(...misfits(r.emailAddress as Json, shapes.emailAddress!));
    }
    for (const k of ['body', 'uniqueBody']) if (m[k]) out.push(...misfits(m[k] as Json, shapes.itemBody!));
    for (const h of (m.internetMessageHeaders as Json[] | undefined) ?? []) out.push(...misfits(h, shapes.header!));
    return out;
  };

  beforeAll(async () => {
    shapes = readVendorShapes('@microsoft/microsoft-graph-types', {
      user: 'User', mailFolder: 'MailFolder', message: 'Message', recipient: 'Recipient',
      emailAddress: 'EmailAddress', itemBody: 'ItemBody', header: 'InternetMessageHeader',
    });
    emu = await startSeededGraph({ mailboxes: 1, messagesPerMailbox: 20, seed: 71 });
    const form = new URLSearchParams({
      client_id: emu.credentials.clientId, client_secret: emu.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials',
    });
    token = ((await (await fetch(emu.tokenUrl, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
    userId = emu.store.mailboxes()[0]!.id;
  });
  afterAll(async () => emu.close());

  it('the vendor typings were read (a check that reads nothing proves nothing)', () => {
    expect(shapes.message!.get('internetMessageHeaders')).toEqual(new Set(['array', 'null']));
    expect(shapes.message!.get('isRead')).toEqual(new Set(['boolean', 'null']));
    expect(shapes.user!.has('userPrincipalName')).toBe(true);
    expect(misfits({ id: 1, notAVendorProperty: 'x' }, shapes.message!)).toHaveLength(2);
  });

  it('users, one user and mail folders fit User and MailFolder', async () => {
    const list = (await get('/users')).value as Json[];
    for (const u of list) expect(misfits(u, shapes.user!)).toEqual([]);
    expect(misfits(await get(`/users/${userId}`), shapes.user!)).toEqual([]);
    for (const f of (await get(`/users/${userId}/mailFolders`)).value as Json[]) expect(misfits(f, shapes.mailFolder!)).toEqual([]);
  });

  it('messages: the default set, every emulated property, text bodies', async () => {
    const page = (await get(`/users/${userId}/mailFolders/inbox/messages`)).value as Json[];
    expect(page.length).toBeGreaterThan(0);
    for (const m of page) expect(messageMisfits(m)).toEqual([]);
    const id = page[0]!.id as string;
    const everything = await get(`/users/${userId}/messages/${id}?$select=${[...shapes.message!.keys()].join(',')}`);
    expect(Object.keys(everything).length).toBeGreaterThan(20);
    expect(messageMisfits(everything)).toEqual([]);
    expect(messageMisfits(await get(`/users/${userId}/messages/${id}`, { Prefer: 'outlook.body-content-type="text"' }))).toEqual([]);
  });

  it('delta rows, full, sparse and removed, fit Message', async () => {
    const first = await get(`/users/${userId}/mailFolders/inbox/messages/delta?$select=subject,from,isRead,internetMessageHeaders`, { Prefer: 'odata.maxpagesize=1000' });
    for (const m of first.value as Json[]) expect(messageMisfits(m)).toEqual([]);
    const [a, b] = (first.value as Json[]).map((m) => m.id as string);
    emu.control.setRead(emu.store.mailboxes()[0]!.address, a!, false);
    emu.control.moveMessage(emu.store.mailboxes()[0]!.address, b!, 'other');
    const next = await get(first['@odata.deltaLink'] as string);
    expect((next.value as Json[]).length).toBe(2);
    for (const m of next.value as Json[]) expect(messageMisfits(m)).toEqual([]);
  });
});
