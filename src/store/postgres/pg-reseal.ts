/**
 * Key rotation on PostgreSQL (`mailbridge key rotate`): every sealed column of a tenant's schema
 * is opened under the old key and sealed again under the new one, and the blind search terms are
 * recomputed, in ONE transaction per tenant; the schema then names its key by fingerprint
 * (settings `crypto.fingerprint`), so a rotation interrupted between tenants is resumed and a
 * process opening the tenant picks the key its rows are under.
 */
import type pg from 'pg';
import { searchWords } from '../sync-store.js';
import { FieldCrypto } from './field-crypto.js';
import { inTransaction } from './pg-ledger.js';

export const FINGERPRINT_SETTING = 'crypto.fingerprint';

/** The fingerprint the schema records, or null when it was never rotated (under the first key). */
export async function sealedUnder(client: pg.Pool | pg.PoolClient, s: string): Promise<string | null> {
  return (await client.query<{ value: string }>(`SELECT value FROM ${s}.settings WHERE key = $1`, [FINGERPRINT_SETTING])).rows[0]?.value ?? null;
}

/** Whether `leases` holds a live lease of someone other than `holder` (a sync or a worker job). */
async function busyWith(c: pg.PoolClient, s: string, holder: string, now: Date): Promise<string | null> {
  const r = await c.query<{ holder: string }>(`SELECT holder FROM ${s}.leases WHERE expires_at > $1 AND holder <> $2 LIMIT 1`, [now, holder]);
  return r.rows[0]?.holder ?? null;
}

export type ResealResult = { result: 'rekeyed' | 'already-rekeyed' } | { result: 'busy'; holder: string };

export async function resealTenant(pool: pg.Pool, s: string, tenantId: string, fromKey: string, toKey: string, holder: string, now: Date): Promise<ResealResult> {
  const from = new FieldCrypto(fromKey, tenantId.toLowerCase());
  const to = new FieldCrypto(toKey, tenantId.toLowerCase());
  return inTransaction(pool, async (c) => {
    // Two rotations of one tenant take turns; leases are read under the same lock.
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`reseal:${s}`]);
    const current = await sealedUnder(c, s);
    if (current === to.fingerprint) return { result: 'already-rekeyed' as const };
    if (current !== null && current !== from.fingerprint) throw new Error(`tenant ${tenantId}: its rows are sealed under neither the current key nor the new one`);
    // No sync or worker takes a lease (and starts writing under the old key) until this commits.
    await c.query(`LOCK TABLE ${s}.leases IN EXCLUSIVE MODE`);
    const busy = await busyWith(c, s, holder, now);
    if (busy) return { result: 'busy' as const, holder: busy };

    const ledger = await c.query<{ key: string; subject: Buffer; explanation: Buffer }>(`SELECT key, subject, explanation FROM ${s}.ledger`);
    for (const row of ledger.rows) {
      await c.query(`UPDATE ${s}.ledger SET subject = $2, explanation = $3 WHERE key = $1`, [
        row.key,
        to.seal(from.open(row.subject, `ledger.subject:${row.key}`), `ledger.subject:${row.key}`),
        to.seal(from.open(row.explanation, `ledger.explanation:${row.key}`), `ledger.explanation:${row.key}`),
      ]);
    }
    const subjects = new Map(ledger.rows.map((r) => [r.key, from.open(r.subject, `ledger.subject:${r.key}`)]));
    const texts = await c.query<{ key: string; body: Buffer; people: string[] }>(
      `SELECT t.key, t.body, ARRAY(SELECT address FROM ${s}.ledger_participants p WHERE p.key = t.key) AS people FROM ${s}.message_text t`,
    );
    for (const row of texts.rows) {
      const text = from.open(row.body, `message_text.body:${row.key}`);
      // The blind terms are keyed too: recomputed from the same words the import indexed.
      const terms = searchWords([subjects.get(row.key) ?? '', text, ...row.people].join(' ')).map((w) => to.term(w));
      await c.query(`UPDATE ${s}.message_text SET body = $2, terms = to_tsvector('simple', $3) WHERE key = $1`, [row.key, to.seal(text, `message_text.body:${row.key}`), terms.join(' ')]);
    }
    for (const row of (await c.query<{ key: string; value: Buffer }>(`SELECT key, value FROM ${s}.secrets`)).rows) {
      await c.query(`UPDATE ${s}.secrets SET value = $2 WHERE key = $1`, [row.key, to.seal(from.open(row.value, `secrets:${row.key}`), `secrets:${row.key}`)]);
    }
    for (const row of (await c.query<{ key: string; activity: Buffer }>(`SELECT key, activity FROM ${s}.meetings`)).rows) {
      const at = `meetings.activity:${row.key}`;
      await c.query(`UPDATE ${s}.meetings SET activity = $2 WHERE key = $1`, [row.key, to.seal(from.open(row.activity, at), at)]);
    }
    for (const row of (await c.query<{ id: string; result: Buffer }>(`SELECT id, result FROM ${s}.privacy_jobs WHERE result IS NOT NULL`)).rows) {
      await c.query(`UPDATE ${s}.privacy_jobs SET result = $2 WHERE id = $1`, [
        row.id,
        to.seal(from.open(row.result, `privacy_jobs.result:${row.id}`), `privacy_jobs.result:${row.id}`),
      ]);
    }
    await c.query(`INSERT INTO ${s}.settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [FINGERPRINT_SETTING, to.fingerprint]);
    return { result: 'rekeyed' as const };
  });
}
