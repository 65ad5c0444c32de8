/**
 * Write-back to Salesforce, idempotent on the dedupe key:
 * 1. upsert up to 200 EmailMessages on `Mailbridge_Key__c` (one sObject-collection call);
 * 2. for messages that already existed (a replay, or a retry after a lost response), read the
 *    relations they already have;
 * 3. create the missing EmailMessageRelation rows (one per matched contact, lead or user and
 *    role), 200 per call.
 * A replayed batch therefore creates nothing new, and a batch cut off anywhere completes on retry.
 */
import { normalizeAddress } from '../../core/address.js';
import type { ActivityDraft, DomainIndex, IndexResolver, WriteOutcome } from '../../core/ports.js';
import { KEY_FIELD, toEmailMessage } from './salesforce-mapping.js';
import { soqlList } from './soql-literal.js';
import { z } from 'zod';

export const SF_BATCH = 200;

/** The EmailMessageRelation fields each relation row sets (`doctor` checks they are createable). */
export const RELATION_FIELDS = ['EmailMessageId', 'RelationId', 'RelationType', 'RelationAddress'] as const;

/** The Salesforce calls the write-back makes (budgeted, retried jsforce calls). */
export interface SfWriteApi {
  upsert(type: string, records: Record<string, unknown>[], extIdField: string): Promise<unknown>;
  create(type: string, records: Record<string, unknown>[]): Promise<unknown>;
  query(soql: string): Promise<Record<string, unknown>[]>;
}

/** Resolves which participant address a matched id stands for; the store's index does this. */
type RelationLookups = Pick<DomainIndex, 'contactsByEmail' | 'leadsByEmail' | 'userByEmail'>;
/**
 * Where matched ids are tied to participant addresses: an index read in process, or one that
 * resolves a batch's addresses in one round trip first (the PostgreSQL store).
 */
export type RelationIndex = RelationLookups | IndexResolver;

type RelationType = 'FromAddress' | 'ToAddress' | 'CcAddress';
export interface PlannedRelation {
  relationId: string;
  type: RelationType;
  address: string;
}

const saveResult = z.object({
  id: z.string().nullish(),
  success: z.boolean(),
  created: z.boolean().optional(),
  errors: z.array(z.object({ statusCode: z.string(), message: z.string() }).passthrough()).default([]),
});
const saveResults = z.array(saveResult);

/**
 * Per-record codes worth retrying (the record itself is fine). A duplicate rule's
 * `DUPLICATES_DETECTED` is not one: it answers the same until an admin changes the rule.
 */
export const RETRYABLE_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'ALL_OR_NONE_OPERATION_ROLLED_BACK', 'SERVER_UNAVAILABLE']);

/** How records that failed with a retryable code are retried within one write. */
export interface ItemRetry {
  /** Extra tries for the failed records (the first call is not counted). */
  attempts: number;
  /** Waits before retry `attempt` (1-based): the backoff. */
  wait(attempt: number): Promise<void>;
}

export type SaveResult = z.infer<typeof saveResult>;
const retryableResult = (r: SaveResult) => !r.success && RETRYABLE_CODES.has(r.errors[0]?.statusCode ?? '');

/**
 * One collection write, then bounded retries of only the records that failed retryably (a
 * lock held by another transaction): the saved ones are never sent again. Results stay in
 * request order; records still failing keep their last error.
 */
export async function saveWithItemRetry(save: (records: Record<string, unknown>[]) => Promise<unknown>, records: Record<string, unknown>[], retry: ItemRetry | undefined): Promise<SaveResult[]> {
  const call = async (subset: Record<string, unknown>[]) => {
    const results = saveResults.parse(await save(subset));
    if (results.length !== subset.length) throw new Error(`salesforce: ${results.length} results for ${subset.length} records`);
    return results;
  };
  const results = await call(records);
  for (let attempt = 1; attempt <= (retry?.attempts ?? 0); attempt++) {
    const failed = results.flatMap((r, i) => (retryableResult(r) ? [i] : []));
    if (!failed.length) break;
    await retry!.wait(attempt);
    const again = await call(failed.map((i) => records[i]!));
    failed.forEach((i, j) => {
      results[i] = again[j]!;
    });
  }
  return results;
}

function participants(draft: ActivityDraft): { address: string; norm: string; type: RelationType }[] {
  const out: { address: string; norm: string; type: RelationType }[] = [];
  const add = (address: string, type: RelationType) => {
    const norm = normalizeAddress(address);
    if (norm) out.push({ address, norm, type });
  };
  add(draft.from.address, 'FromAddress');
  for (const a of draft.to) add(a.address, 'ToAddress');
  for (const a of draft.cc) add(a.address, 'CcAddress');
  return out;
}

/**
 * The relation rows of each draft. Ids are tied to participant addresses through `index` when
 * given; ids it cannot place are looked up in Salesforce (one query per object per batch).
 */
