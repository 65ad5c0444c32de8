import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, rekeyDatabase } from '../../../src/store/database.js';
import { SqliteDomainIndex } from '../../../src/store/domain-index.js';
import { StoreError, StoreKeyError } from '../../../src/store/store-errors.js';
import type { CrmSnapshot } from '../../../src/core/types.js';
import { tempDir } from './store-test-files.js';

const files = tempDir();
afterAll(() => files.remove());

const KEY = `correct horse "battery" staple's key \\ ünïcödé`;

/** Distinctive values that must never appear in the files as plaintext. */
const SECRETS = {
  contactEmail: 'zanzibar.quixote@plaintext-canary.example',
  contactName: 'Wilhelmina Canarybird',
  accountName: 'Canary Heavy Industries',
  accountDomain: 'canary-heavy-industries.example',
  walEmail: 'late.arrival@wal-canary.example',
};

const snapshot: CrmSnapshot = {
  companyDomains: ['example-seller.com'],
  users: [{ id: 'U1', email: 'seller@example-seller.com', name: 'Sam Seller' }],
  accounts: [{ id: 'A1', name: SECRETS.accountName, domains: [SECRETS.accountDomain], ownerId: 'U1' }],
  contacts: [{ id: 'C1', name: SECRETS.contactName, emails: [SECRETS.contactEmail], phones: [], accountId: 'A1' }],
  leads: [],
  deals: [],
  blocklist: { addresses: [], domains: [], phrases: [] },
};

function occurrences(bytes: Buffer, text: string): number {
  let count = 0;
  for (let at = bytes.indexOf(text); at !== -1; at = bytes.indexOf(text, at + 1)) count++;
  return count;
}

function readIfExists(path: string): Buffer {
  return existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
}

