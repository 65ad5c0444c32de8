/**
 * Tells a wrong key from a damaged first page. SQLite reports both as "not a database"; but
 * SQLCipher authenticates every page on its own (HMAC-SHA512 over the page and its number), so a
 * key under which any other page authenticates is the right key, and page 1 is what is broken.
 *
 * SQLCipher 4 format, as SQLite3 Multiple Ciphers writes it (database.ts): the first 16 bytes of
 * the file are the KDF salt; key = PBKDF2-HMAC-SHA512(passphrase, salt, 256,000, 32 bytes); HMAC
 * key = PBKDF2-HMAC-SHA512(key, salt XOR 0x3a, 2, 32 bytes); each 4,096-byte page ends with a
 * 16-byte IV and a 64-byte HMAC over the page's ciphertext and IV followed by the page number
 * (4 bytes, little-endian). See the SQLCipher design notes (zetetic.net/sqlcipher/design).
 */
import { createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

const PAGE = 4096;
const SALT = 16;
const HMAC = 64;
/** Pages 2..9 are tried: one intact page is enough, a few guard against a damaged neighbour. */
const PAGES_TRIED = 8;

/** True when some page after the first authenticates under `passphrase`. */
export function keyAuthenticatesPages(path: string, passphrase: Buffer): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(PAGE * (PAGES_TRIED + 1));
    const read = readSync(fd, head, 0, head.length, 0);
    const pages = Math.floor(read / PAGE);
    if (pages < 2) return false;
    const salt = head.subarray(0, SALT);
    const key = pbkdf2Sync(passphrase, salt, 256_000, 32, 'sha512');
    const macKey = pbkdf2Sync(key, Buffer.from(salt.map((b) => b ^ 0x3a)), 2, 32, 'sha512');
    for (let pgno = 2; pgno <= pages; pgno++) {
      const page = head.subarray((pgno - 1) * PAGE, pgno * PAGE);
      const number = Buffer.alloc(4);
      number.writeUInt32LE(pgno);
      const mac = createHmac('sha512', macKey).update(page.subarray(0, PAGE - HMAC)).update(number).digest();
      if (timingSafeEqual(mac, page.subarray(PAGE - HMAC))) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}