export async function planRelations(api: SfWriteApi, drafts: readonly ActivityDraft[], relations: RelationIndex | undefined): Promise<PlannedRelation[][]> {
  const plans: PlannedRelation[][] = drafts.map(() => []);
  const index: RelationLookups | undefined =
    relations && 'resolveKeys' in relations ? await relations.resolveKeys(drafts.flatMap((d) => participants(d).map((p) => p.norm))) : relations;
  const unplaced = { Contact: new Set<string>(), Lead: new Set<string>(), User: new Set<string>() };
  drafts.forEach((draft, i) => {
    const people = participants(draft);
    const groups = [
      { object: 'Contact' as const, ids: draft.contactIds, find: (n: string) => index?.contactsByEmail(n).map((c) => c.id) ?? [] },
      { object: 'Lead' as const, ids: draft.leadIds, find: (n: string) => index?.leadsByEmail(n).map((l) => l.id) ?? [] },
      { object: 'User' as const, ids: draft.userIds, find: (n: string) => { const u = index?.userByEmail(n); return u ? [u.id] : []; } },
    ];
    for (const group of groups) {
      for (const id of group.ids) {
        const hits = people.filter((p) => group.find(p.norm).includes(id));
        if (hits.length) for (const p of hits) plans[i]!.push({ relationId: id, type: p.type, address: p.address });
        else unplaced[group.object].add(id);
      }
    }
  });
  const emails = new Map<string, string>();
  for (const [object, ids] of Object.entries(unplaced)) {
    const list = [...ids];
    for (let i = 0; i < list.length; i += SF_BATCH) {
      const rows = await api.query(`SELECT Id, Email FROM ${object} WHERE Id IN ${soqlList(list.slice(i, i + SF_BATCH))}`);
      for (const row of rows) if (typeof row.Id === 'string' && typeof row.Email === 'string') emails.set(row.Id, row.Email);
    }
  }
  if (emails.size) {
    drafts.forEach((draft, i) => {
      const people = participants(draft);
      for (const id of [...draft.contactIds, ...draft.leadIds, ...draft.userIds]) {
        if (plans[i]!.some((p) => p.relationId === id)) continue;
        const norm = normalizeAddress(emails.get(id));
        for (const p of people.filter((x) => x.norm === norm)) plans[i]!.push({ relationId: id, type: p.type, address: p.address });
      }
    });
  }
  // One row per (id, role): the same person in To twice is one relation.
  return plans.map((list) => [...new Map(list.map((p) => [`${p.relationId}|${p.type}`, p])).values()]);
}

/** Writes up to 200 drafts; outcomes in draft order. */
export async function writeSalesforceBatch(
  api: SfWriteApi,
  drafts: readonly ActivityDraft[],
  index: RelationIndex | undefined,
  retry?: ItemRetry,
): Promise<WriteOutcome[]> {
  const plans = await planRelations(api, drafts, index);
  const results = await saveWithItemRetry((records) => api.upsert('EmailMessage', records, KEY_FIELD), drafts.map(toEmailMessage), retry);

  const outcomes = saveOutcomes(drafts, results);

  // Existing messages may already hold some relations (replay, or a retry after a lost reply).
  const existingIds = results.filter((r) => r.success && r.created === false && r.id).map((r) => r.id!);
  const have = new Set<string>();
  for (let i = 0; i < existingIds.length; i += SF_BATCH) {
    const rows = await api.query(
      `SELECT Id, EmailMessageId, RelationId, RelationType FROM EmailMessageRelation WHERE EmailMessageId IN ${soqlList(existingIds.slice(i, i + SF_BATCH))}`,
    );
    for (const row of rows) have.add(`${String(row.EmailMessageId)}|${String(row.RelationId)}|${String(row.RelationType)}`);
  }
  const rows: Record<string, unknown>[] = [];
  const owners: number[] = [];
  outcomes.forEach((outcome, i) => {
    if (!outcome.ok) return;
    for (const p of plans[i]!) {
      if (have.has(`${outcome.crmId}|${p.relationId}|${p.type}`)) continue;
      const row: Record<(typeof RELATION_FIELDS)[number], string> = { EmailMessageId: outcome.crmId, RelationId: p.relationId, RelationType: p.type, RelationAddress: p.address };
      rows.push(row);
      owners.push(i);
    }
  });
  await createRelations(api, 'EmailMessageRelation', rows, owners, outcomes, retry);
  return outcomes;
}

/** The outcome of each draft of a save, in draft order. */
export function saveOutcomes(drafts: readonly { key: string }[], results: readonly SaveResult[]): WriteOutcome[] {
  return drafts.map((draft, i) => {
    const r = results[i]!;
    if (r.success && r.id) return { key: draft.key, ok: true, crmId: r.id };
    const first = r.errors[0];
    return { key: draft.key, ok: false, error: first ? `${first.statusCode}: ${first.message}` : 'unknown error', retryable: !!first && RETRYABLE_CODES.has(first.statusCode) };
  });
}

/**
 * Creates relation rows (EmailMessageRelation, EventRelation) in batches; `owners[i]` is the
 * index of the outcome row i belongs to. A row refused for a record-level reason (a contact
 * merged away meanwhile, or DUPLICATE_VALUE: the row appeared meanwhile) does not fail its
 * activity; a retryable refusal makes the whole activity retry.
 */
export async function createRelations(
  api: SfWriteApi,
  object: string,
  rows: readonly Record<string, unknown>[],
  owners: readonly number[],
  outcomes: WriteOutcome[],
  retry: ItemRetry | undefined,
): Promise<void> {
  for (let i = 0; i < rows.length; i += SF_BATCH) {
    const created = await saveWithItemRetry((records) => api.create(object, records), rows.slice(i, i + SF_BATCH), retry);
    created.forEach((r, j) => {
      const owner = owners[i + j]!;
      const first = r.errors[0];
      if (!r.success && first && RETRYABLE_CODES.has(first.statusCode)) {
        outcomes[owner] = { key: outcomes[owner]!.key, ok: false, error: `relation: ${first.statusCode}: ${first.message}`, retryable: true };
      }
    });
  }
}
