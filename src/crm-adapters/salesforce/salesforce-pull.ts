/**
 * Incremental pull from Salesforce, one watermark per object on `SystemModstamp`:
 * `queryAll SELECT … WHERE SystemModstamp >= :w ORDER BY SystemModstamp, Id` returns changes and
 * deletions (IsDeleted) in one stream; each query page becomes one `CrmChangeBatch` whose cursor
 * covers everything up to it, so a full load of a million contacts streams page by page.
 * The watermark is a keyset `(SystemModstamp, Id)`, so resuming is exact and the cursor stays
 * small; an optional overlap re-reads a margin instead, because commits are not strictly ordered
 * by timestamp (re-delivered records are harmless: applying a batch is idempotent).
 */
import type { CrmChangeBatch, CrmEntityKind } from '../../core/ports.js';
import { SyncError } from '../../core/sync-error.js';
import {
  asPulledRecord,
  isConvertedLead,
  msFromSf,
  queryPage,
  roleRecord,
  toAccount,
  toContact,
  toDeal,
  toLead,
  toUser,
  type PulledRecord,
} from './salesforce-mapping.js';
import { isExpiredQueryLocator } from './salesforce-errors.js';
import { soqlDatetime, soqlList, soqlString } from './soql-literal.js';

/** The HTTP GET the pull needs (a budgeted jsforce request). */
export type SfGet = (url: string, headers?: Record<string, string>) => Promise<unknown>;

interface Watermark {
  /** SystemModstamp (epoch ms) of the last record delivered. */
  w: number;
  /** Id of the last record delivered: the keyset tie-breaker at `w`. */
  id: string;
  /**
   * When the last complete pass over the object started (client clock, epoch ms): every
   * deletion before it was seen. Absent mid-pass, where `w` is the reference.
   */
  at?: number;
}

interface PullCursor {
  v: 1;
  o: Record<string, Watermark>;
}

export interface PullOptions {
  accountDomainFields: readonly string[];
  /** Re-read margin before each watermark (ms). */
  overlapMs: number;
  /** Query page size asked for (200..2000). */
  batchSize: number;
  /** Client clock (epoch ms), for the recycle-bin horizon. */
  now?: () => number;
}

/**
 * Salesforce keeps deleted rows in the recycle bin 15 days; `queryAll` and getDeleted no longer
 * see them after that (REST API Developer Guide, "Get Deleted Records": last 15 days). A cursor
 * older than this (a day of margin for clock skew) may have missed deletions: the pull then
 * lists every live id of the object so the index can drop the ones that vanished.
 */
export const RECYCLE_BIN_HORIZON_MS = 14 * 86_400_000;

/** The objects and fields the pull reads (besides Id, SystemModstamp, IsDeleted); `doctor` checks them. */
export const OBJECTS: { object: string; kind: CrmEntityKind | 'role'; fields: string[] }[] = [
  { object: 'User', kind: 'user', fields: ['Name', 'Email'] },
  { object: 'Account', kind: 'account', fields: ['Name', 'Website', 'OwnerId'] },
  { object: 'Contact', kind: 'contact', fields: ['Name', 'Email', 'Phone', 'MobilePhone', 'AccountId'] },
  { object: 'Lead', kind: 'lead', fields: ['Name', 'Email', 'Phone', 'Company', 'Website', 'IsConverted'] },
  { object: 'Opportunity', kind: 'deal', fields: ['Name', 'AccountId', 'IsClosed', 'CloseDate', 'OwnerId', 'CreatedDate', 'LastModifiedDate'] },
  { object: 'OpportunityContactRole', kind: 'role', fields: ['OpportunityId', 'ContactId'] },
];

/** Ids per IN list: keeps the GET URL well under Salesforce's 16 KB limit. */
const IN_CHUNK = 300;

function parseCursor(cursor: string | null): PullCursor | null {
  if (cursor === null) return null;
  try {
    const parsed = JSON.parse(cursor) as PullCursor;
    if (parsed?.v !== 1 || typeof parsed.o !== 'object') throw new Error('shape');
    return parsed;
  } catch (cause) {
    throw new SyncError('invalid-cursor', 'salesforce: unreadable pull cursor', { cause, retryable: false });
  }
}

const queryUrl = (soql: string, all: boolean) => `/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`;

