/**
 * The domain index in a tenant's PostgreSQL schema. Writes apply a CRM change batch in one
 * transaction; reads resolve a whole page's participant keys in one query (`resolveKeys`) into
 * an in-memory `DomainIndex` the synchronous cascade reads (the page's records, their accounts
 * and those accounts' deals). Keys are normalised exactly as the SQLite index does (index-keys.ts).
 */
import type pg from 'pg';
import { normalizeAddress } from '../../core/address.js';
import type { CrmChangeBatch, CrmEntityKind, DomainIndex } from '../../core/ports.js';
import type { Account, Contact, CrmUser, Deal, Lead } from '../../core/types.js';
import { domainKeys, emailKeys } from '../index-keys.js';
import type { IndexCounts } from '../domain-index.js';
import type { IndexErasure, IndexRecordOf, IndexStore } from '../store-ports.js';
import { exportPgRecords } from './pg-index-export.js';
import { inTransaction } from './pg-ledger.js';

type Lookup = 'contact' | 'contact-domain' | 'account' | 'lead' | 'lead-domain' | 'user';
const LOOKUP_KIND: Record<Lookup, CrmEntityKind> = {
  contact: 'contact', 'contact-domain': 'contact', account: 'account', lead: 'lead', 'lead-domain': 'lead', user: 'user',
};
const LOOKUPS_OF: Record<CrmEntityKind, Lookup[]> = {
  contact: ['contact', 'contact-domain'], account: ['account'], lead: ['lead', 'lead-domain'], user: ['user'], deal: [],
};

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The lookups of one record: [key, lookup] pairs. */
function keysOf(kind: CrmEntityKind, rec: Record<string, unknown>): [string, Lookup][] {
  switch (kind) {
    case 'contact':
      return emailKeys((rec as unknown as Contact).emails).flatMap((k): [string, Lookup][] => [[k.email, 'contact'], ...(k.domain ? [[k.domain, 'contact-domain'] as [string, Lookup]] : [])]);
    case 'lead': {
      const l = rec as unknown as Lead;
      const emails = emailKeys(l.emails);
      const domains = new Set([...domainKeys([l.domain]), ...emails.flatMap((k) => (k.domain ? [k.domain] : []))]);
      return [...emails.map((k): [string, Lookup] => [k.email, 'lead']), ...[...domains].map((d): [string, Lookup] => [d, 'lead-domain'])];
    }
    case 'account':
      return domainKeys((rec as unknown as Account).domains).map((d) => [d, 'account']);
    case 'user':
      return emailKeys([(rec as unknown as CrmUser).email]).map((k) => [k.email, 'user']);
    default:
      return [];
  }
}

