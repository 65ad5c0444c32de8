/**
 * Opening the encrypted SQLite database (DESIGN §3: the whole database is encrypted at rest).
 *
 * Cipher: SQLCipher v4 through SQLite3 Multiple Ciphers, i.e. AES-256-CBC with a per-page
 * HMAC-SHA512 and PBKDF2-HMAC-SHA512 key derivation. Chosen over `aes256cbc` because the HMAC
 * makes tampered or wrongly keyed pages fail loudly instead of decrypting to garbage, the whole
 * first page (header included) is encrypted, and the format is readable by stock SQLCipher tools
 * for support and forensics. The price, measured on a 300k-contact index: uncached lookups
 * ~25% slower than `aes256cbc` (each page read is authenticated); bulk load about the same.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { MIGRATIONS, migrate, type Migration } from './migrations.js';
import { keyAuthenticatesPages } from './page-check.js';
import { StoreError, StoreKeyError, StoreOpenError } from './store-errors.js';

export type SqliteDatabase = Database.Database;

/** A key as configuration holds it (a passphrase string) or raw bytes from a key provider. */
export type DatabaseKey = string | Uint8Array;

export interface OpenDatabaseOptions {
  /** File path, or `:memory:` for a throwaway unencrypted database (`mailbridge classify`). */
  path: string;
  /** Required for a file; ignored for `:memory:`. Never logged, never put in an error. */
  key?: DatabaseKey | null;
  /** Migrations to bring the schema to; defaults to every migration of this build. */
  migrations?: readonly Migration[];
  /** Milliseconds to wait on a lock held by another connection before failing. */
  busyTimeoutMs?: number;
  /** Page cache in KiB (default 16 MiB). */
  cacheSizeKib?: number;
}

/**
 * Every page read from disk is decrypted and its HMAC checked, so the page cache matters more
 * than usual. Measured on an encrypted 300k-contact index: 16 MiB gave 1.5× the uncached lookup
 * rate of SQLite's 2 MiB default; 64 MiB during a 1M-contact load cost ~60 MB of peak RSS.
 */
const DEFAULT_CACHE_KIB = 16 * 1024;

const CIPHER = 'sqlcipher';

/** The bytes handed to SQLite3 Multiple Ciphers: no SQL quoting, so any character is fine. */
function keyBytes(key: DatabaseKey): Buffer {
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
}

function isMemory(path: string): boolean {
  return path === ':memory:';
}

/**
 * The database, its `-wal` and `-shm` are for this user only (0600). SQLite creates the file
 * with the process umask (usually 0644) and gives the WAL and shared-memory files the database
 * file's mode, so the file is narrowed as soon as it exists, before WAL mode creates the others;
 * files of an existing install are narrowed too. A file another user owns is left as it is.
 */
function restrictFiles(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EPERM') throw err;
    }
  }
}

/**
 * Opens (creating if needed) the database, applies the key before anything else reads a page,
 * checks the key, sets WAL, foreign keys, the busy timeout and in-memory temp storage, and runs
 * pending migrations. A wrong key throws `StoreKeyError`; a file locked past the busy timeout, a
 * damaged first page or a zero-length file throw `StoreOpenError` naming the problem.
 *
 * @example openDatabase({ path: 'data/mailbridge.db', key: process.env.MAILBRIDGE_DB_KEY })
 */
export function openDatabase(opts: OpenDatabaseOptions): SqliteDatabase {
  if (isMemory(opts.path)) return openFile(opts);
  if (opts.key === undefined || opts.key === null || keyBytes(opts.key).length === 0) {
    throw new StoreError(`a key is required to open ${opts.path}: the database is encrypted at rest`, opts.path);
  }
  const size = fileSize(opts.path);
  if (size === 0) {
    throw new StoreOpenError(
      'empty-file',
      `${opts.path} is an empty file (0 bytes), not a mailbridge database: it was truncated or made by something else. ` +
        'Restore it from a backup; or move it away, and the next command creates a new database (the CRM is read again ' +
        'and mailboxes are scanned from the backfill start)',
      opts.path,
    );
  }
  if (size === null) createFile(opts);
  return openFile(opts);
}

function fileSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * A new database is built under a temporary name and linked into place, which fails if the name
 * exists: two processes creating the same database never both write its first page (SQLCipher
 * picks a random salt per creator, so the loser's pages would not authenticate under the
 * winner's salt and it would report a wrong key). The loser opens the winner's file.
 */
function createFile(opts: OpenDatabaseOptions): void {
  const temp = `${opts.path}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    openFile({ ...opts, path: temp }).close();
    try {
      linkSync(temp, opts.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  } finally {
    for (const f of [temp, `${temp}-wal`, `${temp}-shm`]) rmSync(f, { force: true });
  }
}

function openFile(opts: OpenDatabaseOptions): SqliteDatabase {
  const memory = isMemory(opts.path);
  const timeoutMs = opts.busyTimeoutMs ?? 5000;
  const db = new Database(opts.path, { timeout: timeoutMs });
  try {
    if (!memory) {
      restrictFiles(opts.path);
      db.pragma(`cipher = '${CIPHER}'`);
      db.key(keyBytes(opts.key!));
      verifyKey(db, opts.path, keyBytes(opts.key!));
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL never corrupts and survives a process crash; only an OS crash may lose
      // the last transactions, which the cursor-saved-last rule (DESIGN §1.9) replays.
      db.pragma('synchronous = NORMAL');
    }
    // SQLite3 Multiple Ciphers does not encrypt temporary files (sorts, temp indexes): keep
    // them in memory so no plaintext ever reaches the disk.
    db.pragma('temp_store = MEMORY');
    db.pragma(`cache_size = -${Math.max(1, Math.round(opts.cacheSizeKib ?? DEFAULT_CACHE_KIB))}`);
    db.pragma('foreign_keys = ON');
    migrate(db, opts.migrations ?? MIGRATIONS, opts.path);
    return db;
  } catch (err) {
    if (db.open) db.close();
    if (isBusy(err)) {
      throw new StoreOpenError(
        'busy',
        `${opts.path} stayed locked by another mailbridge process for ${Math.round(timeoutMs / 1000)} s (a key rotation, ` +
          'or a sync creating or migrating it): try again when that has finished',
        opts.path,
      );
    }
    throw err;
  }
}

const isBusy = (err: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: string }).code));

/**
 * Reads page 1; a wrong key fails here with SQLITE_NOTADB, and so does a damaged page 1. The
 * key is then checked against the file's other pages to tell the two apart (page-check.ts).
 */
function verifyKey(db: SqliteDatabase, path: string, key: Buffer): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_NOTADB') throw err;
    if (keyAuthenticatesPages(path, key)) {
      throw new StoreOpenError(
        'corrupt',
        `${path} is damaged: the key is right (the file's other pages authenticate under it) but its first page does not. ` +
          'Restore it from a backup; or move it away, and the next command creates a new database',
        path,
      );
    }
    throw new StoreKeyError(path);
  }
}

/**
 * Re-encrypts the whole database under `newKey` (key rotation). SQLite3 Multiple Ciphers cannot
 * rekey in WAL mode, so the journal is switched to DELETE for the rewrite and back to WAL after;
 * that switch needs this to be the only open connection to the file. The connection also takes
 * and keeps an exclusive lock before the switch: a connection opening the file in between would
 * switch it back to WAL and write pages under the old key, leaving a file no key opens. Others
 * wait (busy timeout) until this connection is closed, then open under the new key.
 */
export function rekeyDatabase(db: SqliteDatabase, newKey: DatabaseKey): void {
  if (isMemory(db.name)) throw new StoreError('an in-memory database has no key to rotate', db.name);
  const bytes = keyBytes(newKey);
  if (bytes.length === 0) throw new StoreError(`an empty key cannot protect ${db.name}`, db.name);
  const busy = () => new StoreError(`cannot rekey ${db.name}: another connection holds it open`, db.name);
  let mode: unknown;
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('wal_checkpoint(TRUNCATE)');
    mode = db.pragma('journal_mode = DELETE', { simple: true });
    // Already in DELETE mode (an interrupted rotation), the switch writes nothing and locks nothing.
    if (mode === 'delete') db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    db.pragma('locking_mode = NORMAL');
    if (/^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: string }).code))) throw busy();
    throw err;
  }
  if (mode !== 'delete') {
    db.pragma('locking_mode = NORMAL');
    throw busy();
  }
  try {
    db.rekey(bytes);
  } finally {
    db.pragma('journal_mode = WAL');
  }
}
