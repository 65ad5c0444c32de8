/**
 * Salesforce record ids: 15 case-sensitive base-62 characters (3 of them the key prefix) plus a
 * 3-character suffix that makes the id case-insensitively unique. Each suffix character encodes,
 * for one 5-character block, which positions hold an upper-case letter (bit i for position i),
 * as an index into `A`–`Z`, `0`–`5`. Example: `5003000000D8cuI` → `5003000000D8cuIAAR`.
 */
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The 18-character case-safe form of a 15-character id. */
export function caseSafeId(id15: string): string {
  if (!/^[0-9A-Za-z]{15}$/.test(id15)) throw new Error(`not a 15-character Salesforce id: ${id15}`);
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id15[block * 5 + i]!)) bits |= 1 << i;
    suffix += SUFFIX_ALPHABET[bits];
  }
  return id15 + suffix;
}

/** Whether `id` is an 18-character id whose suffix matches its first 15 characters. */
export function isCaseSafeId(id: string): boolean {
  return /^[0-9A-Za-z]{15}[A-Z0-5]{3}$/.test(id) && caseSafeId(id.slice(0, 15)) === id;
}

/** The id of the `n`-th record with key prefix `prefix`: a base-62 counter, then the suffix. */
export function recordId(prefix: string, n: number): string {
  let digits = '';
  for (let rest = n; rest > 0; rest = Math.floor(rest / 62)) digits = BASE62[rest % 62] + digits;
  return caseSafeId(prefix + digits.padStart(12, '0'));
}
