/**
 * Standing check: what the Gmail emulator returns fits Google's own generated types
 * (`@googleapis/gmail` `gmail_v1.Schema$…`, generated from the Gmail discovery document; read
 * from the installed package). Profile, labels, message lists, messages in every format with
 * their parts, headers and bodies, and history records of every kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import { delegatedJwt } from '../../../src/providers/gmail/gmail-tokens.js';
import { misfits, readVendorShapes, type Shape } from '../../helpers/vendor-types.js';
import { startSeededGmail } from './gmail-harness.js';

type Json = Record<string, unknown>;

describe('Gmail emulator against the vendor types', () => {
  let emu: GmailEmulator;
  let user: string;
  let token: string;
  let shapes: Record<string, Shape>;

  const get = async (path: string): Promise<Json> => {
    const res = await fetch(`${emu.url}/gmail/v1/users/${user}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as Json;
  };

  const partMisfits = (part: Json): string[] => [
    ...misfits(part, shapes.part!),
    ...((part.headers as Json[] | undefined) ?? []).flatMap((h) => misfits(h, shapes.header!)),
    ...(part.body ? misfits(part.body as Json, shapes.partBody!) : []),
    ...((part.parts as Json[] | undefined) ?? []).flatMap(partMisfits),
  ];
  const messageMisfits = (m: Json): string[] => [...misfits(m, shapes.message!), ...(m.payload ? partMisfits(m.payload as Json) : [])];

  beforeAll(async () => {
    shapes = readVendorShapes(
      '@googleapis/gmail',
      {
        profile: 'Schema$Profile', labels: 'Schema$ListLabelsResponse', label: 'Schema$Label',
        list: 'Schema$ListMessagesResponse', message: 'Schema$Message', part: 'Schema$MessagePart',
        header: 'Schema$MessagePartHeader', partBody: 'Schema$MessagePartBody',
        historyList: 'Schema$ListHistoryResponse', history: 'Schema$History',
        added: 'Schema$HistoryMessageAdded', deleted: 'Schema$HistoryMessageDeleted',
        labelAdded: 'Schema$HistoryLabelAdded', labelRemoved: 'Schema$HistoryLabelRemoved',
      },
      'build/v1.d.ts',
    );
    emu = await startSeededGmail({ mailboxes: 1, messagesPerMailbox: 20, seed: 81 });
    user = emu.store.mailboxes()[0]!.address;
    token = (await delegatedJwt(emu.serviceAccount, user, emu.url).getAccessToken()).token!;
  });
  afterAll(async () => emu.close());

  it('the vendor types were read (a check that reads nothing proves nothing)', () => {
    expect(shapes.message!.get('labelIds')).toEqual(new Set(['array', 'null']));
    expect(shapes.history!.has('labelsAdded')).toBe(true);
    expect(misfits({ id: 1, notAVendorProperty: 'x' }, shapes.message!)).toHaveLength(2);
  });

  it('profile, labels and message lists fit their schemas', async () => {
    expect(misfits(await get('/profile'), shapes.profile!)).toEqual([]);
    const labels = await get('/labels');
    expect(misfits(labels, shapes.labels!)).toEqual([]);
    for (const l of labels.labels as Json[]) expect(misfits(l, shapes.label!)).toEqual([]);
    const list = await get('/messages?maxResults=5');
    expect(misfits(list, shapes.list!)).toEqual([]);
    for (const m of list.messages as Json[]) expect(misfits(m, shapes.message!)).toEqual([]);
  });

  it('messages in every format fit Message, MessagePart, headers and bodies', async () => {
    const id = ((await get('/messages?maxResults=1')).messages as Json[])[0]!.id as string;
    for (const format of ['minimal', 'metadata', 'full', 'raw']) {
      expect(messageMisfits(await get(`/messages/${id}?format=${format}`)), format).toEqual([]);
    }
  });

  it('history records of every kind fit History and its typed entries', async () => {
    const start = (await get('/profile')).historyId as string;
    const ids = emu.control.messageIds(user, 'inbox');
    emu.control.setRead(user, ids[0]!, false);
    emu.control.moveMessage(user, ids[1]!, 'deleted');
    emu.control.deleteMessage(user, ids[2]!);
    emu.control.addMessage(user, {
      folder: 'inbox', receivedAt: new Date().toISOString(), text: 'hi', html: null,
      headers: [{ name: 'From', value: 'a@acme.com' }, { name: 'To', value: user }, { name: 'Message-ID', value: '<fit-1@acme.com>' }],
    });
    const page = await get(`/history?startHistoryId=${start}`);
    expect(misfits(page, shapes.historyList!)).toEqual([]);
    const records = page.history as Json[];
    expect(records).toHaveLength(4);
    const entry: Record<string, Shape> = { messagesAdded: shapes.added!, messagesDeleted: shapes.deleted!, labelsAdded: shapes.labelAdded!, labelsRemoved: shapes.labelRemoved! };
    for (const r of records) {
      expect(misfits(r, shapes.history!)).toEqual([]);
      for (const [key, shape] of Object.entries(entry)) {
        for (const e of (r[key] as Json[] | undefined) ?? []) {
          expect(misfits(e, shape)).toEqual([]);
          expect(misfits(e.message as Json, shapes.message!)).toEqual([]);
        }
      }
      for (const m of r.messages as Json[]) expect(misfits(m, shapes.message!)).toEqual([]);
    }
  });
});
