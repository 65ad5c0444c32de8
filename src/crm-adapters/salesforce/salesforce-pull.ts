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
import { soqlDatetime, soqlList, soqlString } from './soql-literal.js';

/** The HTTP GET the pull needs (a budgeted jsforce request). */
export type SfGet = (url: string, headers?: Record<string, string>) => Promise<unknown>;

interface Watermark {
  /** SystemModstamp (epoch ms) of the last record delivered. */
  w: number;
  /** Id of the last record delivered: the keyset tie-breaker at `w`. */
  id: string;
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
}

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

/**
 * Pages of one SOQL query, following `nextRecordsUrl`. The next page is requested before the
 * current one is handed over, so the network and the consumer overlap (one page ahead at most).
 */
async function* pages(get: SfGet, soql: string, all: boolean, batchSize: number): AsyncGenerator<PulledRecord[]> {
  const headers = { 'Sforce-Query-Options': `batchSize=${batchSize}` };
  let pending: Promise<unknown> | null = get(queryUrl(soql, all), headers);
  while (pending) {
    const page = queryPage.parse(await pending);
    pending = page.done || !page.nextRecordsUrl ? null : get(page.nextRecordsUrl, headers);
    // If the consumer stops early, the prefetch's failure must not go unhandled.
    pending?.catch(() => undefined);
    yield page.records.map(asPulledRecord);
  }
}

/** Current contact-role sets of the given deals. */
async function roleSets(get: SfGet, dealIds: string[], batchSize: number): Promise<Map<string, string[]>> {
  const sets = new Map<string, string[]>(dealIds.map((id) => [id, []]));
  for (let i = 0; i < dealIds.length; i += IN_CHUNK) {
    const soql = `SELECT Id, SystemModstamp, OpportunityId, ContactId FROM OpportunityContactRole WHERE OpportunityId IN ${soqlList(dealIds.slice(i, i + IN_CHUNK))} ORDER BY Id`;
    for await (const records of pages(get, soql, false, batchSize)) {
      for (const raw of records) {
        const role = roleRecord.parse(raw);
        if (role.ContactId) sets.get(role.OpportunityId)?.push(role.ContactId);
      }
    }
  }
  return sets;
}

/** Streams every change since `cursor` (null: a full load) as batches. */
export async function* pullSalesforce(get: SfGet, cursorText: string | null, opts: PullOptions): AsyncGenerator<CrmChangeBatch> {
  const start = parseCursor(cursorText);
  const state: PullCursor = { v: 1, o: { ...(start?.o ?? {}) } };
  const full = start === null;

  for (const spec of OBJECTS) {
    const fields = ['Id', 'IsDeleted', 'SystemModstamp', ...spec.fields, ...(spec.kind === 'account' ? opts.accountDomainFields : [])];
    const mark = state.o[spec.object];
    if (full && spec.kind === 'role') {
      // Roles arrive with their deals on a full load; only the watermark is needed.
      const latest = `SELECT Id, SystemModstamp FROM OpportunityContactRole ORDER BY SystemModstamp DESC, Id DESC LIMIT 1`;
      for await (const records of pages(get, latest, true, opts.batchSize)) {
        const top = records[0];
        state.o[spec.object] = top ? { w: msFromSf(top.SystemModstamp), id: top.Id } : { w: 0, id: '' };
      }
      yield { cursor: JSON.stringify(state) };
      continue;
    }
    const stamp = mark ? soqlDatetime(mark.w) : '';
    const where = !mark
      ? 'WHERE IsDeleted = false'
      : opts.overlapMs > 0
        ? `WHERE SystemModstamp >= ${soqlDatetime(mark.w - opts.overlapMs)}`
        : `WHERE SystemModstamp > ${stamp} OR (SystemModstamp = ${stamp} AND Id > ${soqlString(mark.id)})`;
    const soql = `SELECT ${fields.join(', ')} FROM ${spec.object} ${where} ORDER BY SystemModstamp, Id`;
    let current: Watermark = mark ? { ...mark } : { w: 0, id: '' };

    for await (const records of pages(get, soql, !full, opts.batchSize)) {
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
      state.o[spec.object] = { ...current };
      batch.cursor = JSON.stringify(state);
      yield batch;
    }
    if (!state.o[spec.object]) {
      state.o[spec.object] = current;
      yield { cursor: JSON.stringify(state) };
    }
  }
}
