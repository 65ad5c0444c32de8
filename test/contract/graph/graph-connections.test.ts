/**
 * Both connection modes through MSAL against the emulator's identity endpoints: company-wide
 * (client credentials, all users or a subset) and user-by-user (authorization code with PKCE,
 * refresh through the stored MSAL cache), and a revoked user that does not stop the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMailboxes } from '../../../src/emulators/common/mailbox-generator.js';
import { startGraphEmulator, type GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/store/database.js';
import { SqliteSecretStore } from '../../../src/store/secret-store.js';
import { MemoryTokenStore } from '../../../src/providers/common/token-store.js';
import { SyncError } from '../../../src/core/sync-error.js';
import type { GraphProvider } from '../../../src/providers/graph/graph-provider.js';
import { providerFor, scanAll, startSeededGraph } from './graph-harness.js';

const REDIRECT = 'http://localhost:3000/oauth/graph/callback';

/** Plays the browser: follows the consent URL on the emulator and returns the redirect's code. */
async function consent(emu: GraphEmulator, provider: GraphProvider, address: string): Promise<void> {
  const { url, codeVerifier } = await provider.authorizationUrl(address, REDIRECT, 'st-1');
  const authorize = new URL(url);
  expect(authorize.host).toBe('login.microsoftonline.com');
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  const res = await fetch(`${emu.url}${authorize.pathname}${authorize.search}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(back.searchParams.get('state')).toBe('st-1');
  await provider.completeAuthorization(address, back.searchParams.get('code')!, codeVerifier, REDIRECT);
}

describe('Graph connection modes', () => {
  let emu: GraphEmulator;
  let addresses: string[];

  beforeAll(async () => {
    emu = await startSeededGraph({ mailboxes: 3, messagesPerMailbox: 40, seed: 5 });
    addresses = emu.store.mailboxes().map((b) => b.address);
  });
  afterAll(async () => emu.close());

  it('company-wide lists every user, or only the chosen subset', async () => {
    const all = providerFor(emu);
    expect((await all.listMailboxes()).map((m) => m.address).sort()).toEqual([...addresses].sort());
    const subset = providerFor(emu, { users: [addresses[1]!.toUpperCase()] });
    expect((await subset.listMailboxes()).map((m) => m.address)).toEqual([addresses[1]]);
    await all.close();
    await subset.close();
  });

  it('company-wide over the members of a security group', async () => {
    const { mailboxes } = generateMailboxes({ mailboxes: 5, messagesPerMailbox: 5, seed: 9 });
    const members = [mailboxes[0]!.address, mailboxes[2]!.address, mailboxes[4]!.address];
    const groupEmu = await startGraphEmulator({ mailboxes, groups: { 'sales-group-id': members } });
    try {
      const provider = providerFor(groupEmu, { group: 'sales-group-id' });
      expect((await provider.listMailboxes()).map((m) => m.address).sort()).toEqual([...members].sort());
      expect(groupEmu.emulator.counters.get('groups.members')).toBe(1);
      await provider.close();
      const unknown = providerFor(groupEmu, { group: 'no-such-group' });
      await expect(unknown.listMailboxes()).rejects.toBeInstanceOf(SyncError);
      await unknown.close();
    } finally {
      await groupEmu.close();
    }
  });

  it('user-by-user: invited until consent, then connected with tokens kept in the encrypted store', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'mailbridge-graph-tokens-')), 'tokens.db');
    const db = openDatabase({ path: dbPath, key: 'token-test-key' });
    const store = new SqliteSecretStore(db);
    const provider = providerFor(emu, { mode: 'user', users: addresses.slice(0, 2), tokenStore: store });
    expect(provider.connectionStatus(addresses[0]!)).toBe('invited');
    expect(await provider.listMailboxes()).toEqual([]);

    await consent(emu, provider, addresses[0]!);
    expect(provider.connectionStatus(addresses[0]!)).toBe('connected');
    expect(await store.get(`graph:msal-cache:${addresses[0]}`)).toMatch(/RefreshToken/);
    const boxes = await provider.listMailboxes();
    expect(boxes.map((b) => b.address)).toEqual([addresses[0]]);
    const scanned = await scanAll(provider, boxes[0]!, 'inbox');
    expect([...scanned.ids].sort()).toEqual([...emu.control.messageIds(addresses[0]!, 'inbox')].sort());

    // A later process opening the same database needs no new consent.
    db.close();
    const reopened = openDatabase({ path: dbPath, key: 'token-test-key' });
    const again = providerFor(emu, { mode: 'user', users: addresses.slice(0, 2), tokenStore: new SqliteSecretStore(reopened) });
    const restored = await again.listMailboxes();
    expect(restored.map((b) => b.address)).toEqual([addresses[0]]);
    emu.control.expireTokens();
    const tokens = emu.emulator.counters.get('token');
    expect((await scanAll(again, restored[0]!, 'sent')).ids.length).toBe(emu.control.messageIds(addresses[0]!, 'sent').length);
    expect(emu.emulator.counters.get('token') - tokens).toBeGreaterThanOrEqual(1);
    await provider.close();
    await again.close();
    reopened.close();
  });

  it('a delegated token cannot read another user\'s mailbox', async () => {
    const provider = providerFor(emu, { mode: 'user', users: [addresses[0]!], tokenStore: new MemoryTokenStore() });
    await consent(emu, provider, addresses[0]!);
    const other = { id: addresses[1]!, address: addresses[0]! };
    await expect(scanAll(provider, other, 'inbox')).rejects.toMatchObject({ code: 'permission' });
    await provider.close();
  });

  it('a revoked user stops with status revoked while the others go on', async () => {
    const provider = providerFor(emu, { mode: 'user', users: addresses, tokenStore: new MemoryTokenStore() });
    for (const a of addresses) await consent(emu, provider, a);
    const boxes = await provider.listMailboxes();
    expect(boxes).toHaveLength(3);
    emu.control.revokeUser(addresses[1]!);
    emu.control.expireTokens();
    const results = await Promise.allSettled(boxes.map((b) => scanAll(provider, b, 'inbox')));
    const byAddress = new Map(boxes.map((b, i) => [b.address, results[i]!]));
    const revoked = byAddress.get(addresses[1]!)!;
    expect(revoked.status).toBe('rejected');
    expect((revoked as PromiseRejectedResult).reason).toBeInstanceOf(SyncError);
    expect((revoked as PromiseRejectedResult).reason.code).toBe('auth');
    expect(provider.connectionStatus(addresses[1]!)).toBe('revoked');
    for (const a of [addresses[0]!, addresses[2]!]) {
      const r = byAddress.get(a)!;
      expect(r.status).toBe('fulfilled');
      expect((r as PromiseFulfilledResult<{ ids: string[] }>).value.ids.length).toBe(emu.control.messageIds(a, 'inbox').length);
      expect(provider.connectionStatus(a)).toBe('connected');
    }
    expect((await provider.listMailboxes()).map((b) => b.address)).not.toContain(addresses[1]);
    emu.control.restoreUser(addresses[1]!);
    await provider.close();
  });
});
