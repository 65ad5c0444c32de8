/**
 * The domain index of a tenant's PostgreSQL schema read back for `crm snapshot`: one kind's
 * records through a server-side cursor (one sort, fetched a page at a time, so a large index is
 * never held at once), in byte order of their ids as SQLite gives them, normalised as the SQLite
 * index stores them (`indexedRecord`), so both stores export the same text.
 */
import type pg from 'pg';
import type { CrmEntityKind } from '../../core/ports.js';
import { EXPORT_PAGE, indexedRecord } from '../index-export.js';
import type { IndexRecordOf } from '../store-ports.js';

const KINDS: readonly CrmEntityKind[] = ['user', 'account', 'contact', 'lead', 'deal'];

interface ExportRow {
  id: string;
  account_id: string | null;
  data: Record<string, unknown>;
  roles: string[] | null;
}

export async function* exportPgRecords<K extends CrmEntityKind>(pool: pg.Pool, s: string, kind: K, pageSize = EXPORT_PAGE): AsyncGenerator<IndexRecordOf[K][]> {
  // A cursor's query takes no parameters: the kind is one of the fixed names, spelled inline.
  if (!KINDS.includes(kind)) throw new Error(`unknown index record kind: ${kind}`);
  const roles = kind === 'deal' ? `ARRAY(SELECT contact_id FROM ${s}.index_deal_roles WHERE deal_id = r.id ORDER BY contact_id COLLATE "C")` : 'NULL::text[]';
  const client = await pool.connect();
  let open = false;
  try {
    // One snapshot for the whole kind, read only.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
    await client.query(
      `DECLARE index_export NO SCROLL CURSOR FOR
       SELECT r.id, r.account_id, r.data, ${roles} AS roles FROM ${s}.index_records r
       WHERE r.kind = '${kind}' ORDER BY r.id COLLATE "C"`,
    );
    for (;;) {
      const page = await client.query<ExportRow>(`FETCH ${pageSize} FROM index_export`);
      if (!page.rows.length) break;
      yield page.rows.map((row) => indexedRecord(kind, row.data, { id: row.id, accountId: row.account_id, contactRoles: row.roles ?? [] }));
      if (page.rows.length < pageSize) break;
    }
    await client.query('COMMIT');
    open = false;
  } finally {
    // Also when the reader stopped early: the transaction ends before the connection goes back.
    if (open) await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}