/** The keyset condition "after this record" in `ORDER BY SystemModstamp, Id` order. */
function afterKeyset(mark: Watermark): string {
  const stamp = soqlDatetime(mark.w);
  return `(SystemModstamp > ${stamp} OR (SystemModstamp = ${stamp} AND Id > ${soqlString(mark.id)}))`;
}

/** A query ordered by `SystemModstamp, Id`, restartable after any record it delivered. */
interface KeysetQuery {
  fields: string[];
  object: string;
  /** The query's own condition, if any. */
  where: string | null;
}

const keysetSoql = (q: KeysetQuery, after: Watermark | null): string => {
  const conditions = [q.where && (after ? `(${q.where})` : q.where), after && afterKeyset(after)].filter(Boolean);
  return `SELECT ${q.fields.join(', ')} FROM ${q.object}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY SystemModstamp, Id`;
};

/** Restarts allowed per query when its locator expires (each one makes progress first). */
const MAX_LOCATOR_RESTARTS = 10;

/**
 * Pages of one SOQL query, following `nextRecordsUrl`. The next page is requested before the
 * current one is handed over, so the network and the consumer overlap (one page ahead at most).
 * When a locator has expired (`INVALID_QUERY_LOCATOR`: a pull paused for longer than the
 * locator lives, or a locator released early) the query restarts right after the last record
 * handed over, by keyset, so nothing is lost and nothing is delivered twice.
 */
async function* pages(get: SfGet, query: KeysetQuery, all: boolean, batchSize: number): AsyncGenerator<{ records: PulledRecord[]; done: boolean }> {
  const headers = { 'Sforce-Query-Options': `batchSize=${batchSize}` };
  let after: Watermark | null = null;
  let restarts = 0;
  let pending: Promise<unknown> | null = get(queryUrl(keysetSoql(query, null), all), headers);
  while (pending) {
    let raw: unknown;
    try {
      raw = await pending;
    } catch (error) {
      if (!isExpiredQueryLocator(error) || ++restarts > MAX_LOCATOR_RESTARTS) throw error;
      pending = get(queryUrl(keysetSoql(query, after), all), headers);
      continue;
    }
    const page = queryPage.parse(raw);
    pending = page.done || !page.nextRecordsUrl ? null : get(page.nextRecordsUrl, headers);
    // If the consumer stops early, the prefetch's failure must not go unhandled.
    pending?.catch(() => undefined);
    const records = page.records.map(asPulledRecord);
    const last = records[records.length - 1];
    if (last) after = { w: msFromSf(last.SystemModstamp), id: last.Id };
    yield { records, done: pending === null };
  }
}

/** Current contact-role sets of the given deals. */
async function roleSets(get: SfGet, dealIds: string[], batchSize: number): Promise<Map<string, string[]>> {
  const sets = new Map<string, string[]>(dealIds.map((id) => [id, []]));
  for (let i = 0; i < dealIds.length; i += IN_CHUNK) {
    const query = { fields: ['Id', 'SystemModstamp', 'OpportunityId', 'ContactId'], object: 'OpportunityContactRole', where: `OpportunityId IN ${soqlList(dealIds.slice(i, i + IN_CHUNK))}` };
    for await (const { records } of pages(get, query, false, batchSize)) {
      for (const raw of records) {
        const role = roleRecord.parse(raw);
        if (role.ContactId) sets.get(role.OpportunityId)?.push(role.ContactId);
      }
    }
  }
  return sets;
}

/** Every live id of an object (converted leads excluded: the pull treats them as deleted). */
async function liveIds(get: SfGet, object: string, batchSize: number): Promise<string[]> {
  const where = object === 'Lead' ? 'IsDeleted = false AND IsConverted = false' : 'IsDeleted = false';
  const ids: string[] = [];
  for await (const { records } of pages(get, { fields: ['Id', 'SystemModstamp'], object, where }, false, batchSize)) ids.push(...records.map((r) => r.Id));
  return ids;
}

/**
 * The reconcile of an object whose cursor is past the recycle-bin horizon: its live ids (held
 * records not among them were deleted and purged), or for contact roles, the role set of
 * every live deal.
 */
async function* reconcile(get: SfGet, spec: (typeof OBJECTS)[number], state: PullCursor, batchSize: number): AsyncGenerator<CrmChangeBatch> {
  if (spec.kind !== 'role') {
    yield { present: [{ kind: spec.kind, ids: await liveIds(get, spec.object, batchSize) }], cursor: JSON.stringify(state) };
    return;
  }
  const deals = await liveIds(get, 'Opportunity', batchSize);
  for (let i = 0; i < deals.length; i += IN_CHUNK) {
    const roles = await roleSets(get, deals.slice(i, i + IN_CHUNK), batchSize);
    yield { contactRoles: [...roles].map(([dealId, contactIds]) => ({ dealId, contactIds })), cursor: JSON.stringify(state) };
  }
}

