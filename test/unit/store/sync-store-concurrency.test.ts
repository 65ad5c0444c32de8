/**
 * Several processes share one tenant file (workers of a pool on one host, or a `run` beside a
 * `sync --once`). A write transaction that reads first and then writes must take the write lock
 * up front (BEGIN IMMEDIATE): in WAL mode, a deferred transaction whose snapshot another
 * connection has moved past gets SQLITE_BUSY at once, without waiting out the busy timeout
 * ("database is locked"; https://www.sqlite.org/lang_transaction.html, "BEGIN IMMEDIATE" and
 * https://www.sqlite.org/rescode.html#busy_snapshot). That failed a pool's mailbox job, which
 * after its retries landed in the dead letters.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';
import { SqliteSyncStore } from '../../../src/store/sync-store.js';
import { tempDir } from './store-test-files.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('sync store transactions across processes', () => {
  it('a claim is not refused when another connection commits between its read and its write', () => {
    const path = dir.path('shared.db');
    const other = openDatabase({ path, key: 'k' });
    const mine = openDatabase({ path, key: 'k' });
    // The other process writes whenever this one reads the clock, which the claim does between
    // its ledger lookup and its insert. Without waiting: if this connection already holds the
    // write lock, the other one simply does not get in.
    other.pragma('busy_timeout = 0');
    let interleaved = 0;
    const clock = () => {
      try {
        other.prepare(`INSERT INTO settings (key, value) VALUES (?, 'x')`).run(`other-${interleaved}`);
        interleaved++;
      } catch (err) {
        expect(String((err as { code?: string }).code)).toMatch(/^SQLITE_BUSY/);
      }
      return new Date('2026-12-03T10:00:00Z');
    };
    const store = new SqliteSyncStore(mine, clock);
    // Open a read snapshot first, as a connection that has read the file before does.
    mine.prepare('SELECT count(*) FROM settings').get();
    expect(store.claim('mid:a@x', 'box-1')).toBe(true);
    expect(store.claim('mid:a@x', 'box-2')).toBe(false);
    other.close();
    mine.close();
  });
});
