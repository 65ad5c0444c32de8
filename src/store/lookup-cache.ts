/**
 * A bounded memo in front of one lookup: the first call for a key reads SQLite, repeated calls
 * return the very same (frozen) value from memory. Empty results are cached too (a domain
 * known as a contact's but holding no account), so they do not hit the database again.
 */
import { LRUCache } from 'lru-cache';

export class LookupCache<V extends object> {
  private readonly lru: LRUCache<string, V>;

  constructor(
    max: number,
    private readonly load: (key: string) => V,
  ) {
    this.lru = new LRUCache<string, V>({ max });
  }

  /** The cached value, or the loaded one (then cached). */
  get(key: string): V {
    let value = this.lru.get(key);
    if (value === undefined) {
      value = this.load(key);
      this.lru.set(key, value);
    }
    return value;
  }

  clear(): void {
    this.lru.clear();
  }

  get size(): number {
    return this.lru.size;
  }
}
