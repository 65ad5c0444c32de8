/**
 * Issue 11: two `sync --once` on a new database at once: the loser reported "wrong database
 * key"; a damaged page 1 was also reported as a wrong key; a zero-length file was silently made
 * a new database. Each is now told apart and named, with what to do.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';
import { StoreKeyError, StoreOpenError } from '../../../src/store/store-errors.js';
import { tempDir } from './store-test-files.js';

const KEY = 'open-errors-key-0123456789';
const root = fileURLToPath(new URL('../../../', import.meta.url));

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return null;
}

/** Opens `path` in a child process; resolves with its exit code and stderr. */
function openInChild(path: string): Promise<{ code: number | null; stderr: string }> {
  const script = `import { openDatabase } from './src/store/database.ts';\nopenDatabase({ path: process.argv[1], key: process.argv[2] }).close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path, KEY], { cwd: root });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('opening a database: what went wrong, by name', () => {
  let files: ReturnType<typeof tempDir>;
  beforeEach(() => {
    files = tempDir();
  });
  afterEach(() => files.remove());

  it('several processes creating the same new database all open it', async () => {
    for (let round = 0; round < 2; round++) {
      const path = files.path(`race-${round}.db`);
      const results = await Promise.all(Array.from({ length: 4 }, () => openInChild(path)));
      for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
      openDatabase({ path, key: KEY }).close();
    }
  });

  it('a zero-length file is refused as an empty file, not silently made a new database', () => {
    const path = files.path('empty.db');
    writeFileSync(path, '');
    const err = caught(() => openDatabase({ path, key: KEY }));
    expect(err).toBeInstanceOf(StoreOpenError);
    expect(err).toMatchObject({ problem: 'empty-file' });
    expect((err as Error).message).toMatch(/empty file \(0 bytes\).*Restore it from a backup/);
    expect(statSync(path).size).toBe(0);
  });

  it('a damaged first page is corruption, not a wrong key; a wrong key is still a wrong key', () => {
    const path = files.path('damaged.db');
    const db = openDatabase({ path, key: KEY });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    expect(caught(() => openDatabase({ path, key: 'another-key-entirely' }))).toBeInstanceOf(StoreKeyError);
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(200, 0xab), 0, 200, 1000);
    closeSync(fd);
    const err = caught(() => openDatabase({ path, key: KEY }));
    expect(err).toBeInstanceOf(StoreOpenError);
    expect(err).toMatchObject({ problem: 'corrupt' });
    expect((err as Error).message).toMatch(/damaged: the key is right/);
    expect(caught(() => openDatabase({ path, key: 'another-key-entirely' }))).toBeInstanceOf(StoreKeyError);
  });

  it('a database locked by another connection past the busy timeout is busy', () => {
    const path = files.path('locked.db');
    const holder = openDatabase({ path, key: KEY });
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (x); COMMIT');
    try {
      const err = caught(() => openDatabase({ path, key: KEY, busyTimeoutMs: 50 }));
      expect(err).toBeInstanceOf(StoreOpenError);
      expect(err).toMatchObject({ problem: 'busy' });
      expect((err as Error).message).toMatch(/stayed locked by another mailbridge process.*try again/);
    } finally {
      holder.close();
    }
  });
});