/** Streams every change since `cursor` (null: a full load) as batches. */
export async function* pullSalesforce(get: SfGet, cursorText: string | null, opts: PullOptions): AsyncGenerator<CrmChangeBatch> {
  const start = parseCursor(cursorText);
  const state: PullCursor = { v: 1, o: { ...(start?.o ?? {}) } };
  const full = start === null;

  for (const spec of OBJECTS) {
    const startedAt = (opts.now ?? Date.now)();
    const fields = ['Id', 'IsDeleted', 'SystemModstamp', ...spec.fields, ...(spec.kind === 'account' ? opts.accountDomainFields : [])];
    const mark = state.o[spec.object];
    if (full && spec.kind === 'role') {
      // Roles arrive with their deals on a full load; only the watermark is needed.
      const latest = `SELECT Id, SystemModstamp FROM OpportunityContactRole ORDER BY SystemModstamp DESC, Id DESC LIMIT 1`;
      const top = queryPage.parse(await get(queryUrl(latest, true))).records.map(asPulledRecord)[0];
      state.o[spec.object] = top ? { w: msFromSf(top.SystemModstamp), id: top.Id, at: startedAt } : { w: 0, id: '', at: startedAt };
      yield { cursor: JSON.stringify(state) };
      continue;
    }
    const where = !mark ? 'IsDeleted = false' : opts.overlapMs > 0 ? `SystemModstamp >= ${soqlDatetime(mark.w - opts.overlapMs)}` : afterKeyset(mark);
    const query: KeysetQuery = { fields, object: spec.object, where };
    let current: Watermark = mark ? { w: mark.w, id: mark.id } : { w: 0, id: '' };
    if (mark && startedAt - (mark.at ?? mark.w) > RECYCLE_BIN_HORIZON_MS) yield* reconcile(get, spec, state, opts.batchSize);

    for await (const { records, done } of pages(get, query, !full, opts.batchSize)) {
      const batch: CrmChangeBatch = { cursor: '' };
      const deleted: { kind: CrmEntityKind; id: string }[] = [];
      const live: PulledRecord[] = [];
      for (const record of records) {
        if (spec.kind === 'role') live.push(record);
        else if (record.IsDeleted || (spec.kind === 'lead' && isConvertedLead(record))) deleted.push({ kind: spec.kind, id: record.Id });
        else live.push(record);
      }
      switch (spec.kind) {
        case 'user':
          batch.users = live.map(toUser);
          break;
        case 'account':
          batch.accounts = live.map((r) => toAccount(r, opts.accountDomainFields));
          break;
        case 'contact':
          batch.contacts = live.map(toContact);
          break;
        case 'lead':
          batch.leads = live.map(toLead);
          break;
        case 'deal': {
          const roles = live.length ? await roleSets(get, live.map((r) => r.Id), opts.batchSize) : new Map<string, string[]>();
          batch.deals = live.map((r) => toDeal(r, roles.get(r.Id) ?? []));
          break;
        }
        case 'role': {
          const dealIds = [...new Set(live.map((r) => roleRecord.parse(r).OpportunityId))];
          const roles = dealIds.length ? await roleSets(get, dealIds, opts.batchSize) : new Map<string, string[]>();
          batch.contactRoles = dealIds.map((dealId) => ({ dealId, contactIds: roles.get(dealId) ?? [] }));
          break;
        }
      }
      if (deleted.length) batch.deleted = deleted;
      // Pages come in (SystemModstamp, Id) order, so the last record is the new watermark;
      // overlap re-reads (older than the watermark) never move it back.
      const last = records[records.length - 1];
      if (last && msFromSf(last.SystemModstamp) >= current.w) current = { w: msFromSf(last.SystemModstamp), id: last.Id };
      // Once the pass is complete, every deletion before it started has been seen.
      state.o[spec.object] = done ? { ...current, at: startedAt } : { ...current };
      batch.cursor = JSON.stringify(state);
      yield batch;
    }
    if (!state.o[spec.object]) {
      state.o[spec.object] = { ...current, at: startedAt };
      yield { cursor: JSON.stringify(state) };
    }
  }
}
