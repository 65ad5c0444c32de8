/**
 * Where per-user OAuth material (refresh tokens, MSAL caches) is kept. The encrypted SQLite
 * store will implement this; until then the in-memory one serves tests and the demo.
 */
export interface TokenStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A TokenStore in a Map: for tests, the demo and single-process runs. */
export class MemoryTokenStore implements TokenStore {
  private readonly values = new Map<string, string>();

  async get(key: string): Promise<string | null> {
    return this.values.get(key) ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}
