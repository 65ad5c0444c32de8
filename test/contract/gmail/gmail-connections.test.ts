/**
 * Both connection modes through google-auth-library against the emulator's token endpoint:
 * company-wide (service-account JWT with `sub`) and user-by-user (code + PKCE, refresh token in
 * the token store); a revoked user stops while the others go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMailboxes } from '../../../src/emulators/common/mailbox-generator.js';
import { startGmailEmulator, type GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import { MemoryTokenStore } from '../../../src/providers/common/token-store.js';
import type { GmailProvider } from '../../../src/providers/gmail/gmail-provider.js';
import { providerFor, scanAll, startSeededGmail } from './gmail-harness.js';

const REDIRECT = 'http://localhost:3000/oauth/google/callback';

async function consent(emu: GmailEmulator, provider: GmailProvider, address: string): Promise<void> {
  const { url, codeVerifier } = await provider.authorizationUrl(address, REDIRECT, 'st-2');
  const authorize = new URL(url);
  expect(authorize.searchParams.get('access_type')).toBe('offline');
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  const res = await fetch(`${emu.url}${authorize.pathname}${authorize.search}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  await provider.completeAuthorization(address, back.searchParams.get('code')!, codeVerifier, REDIRECT);
}

describe('Gmail connection modes', () => {
  let emu: GmailEmulator;
  let addresses: string[];

  beforeAll(async () => {
    emu = await startSeededGmail({ mailboxes: 3, messagesPerMailbox: 40, seed: 23 });
    addresses = emu.store.mailboxes().map((b) => b.address);
  });
  afterAll(async () => emu.close());

  it('company-wide: one delegated JWT per user, each reading only its own mailbox', async () => {
    const provider = providerFor(emu, { users: addresses.slice(0, 2) });
    const boxes = await provider.listMailboxes();
    expect(boxes.map((b) => b.address)).toEqual(addresses.slice(0, 2));
    for (const box of boxes) {
      const r = await scanAll(provider, box, 'inbox');
      expect([...r.ids].sort()).toEqual([...emu.control.messageIds(box.address, 'inbox')].sort());
    }
    await provider.close();
  });

  it('company-wide without a list: the Admin SDK Directory users, or one group\'s members', async () => {
    const { mailboxes } = generateMailboxes({ mailboxes: 7, messagesPerMailbox: 2, seed: 31 });
    const all = mailboxes.map((m) => m.address);
    const admin = all[0]!;
    const dirEmu = await startGmailEmulator({
      mailboxes,
      directory: { admins: [admin], groups: { 'sales@ours.example': [all[1]!, all[3]!] } },
    });
    try {
      const directory = { adminSubject: admin, rootUrl: `${dirEmu.url}/` };
      const everyone = providerFor(dirEmu, { users: [], directory });
      expect((await everyone.listMailboxes()).map((m) => m.address).sort()).toEqual([...all].sort());
      const group = providerFor(dirEmu, { users: [], directory: { ...directory, group: 'sales@ours.example' } });
      expect((await group.listMailboxes()).map((m) => m.address).sort()).toEqual([all[1]!, all[3]!].sort());
      expect(dirEmu.emulator.counters.get('directory.users')).toBe(1);
      // Only an admin may read the directory.
      const notAdmin = providerFor(dirEmu, { users: [], directory: { ...directory, adminSubject: all[2]! } });
      await expect(notAdmin.listMailboxes()).rejects.toMatchObject({ code: 'permission' });
    } finally {
      await dirEmu.close();
    }
  });

  it('a service-account key the emulator did not issue is refused', async () => {
    const provider = providerFor(emu, {
      serviceAccount: { ...emu.serviceAccount, client_email: 'intruder@elsewhere.iam.gserviceaccount.com' },
    });
    const box = (await provider.listMailboxes())[0]!;
    await expect(scanAll(provider, box, 'inbox')).rejects.toMatchObject({ code: 'auth' });
    expect(provider.connectionStatus(box.address)).toBe('revoked');
    await provider.close();
  });

  it('user-by-user: invited until consent, then connected; the refresh token is stored', async () => {
    const store = new MemoryTokenStore();
    const provider = providerFor(emu, { mode: 'user', users: addresses.slice(0, 2), tokenStore: store });
    expect(provider.connectionStatus(addresses[0]!)).toBe('invited');
    expect(await provider.listMailboxes()).toEqual([]);
    await consent(emu, provider, addresses[0]!);
    expect(await store.get(`gmail:refresh-token:${addresses[0]}`)).toMatch(/^1\/\//);
    const boxes = await provider.listMailboxes();
    expect(boxes.map((b) => b.address)).toEqual([addresses[0]]);
    const r = await scanAll(provider, boxes[0]!, 'sent');
    expect([...r.ids].sort()).toEqual([...emu.control.messageIds(addresses[0]!, 'sent')].sort());
    await provider.close();
  });

  it('a revoked user stops with status revoked while the others go on', async () => {
    const provider = providerFor(emu, { mode: 'user', users: addresses, tokenStore: new MemoryTokenStore() });
    for (const a of addresses) await consent(emu, provider, a);
    const boxes = await provider.listMailboxes();
    emu.control.revokeUser(addresses[2]!);
    emu.control.expireTokens();
    const results = await Promise.allSettled(boxes.map((b) => scanAll(provider, b, 'inbox')));
    results.forEach((r, i) => {
      const address = boxes[i]!.address;
      if (address === addresses[2]) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason.code).toBe('auth');
        expect(provider.connectionStatus(address)).toBe('revoked');
      } else {
        expect(r.status).toBe('fulfilled');
        expect(provider.connectionStatus(address)).toBe('connected');
      }
    });
    expect((await provider.listMailboxes()).map((b) => b.address)).toEqual(addresses.slice(0, 2));
    emu.control.restoreUser(addresses[2]!);
    await provider.close();
  });
});
