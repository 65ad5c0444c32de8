/**
 * Provider tokens (refresh tokens, MSAL caches) kept in the encrypted database: the providers'
 * `TokenStore`. Values are never logged; the whole file is encrypted at rest.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { TokenStore } from '../providers/common/token-store.js';

export class SqliteSecretStore implements TokenStore {
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      get: db.prepare<[string], { value: string }>('SELECT value FROM secrets WHERE key = ?'),
      set: db.prepare<[string, string, string]>(
        `INSERT INTO secrets (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      ),
      delete: db.prepare<[string]>('DELETE FROM secrets WHERE key = ?'),
    };
  }

  async get(key: string): Promise<string | null> {
    return this.stmt.get.get(key)?.value ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    this.stmt.set.run(key, value, new Date().toISOString());
  }

  async delete(key: string): Promise<void> {
    this.stmt.delete.run(key);
  }
}
