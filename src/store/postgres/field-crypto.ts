/**
 * Application-level encryption for PostgreSQL, which has no whole-file encryption like the
 * SQLCipher file: secrets, message text, subjects and explanations are AES-256-GCM sealed before
 * they leave the process, and full-text search runs on keyed hashes of the words (a blind
 * index), so the server never holds a readable word of mail. Keys are derived per tenant (HKDF)
 * from the database key the key provider gives (src/config/database-key.ts).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class FieldCrypto {
  private readonly aesKey: Buffer;
  private readonly termKey: Buffer;
  /** Names the key the tenant's rows are sealed under (kept in its settings by `key rotate`), never the key. */
  readonly fingerprint: string;

  constructor(databaseKey: string, tenantId: string) {
    const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', databaseKey, 'mailbridge/postgres', `${purpose}:${tenantId}`, 32));
    this.aesKey = derive('aes-256-gcm');
    this.termKey = derive('search-terms');
    this.fingerprint = derive('fingerprint').toString('hex').slice(0, 32);
  }

  /**
   * `context` (table and row key) is authenticated with the value, so a sealed value copied
   * onto another row fails to open instead of reading as that row's.
   */
  seal(plain: string, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.aesKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT), iv, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer, context: string): string {
    if (sealed[0] !== FORMAT) throw new Error(`sealed value of unknown format ${sealed[0]}`);
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.aesKey, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /** The blind-index term of a (lower-cased) word: hex, so it is a plain `simple` tsvector lexeme. */
  term(word: string): string {
    return createHmac('sha256', this.termKey).update(word).digest('hex').slice(0, 16);
  }
}
