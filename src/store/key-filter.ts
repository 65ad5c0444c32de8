/**
 * A Bloom filter over every key of the domain index (addresses and domain keys), so a lookup
 * for a key the CRM does not have — most participants of most mail — is answered from a few
 * megabytes of memory instead of a SQLite query. "No" is certain; "maybe" (≈1% false
 * positives) goes on to the caches and SQLite. Keys are only ever added: a deleted key leaves a
 * stale bit, which costs a query, never a wrong answer.
 *
 * Scalable: when a stage holds its capacity, a stage twice as large is started, so the filter
 * can be filled while a bulk load streams records of unknown number. ~10 bits per key.
 */
const BITS_PER_KEY = 10;
const PROBES = 7;

class Stage {
  readonly bits: Uint32Array;
  readonly mask: number;
  count = 0;

  constructor(readonly capacity: number) {
    let size = 1024;
    while (size < capacity * BITS_PER_KEY) size *= 2;
    this.bits = new Uint32Array(size / 32);
    this.mask = size - 1;
  }

  add(h1: number, h2: number): void {
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.count++;
  }

  has(h1: number, h2: number): boolean {
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** The filter itself; `initialCapacity` sizes the first stage (keys, not bits). */
export class KeyFilter {
  private readonly stages: Stage[];
  private h1 = 0;
  private h2 = 0;

  constructor(initialCapacity = 65_536) {
    this.stages = [new Stage(initialCapacity)];
  }

  add(key: string): void {
    this.hash(key);
    let stage = this.stages[this.stages.length - 1]!;
    if (stage.count >= stage.capacity) {
      stage = new Stage(stage.capacity * 2);
      this.stages.push(stage);
    }
    stage.add(this.h1, this.h2);
  }

  /** False: the key is certainly not in the index. True: it may be. */
  mayContain(key: string): boolean {
    this.hash(key);
    for (const stage of this.stages) if (stage.has(this.h1, this.h2)) return true;
    return false;
  }

  /** Keys added (with repeats). */
  get size(): number {
    let n = 0;
    for (const stage of this.stages) n += stage.count;
    return n;
  }

  /** Two 32-bit FNV-1a hashes with different offsets, for double hashing. */
  private hash(key: string): void {
    let a = 0x811c9dc5;
    let b = 0x01000193 ^ key.length;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    this.h1 = a >>> 0;
    // An odd step visits distinct bits for every probe.
    this.h2 = ((b ^ (b >>> 15)) | 1) >>> 0;
  }
}