export class PgDomainIndex implements IndexStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly s: string,
  ) {}

  async applyChanges(batch: CrmChangeBatch): Promise<void> {
    const s = this.s;
    await inTransaction(this.pool, async (c) => {
      const remove = async (kind: CrmEntityKind, ids: string[]) => {
        if (!ids.length) return;
        await c.query(`DELETE FROM ${s}.index_records WHERE kind = $1 AND id = ANY($2)`, [kind, ids]);
        await c.query(`DELETE FROM ${s}.index_keys WHERE lookup = ANY($1) AND id = ANY($2)`, [LOOKUPS_OF[kind], ids]);
        if (kind === 'deal') await c.query(`DELETE FROM ${s}.index_deal_roles WHERE deal_id = ANY($1)`, [ids]);
        if (kind === 'contact') await c.query(`DELETE FROM ${s}.index_deal_roles WHERE contact_id = ANY($1)`, [ids]);
      };
      for (const p of batch.present ?? []) {
        const held = await c.query<{ id: string }>(`SELECT id FROM ${s}.index_records WHERE kind = $1 AND NOT (id = ANY($2))`, [p.kind, p.ids.map(String)]);
        await remove(p.kind, held.rows.map((r) => r.id));
      }
      const upsert = async (kind: CrmEntityKind, recs: readonly { id: string }[] | undefined) => {
        for (const rec of recs ?? []) {
          const id = String(rec.id);
          const accountId = 'accountId' in rec ? ((rec as { accountId?: string | null }).accountId ?? null) : null;
          const data = kind === 'deal' ? { ...rec, contactRoles: undefined } : rec;
          await c.query(
            `INSERT INTO ${s}.index_records (kind, id, account_id, data) VALUES ($1, $2, $3, $4)
             ON CONFLICT (kind, id) DO UPDATE SET account_id = excluded.account_id, data = excluded.data`,
            [kind, id, accountId, JSON.stringify(data)],
          );
          await c.query(`DELETE FROM ${s}.index_keys WHERE lookup = ANY($1) AND id = $2`, [LOOKUPS_OF[kind], id]);
          const keys = keysOf(kind, rec as unknown as Record<string, unknown>);
          if (keys.length) {
            await c.query(`INSERT INTO ${s}.index_keys (key, lookup, id) SELECT k, l, $3 FROM unnest($1::text[], $2::text[]) AS u(k, l) ON CONFLICT DO NOTHING`, [
              keys.map((k) => k[0]), keys.map((k) => k[1]), id,
            ]);
          }
          // As in SQLite: a deal's non-empty roles replace its set; an empty list leaves them alone.
          const roles = kind === 'deal' ? ((rec as Deal).contactRoles ?? []) : [];
          if (roles.length) await this.setRoles(c, id, roles);
        }
      };
      await upsert('user', batch.users);
      await upsert('account', batch.accounts);
      await upsert('contact', batch.contacts);
      await upsert('lead', batch.leads);
      await upsert('deal', batch.deals);
      for (const r of batch.contactRoles ?? []) await this.setRoles(c, String(r.dealId), r.contactIds);
      for (const d of batch.deleted ?? []) await remove(d.kind, [String(d.id)]);
    });
  }

  private async setRoles(c: pg.PoolClient, dealId: string, contactIds: readonly string[]): Promise<void> {
    await c.query(`DELETE FROM ${this.s}.index_deal_roles WHERE deal_id = $1`, [dealId]);
    await c.query(`INSERT INTO ${this.s}.index_deal_roles (deal_id, contact_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, [dealId, contactIds.map(String)]);
  }

  async openDealsOwnedBy(ownerId: string): Promise<readonly Deal[]> {
    const r = await this.pool.query<{ id: string; data: Deal; roles: string[] }>(
      `SELECT d.id, d.data, ARRAY(SELECT contact_id FROM ${this.s}.index_deal_roles WHERE deal_id = d.id ORDER BY contact_id) AS roles
       FROM ${this.s}.index_records d
       WHERE d.kind = 'deal' AND d.data->>'ownerId' = $1 AND NOT coalesce((d.data->>'isClosed')::boolean, false)
       ORDER BY d.id COLLATE "C"`,
      [ownerId],
    );
    return r.rows.map((row) => ({ ...row.data, contactRoles: row.roles }));
  }

  async counts(): Promise<IndexCounts> {
    const r = await this.pool.query<{ kind: string; n: string }>(
      `SELECT kind, count(*) AS n FROM ${this.s}.index_records GROUP BY kind
       UNION ALL SELECT 'roles', count(*) FROM ${this.s}.index_deal_roles`,
    );
    const n = (kind: string) => Number(r.rows.find((row) => row.kind === kind)?.n ?? 0);
    return { users: n('user'), accounts: n('account'), contacts: n('contact'), leads: n('lead'), deals: n('deal'), contactRoles: n('roles') };
  }

  /** The records of one kind, normalised as the SQLite index stores them, in pages ordered by id (`crm snapshot`). */
  exportRecords<K extends CrmEntityKind>(kind: K): AsyncIterable<IndexRecordOf[K][]> {
    return exportPgRecords(this.pool, this.s, kind);
  }

  async account(id: string): Promise<Account | undefined> {
    const r = await this.pool.query<{ data: Account }>(`SELECT data FROM ${this.s}.index_records WHERE kind = 'account' AND id = $1`, [id]);
    return r.rows[0]?.data;
  }

  async userByEmail(address: string): Promise<CrmUser | undefined> {
    return (await this.resolveKeys([address])).userByEmail(address);
  }

  /**
   * Privacy erase, as the SQLite index does it: records are kept as pulled, so their addresses
   * are compared normalised; a record keeping others gets its lookup keys rebuilt from them.
   */
  async eraseAddress(address: string): Promise<IndexErasure> {
    const s = this.s;
    const counts: IndexErasure = { contactsUpdated: 0, contactsRemoved: 0, leadsUpdated: 0, leadsRemoved: 0 };
    await inTransaction(this.pool, async (c) => {
      for (const kind of ['contact', 'lead'] as const) {
        const held = await c.query<{ id: string; data: Contact | Lead }>(
          `SELECT id, data FROM ${s}.index_records WHERE kind = $1 AND id IN (SELECT id FROM ${s}.index_keys WHERE key = $2 AND lookup = $1) FOR UPDATE`,
          [kind, address],
        );
        for (const row of held.rows) {
          const rest = row.data.emails.filter((e) => normalizeAddress(e) !== address);
          await c.query(`DELETE FROM ${s}.index_keys WHERE lookup = ANY($1) AND id = $2`, [LOOKUPS_OF[kind], row.id]);
          if (rest.length === 0) {
            await c.query(`DELETE FROM ${s}.index_records WHERE kind = $1 AND id = $2`, [kind, row.id]);
            if (kind === 'contact') await c.query(`DELETE FROM ${s}.index_deal_roles WHERE contact_id = $1`, [row.id]);
            counts[`${kind}sRemoved`]++;
            continue;
          }
          const data = { ...row.data, emails: rest };
          await c.query(`UPDATE ${s}.index_records SET data = $1 WHERE kind = $2 AND id = $3`, [JSON.stringify(data), kind, row.id]);
          const keys = keysOf(kind, data as unknown as Record<string, unknown>);
          await c.query(`INSERT INTO ${s}.index_keys (key, lookup, id) SELECT k, l, $3 FROM unnest($1::text[], $2::text[]) AS u(k, l) ON CONFLICT DO NOTHING`, [
            keys.map((k) => k[0]), keys.map((k) => k[1]), row.id,
          ]);
          counts[`${kind}sUpdated`]++;
        }
      }
    });
    return counts;
  }

  /** One query: the keys' hits, their records, the accounts those lead to, and their deals. */
  async resolveKeys(keys: readonly string[]): Promise<DomainIndex> {
    const s = this.s;
    const r = await this.pool.query<{ key: string | null; lookup: string; id: string; data: Record<string, unknown> | null; roles: string[] | null }>(
      `WITH hits AS (SELECT key, lookup, id FROM ${s}.index_keys WHERE key = ANY($1)),
       recs AS (SELECT r.kind, r.id, r.account_id, r.data FROM ${s}.index_records r
                WHERE (r.kind, r.id) IN (SELECT CASE WHEN lookup LIKE 'contact%' THEN 'contact' WHEN lookup LIKE 'lead%' THEN 'lead' ELSE lookup END, id FROM hits)),
       accts AS (SELECT account_id AS id FROM recs WHERE account_id IS NOT NULL UNION SELECT id FROM recs WHERE kind = 'account'),
       more AS (SELECT r.kind, r.id, r.data FROM ${s}.index_records r
                WHERE (r.kind = 'account' AND r.id IN (SELECT id FROM accts)) OR (r.kind = 'deal' AND r.account_id IN (SELECT id FROM accts)))
       SELECT key, lookup, id, NULL::jsonb AS data, NULL::text[] AS roles FROM hits
       UNION ALL SELECT NULL, kind, id, data, NULL FROM recs
       UNION ALL SELECT NULL, kind, id, data,
              CASE WHEN kind = 'deal' THEN ARRAY(SELECT contact_id FROM ${s}.index_deal_roles WHERE deal_id = more.id ORDER BY contact_id) END
         FROM more`,
      [[...new Set(keys)]],
    );
    return new ResolvedIndex(r.rows);
  }
}

/** The answers for one page's keys, read synchronously by the cascade. */
class ResolvedIndex implements DomainIndex {
  private readonly records = new Map<string, Record<string, unknown>>();
  private readonly hits = new Map<string, string[]>();

  constructor(rows: { key: string | null; lookup: string; id: string; data: Record<string, unknown> | null; roles: string[] | null }[]) {
    for (const row of rows) {
      if (row.key !== null) {
        const k = `${row.lookup}\u0000${row.key}`;
        this.hits.set(k, [...(this.hits.get(k) ?? []), row.id]);
      } else if (row.data) {
        this.records.set(`${row.lookup}\u0000${row.id}`, row.lookup === 'deal' ? { ...row.data, contactRoles: row.roles ?? [] } : row.data);
      }
    }
  }

  private found<T extends { id: string }>(lookup: Lookup, key: string): T[] {
    const kind = LOOKUP_KIND[lookup];
    const ids = [...new Set(this.hits.get(`${lookup}\u0000${key}`) ?? [])];
    return ids.map((id) => this.records.get(`${kind}\u0000${id}`) as T | undefined).filter((r): r is T => r !== undefined).sort(byId);
  }

  contactsByEmail(address: string): readonly Contact[] {
    return this.found<Contact>('contact', address);
  }

  accountsByDomain(domain: string): readonly Account[] {
    return this.found<Account>('account', domain);
  }

  contactAccountIdsByDomain(domain: string): readonly string[] {
    const ids = this.found<Contact>('contact-domain', domain).flatMap((c) => (c.accountId ? [String(c.accountId)] : []));
    return [...new Set(ids)].sort();
  }

  leadsByEmail(address: string): readonly Lead[] {
    return this.found<Lead>('lead', address);
  }

  leadsByDomain(domain: string): readonly Lead[] {
    return this.found<Lead>('lead-domain', domain);
  }

  dealsByAccount(accountId: string): readonly Deal[] {
    const out: Deal[] = [];
    for (const [k, rec] of this.records) if (k.startsWith('deal\u0000') && (rec as unknown as Deal).accountId === accountId) out.push(rec as unknown as Deal);
    return out.sort(byId);
  }

  account(id: string): Account | undefined {
    return this.records.get(`account\u0000${id}`) as Account | undefined;
  }

  userByEmail(address: string): CrmUser | undefined {
    return this.found<CrmUser>('user', address)[0];
  }
}
