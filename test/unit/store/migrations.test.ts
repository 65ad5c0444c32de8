import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../src/store/database.js';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from '../../../src/store/migrations.js';
import { StoreError } from '../../../src/store/store-errors.js';
import { tempDir } from './store-test-files.js';

const files = tempDir();
afterAll(() => files.remove());
const KEY = 'migration test key';

function tables(db: SqliteDatabase): string[] {
  return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
}

describe('migrations', () => {
  it('migration 1 creates the domain index tables and their lookup indexes', () => {
    const db = openDatabase({ path: ':memory:' });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(tables(db)).toEqual(
      expect.arrayContaining(['users', 'accounts', 'account_domains', 'contacts', 'contact_emails', 'contact_phones',
        'leads', 'lead_emails', 'lead_domains', 'deals', 'deal_contact_roles']),
    );
    const indexed = (table: string) =>
      (db.prepare(`SELECT name FROM pragma_index_list(?)`).pluck().all(table) as string[]).join(',');
    expect(indexed('contact_emails')).toMatch(/by_email/);
    expect(indexed('account_domains')).toMatch(/by_domain/);
    expect(indexed('deals')).toMatch(/by_account/);
    db.close();
  });

  it('apply once; re-opening runs nothing', () => {
    const runs: number[] = [];
    const list: Migration[] = [
      { version: 1, name: 'one', up: (db) => (runs.push(1), db.exec('CREATE TABLE one (x)')) },
      { version: 2, name: 'two', up: (db) => (runs.push(2), db.exec('CREATE TABLE two (x)')) },
    ];
    const path = files.path('once.db');
    const db = openDatabase({ path, key: KEY, migrations: list });
    expect(runs).toEqual([1, 2]);
    expect(schemaVersion(db)).toBe(2);
    expect(migrate(db, list)).toEqual([]);
    db.close();
    const again = openDatabase({ path, key: KEY, migrations: list });
    expect(runs).toEqual([1, 2]);
    expect(tables(again)).toEqual(['one', 'two']);
    again.close();
  });

  it('a later build applies only the new migrations', () => {
    const path = files.path('later.db');
    const runs: string[] = [];
    const one: Migration = { version: 1, name: 'one', up: (db) => (runs.push('one'), db.exec('CREATE TABLE one (x)')) };
    const two: Migration = { version: 2, name: 'two', up: (db) => (runs.push('two'), db.exec('CREATE TABLE two (x)')) };
    openDatabase({ path, key: KEY, migrations: [one] }).close();
    const db = openDatabase({ path, key: KEY, migrations: [one, two] });
    expect(runs).toEqual(['one', 'two']);
    expect(schemaVersion(db)).toBe(2);
    db.close();
  });

  it('a failing migration rolls back with its version bump', () => {
    const db = openDatabase({ path: ':memory:', migrations: [] });
    const list: Migration[] = [
      { version: 1, name: 'one', up: (d) => d.exec('CREATE TABLE one (x)') },
      {
        version: 2,
        name: 'broken',
        up: (d) => {
          d.exec('CREATE TABLE two (x)');
          d.exec('INSERT INTO missing_table VALUES (1)');
        },
      },
    ];
    expect(() => migrate(db, list)).toThrow(/missing_table/);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['one']);
    db.close();
  });

  it('a database from a newer build is refused', () => {
    const db = openDatabase({ path: ':memory:' });
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    expect(() => migrate(db)).toThrow(StoreError);
    db.close();
  });

  it('migration versions must be 1, 2, 3 … in order', () => {
    const db = openDatabase({ path: ':memory:', migrations: [] });
    expect(() => migrate(db, [{ version: 2, name: 'gap', up: () => {} }])).toThrow(/expected 1/);
    db.close();
  });
});