describe('encryption at rest', () => {
  it('the database file and its WAL hold none of the stored values', () => {
    const path = files.path('at-rest.db');
    const db = openDatabase({ path, key: KEY });
    const index = new SqliteDomainIndex(db);
    index.loadSnapshot(snapshot);
    // A later change stays in the WAL until a checkpoint: read it while the database is open.
    index.applyChanges({
      contacts: [{ id: 'C2', name: 'Late Arrival', emails: [SECRETS.walEmail], phones: [], accountId: 'A1' }],
      cursor: 'c1',
    });
    const wal = readFileSync(`${path}-wal`);
    expect(wal.length).toBeGreaterThan(0);
    const fileWhileOpen = readFileSync(path);
    db.close();
    const fileAfterClose = readFileSync(path);
    const leftoverWal = readIfExists(`${path}-wal`);

    for (const bytes of [wal, fileWhileOpen, fileAfterClose, leftoverWal]) {
      for (const secret of Object.values(SECRETS)) expect(occurrences(bytes, secret)).toBe(0);
      expect(occurrences(bytes, 'contact_emails')).toBe(0);
    }
    expect(fileAfterClose.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');

    // And the data is really there for whoever holds the key.
    const reopened = openDatabase({ path, key: KEY });
    const again = new SqliteDomainIndex(reopened);
    expect(again.contactsByEmail(SECRETS.walEmail).map((c) => c.id)).toEqual(['C2']);
    expect(again.account('A1')?.name).toBe(SECRETS.accountName);
    reopened.close();
  });

  it('a reload, journalled outside WAL, leaves no plaintext in the file or its journal', () => {
    const path = files.path('reload.db');
    const db = openDatabase({ path, key: KEY });
    const index = new SqliteDomainIndex(db);
    index.loadSnapshot(snapshot);
    const next = 'replacement.person@second-load-canary.example';
    const load = index.beginBulkLoad();
    // Alone on the file, the load runs with a rollback journal holding the replaced pages.
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    load.add({ contacts: [{ id: 'C9', name: 'Second Load', emails: [next], phones: [], accountId: null }] });
    const journal = readFileSync(`${path}-journal`);
    expect(journal.length).toBeGreaterThan(0);
    const fileDuringLoad = readFileSync(path);
    load.commit();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    for (const bytes of [journal, fileDuringLoad, readFileSync(path)]) {
      for (const secret of [...Object.values(SECRETS), next]) expect(occurrences(bytes, secret)).toBe(0);
    }
    expect(index.contactsByEmail(next).map((c) => c.id)).toEqual(['C9']);
    expect(index.contactsByEmail(SECRETS.contactEmail)).toEqual([]);
    db.close();
  });

  it('with a second connection open, a load stays in WAL and still completes', () => {
    const path = files.path('shared.db');
    const db = openDatabase({ path, key: KEY });
    const other = openDatabase({ path, key: KEY });
    const index = new SqliteDomainIndex(db);
    const load = index.beginBulkLoad();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    load.add(snapshot);
    load.commit();
    expect(new SqliteDomainIndex(other).contactsByEmail(SECRETS.contactEmail).map((c) => c.id)).toEqual(['C1']);
    other.close();
    db.close();
  });

  it('the same scan finds the values in an unencrypted file (the check can fail)', () => {
    const path = files.path('plain.db');
    const db = new Database(path);
    db.exec('CREATE TABLE t (v TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run(SECRETS.contactEmail);
    db.close();
    const bytes = readFileSync(path);
    expect(occurrences(bytes, SECRETS.contactEmail)).toBe(1);
    expect(bytes.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
  });
});

describe('keys', () => {
  it('a key with quotes, backslashes and non-ASCII characters opens what it wrote', () => {
    const path = files.path('quoted-key.db');
    const db = openDatabase({ path, key: KEY });
    db.exec("CREATE TABLE notes (v TEXT); INSERT INTO notes VALUES ('kept')");
    db.close();
    const again = openDatabase({ path, key: KEY });
    expect(again.prepare('SELECT v FROM notes').pluck().get()).toBe('kept');
    again.close();
  });

  it('a wrong key gives StoreKeyError naming the file, never the key', () => {
    const path = files.path('wrong-key.db');
    openDatabase({ path, key: KEY }).close();
    const wrong = "wrong 'key' value";
    let caught: unknown;
    try {
      openDatabase({ path, key: wrong });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreKeyError);
    const message = (caught as Error).message;
    expect(message.startsWith(`the database key does not open ${path}: it is not the key`)).toBe(true);
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(KEY);
  });

  it('raw key bytes work as well as passphrases', () => {
    const path = files.path('raw-key.db');
    const raw = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
    openDatabase({ path, key: raw }).close();
    expect(() => openDatabase({ path, key: 'something else' })).toThrow(StoreKeyError);
    openDatabase({ path, key: raw }).close();
  });

  it('a file database without a key is refused; :memory: needs none', () => {
    expect(() => openDatabase({ path: files.path('no-key.db') })).toThrow(StoreError);
    expect(() => openDatabase({ path: files.path('empty-key.db'), key: '' })).toThrow(StoreError);
    const memory = openDatabase({ path: ':memory:' });
    expect(memory.pragma('foreign_keys', { simple: true })).toBe(1);
    memory.close();
  });

  it('rekey: the new key opens the database, the old one no longer does', () => {
    const path = files.path('rekey.db');
    const db = openDatabase({ path, key: 'old key' });
    const index = new SqliteDomainIndex(db);
    index.loadSnapshot(snapshot);
    rekeyDatabase(db, "new 'rotated' key");
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // Still usable after the rotation, on the same connection.
    index.applyChanges({ users: [{ id: 'U2', email: 'second@example-seller.com' }], cursor: 'x' });
    db.close();

    expect(() => openDatabase({ path, key: 'old key' })).toThrow(StoreKeyError);
    const reopened = openDatabase({ path, key: "new 'rotated' key" });
    const again = new SqliteDomainIndex(reopened);
    expect(again.contactsByEmail(SECRETS.contactEmail).map((c) => c.id)).toEqual(['C1']);
    expect(again.userByEmail('second@example-seller.com')?.id).toBe('U2');
    reopened.close();
  });

  it('rekey keeps every other connection out until it closes, so none can write under the old key', () => {
    const path = files.path('rekey-exclusive.db');
    const db = openDatabase({ path, key: 'k1' });
    db.exec('CREATE TABLE t (x)');
    rekeyDatabase(db, 'k2');
    // Another process opening now would find the file locked, whichever key it holds.
    for (const key of ['k1', 'k2']) expect(() => openDatabase({ path, key, busyTimeoutMs: 50 })).toThrow(/locked/);
    db.prepare('INSERT INTO t VALUES (1)').run();
    db.close();
    const reopened = openDatabase({ path, key: 'k2' });
    expect(reopened.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
    expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
    reopened.close();
  });

  it('rekey with a second connection open is refused and changes nothing', () => {
    const path = files.path('rekey-busy.db');
    const first = openDatabase({ path, key: 'k1', busyTimeoutMs: 50 });
    const second = openDatabase({ path, key: 'k1', busyTimeoutMs: 50 });
    expect(() => rekeyDatabase(first, 'k2')).toThrow(/another connection/);
    second.close();
    first.close();
    openDatabase({ path, key: 'k1' }).close();
  });

  it('opens with WAL, foreign keys, a busy timeout and memory temp storage', () => {
    const db = openDatabase({ path: files.path('pragmas.db'), key: KEY, busyTimeoutMs: 1234 });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(db.pragma('temp_store', { simple: true })).toBe(2);
    db.close();
  });
});
