/**
 * Write-back to HubSpot, idempotent on `mailbridge_key` (a unique-value property defined by the
 * HubSpot app):
 * 1. unless told to trust the unique property alone, read which keys already exist (batch read
 *    with `idProperty = mailbridge_key`: consistent, unlike search, which lags behind writes);
 * 2. batch-create the missing engagements, 100 per call, associations inline, one input per key
 *    (the same email twice in a chunk is sent once);
 * 3. a create that meets a key already taken (a replay, a lost response, another writer) is
 *    answered either per input (207 CONFLICT items) or by refusing the WHOLE batch (409, or 400
 *    "already has that value"), with or without the other inputs saved. Either way the keys are
 *    read back: found keys report their existing id, the rest are created again. A round that
 *    finds nothing new stops, leaving those drafts failed and retryable.
 * Results are matched to drafts by key: HubSpot does not promise input order.
 */
import type { ActivityDraft, WriteOutcome } from '../../core/ports.js';
import { hsObject, KEY_PROPERTY, toEngagement } from './hubspot-mapping.js';

export const HS_BATCH = 100;

export type ItemError = { message?: string; category?: string };
/** One engagement create input: properties and inline associations. */
export type EngagementInput = ReturnType<typeof toEngagement>;

/** What a batch create answered: created objects and 207 items, or a whole-batch unique-value refusal. */
export type CreateAnswer = { results: unknown[]; errors: ItemError[] } | { conflict: string };

export interface HsWriteApi {
  /** Existing engagements by key (batch read by the unique property). */
  readByKeys(keys: string[]): Promise<unknown[]>;
  /** Batch create; resolves with created objects and the per-input errors of a 207, or the conflict. */
  createBatch(inputs: EngagementInput[]): Promise<CreateAnswer>;
}

export type DedupeMode = 'read-before-create' | 'unique-property';

/** Rounds of create → read back → create the rest before giving up on a chunk's leftovers. */
const MAX_ROUNDS = 5;

export async function idsByKey(api: HsWriteApi, keys: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (!keys.length) return found;
  for (const raw of await api.readByKeys(keys)) {
    const o = hsObject.parse(raw);
    const key = o.properties[KEY_PROPERTY];
    if (key) found.set(key, o.id);
  }
  return found;
}

/** Writes up to 100 drafts; outcomes in draft order. */
export function writeHubspotBatch(api: HsWriteApi, drafts: readonly ActivityDraft[], mode: DedupeMode): Promise<WriteOutcome[]> {
  return createByKey(api, drafts, mode, toEngagement);
}

/** The create-by-key steps above for any engagement (emails, meetings): `toInput` builds each input. */
export async function createByKey<D extends { key: string }>(api: HsWriteApi, drafts: readonly D[], mode: DedupeMode, toInput: (draft: D) => EngagementInput): Promise<WriteOutcome[]> {
  const unique = [...new Map(drafts.map((d) => [d.key, d])).values()];
  const ids = mode === 'read-before-create' ? await idsByKey(api, unique.map((d) => d.key)) : new Map<string, string>();
  let missing = unique.filter((d) => !ids.has(d.key));
  let failure: { error: string; retryable: boolean } | null = null;
  for (let round = 1; missing.length && round <= MAX_ROUNDS; round++) {
    const answer = await api.createBatch(missing.map(toInput));
    // A 207 settles every input (created or failed); a whole-batch refusal settles none.
    const whole = 'conflict' in answer;
    let conflict: string | null = whole ? answer.conflict : null;
    if (!whole) {
      for (const raw of answer.results) {
        const o = hsObject.parse(raw);
        const key = o.properties[KEY_PROPERTY];
        if (key) ids.set(key, o.id);
      }
      const other = answer.errors.find((e) => e.category !== 'CONFLICT');
      if (other) failure = { error: `${other.category ?? 'ERROR'}: ${other.message ?? 'not created'}`, retryable: false };
      conflict = answer.errors.find((e) => e.category === 'CONFLICT')?.message ?? null;
    }
    missing = missing.filter((d) => !ids.has(d.key));
    if (conflict === null || !missing.length) break;
    // Which keys exist is known only by reading them: a refusal names one id at most.
    const before = missing.length;
    for (const [key, id] of await idsByKey(api, missing.map((d) => d.key))) ids.set(key, id);
    missing = missing.filter((d) => !ids.has(d.key));
    // A 207's leftovers failed for their own reasons; a refusal that frees no key would repeat.
    if (!whole || missing.length === before) {
      failure ??= { error: `CONFLICT: ${conflict}`, retryable: true };
      break;
    }
  }
  return drafts.map((d): WriteOutcome => {
    const crmId = ids.get(d.key);
    if (crmId) return { key: d.key, ok: true, crmId };
    return { key: d.key, ok: false, ...(failure ?? { error: 'CONFLICT: not created', retryable: true }) };
  });
}
