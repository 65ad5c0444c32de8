/**
 * Privacy on both stores: a claim for mail that is then not written (rejected after its body
 * was read) leaves nothing, and on PostgreSQL, which has no whole-file encryption, subjects,
 * text, explanations and secrets are never stored readable (sealed with AES-256-GCM, searched
 * through keyed hashes of words).
 */
import { expect, it } from 'vitest';
import type { ImportRecord } from '../../../src/core/ports.js';
import { FieldCrypto } from '../../../src/store/postgres/field-crypto.js';
import { describeStores } from './store-under-test.js';

const SECRET_WORDS = ['Zanzibar', 'confidential merger', 'refresh-token-xyzzy', 'because jane is contact'];

function imported(key: string): ImportRecord {
  return {
    key,
    crmId: '00T1',
    mailboxId: 'mbx-1',
    bcc: [],
    activity: {
      key, direction: 'outbound', sentAt: '2026-11-02T09:00:00.000Z',
      from: { name: 'Sam', address: 'sam@seller.example' }, to: [{ name: 'Jane', address: 'jane@acme.example' }], cc: [],
      subject: 'Zanzibar pricing', text: 'This is the confidential merger plan.', messageId: null, inReplyTo: null, references: [],
      contactIds: ['003A'], accountIds: [], leadIds: [], dealIds: [], userIds: [], ownerId: null, relatedToId: null,
      explanation: 'because jane is contact 003A',
    },
  };
}

describeStores('privacy', (sut) => {
  it('a released claim leaves no trace of the mail', async () => {
    const ledger = sut.store().ledger;
    const key = 'mid:rejected-7f3a@rival.example';
    expect(await ledger.claim(key, 'mbx-1')).toBe(true);
    expect(await ledger.claim(key, 'mbx-2')).toBe(false);
    expect(await sut.dump()).toContain('rejected-7f3a');
    await ledger.releaseClaim(key);
    expect(await sut.dump()).not.toContain('rejected-7f3a');
  });

  it('keeps subjects, text, explanations and secrets unreadable at rest, and still searchable', async () => {
    const store = sut.store();
    await store.ledger.recordImport(imported('mid:m1'));
    await store.secrets.set('graph:sam', 'refresh-token-xyzzy');
    // SQLite: the whole file is encrypted. PostgreSQL: the fields are sealed in the application.
    const dump = await sut.atRest();
    for (const words of SECRET_WORDS) expect(dump).not.toContain(words);
    expect(dump.toLowerCase()).not.toContain('zanzibar');
    expect(await store.ledger.searchText('zanzibar merger')).toEqual(['mid:m1']);
    expect((await store.ledger.entry('mid:m1'))?.subject).toBe('Zanzibar pricing');
    expect(await store.secrets.get('graph:sam')).toBe('refresh-token-xyzzy');
  });
});

it('a sealed value opens only with its tenant key and on its own row', () => {
  const acme = new FieldCrypto('key-0123456789abcdef', 'acme');
  const sealed = acme.seal('refresh-token', 'secrets:graph:sam');
  expect(acme.open(sealed, 'secrets:graph:sam')).toBe('refresh-token');
  expect(() => acme.open(sealed, 'secrets:graph:ann')).toThrow();
  expect(() => new FieldCrypto('key-0123456789abcdef', 'beta').open(sealed, 'secrets:graph:sam')).toThrow();
  expect(() => new FieldCrypto('another-key', 'acme').open(sealed, 'secrets:graph:sam')).toThrow();
  // Same word, same term within a tenant (searchable); different across tenants.
  expect(acme.term('zanzibar')).toBe(new FieldCrypto('key-0123456789abcdef', 'acme').term('zanzibar'));
  expect(acme.term('zanzibar')).not.toBe(new FieldCrypto('key-0123456789abcdef', 'beta').term('zanzibar'));
});
