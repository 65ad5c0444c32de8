/**
 * Write-back to HubSpot, idempotent on `mailbridge_key` (a unique-value property defined by the
 * HubSpot app):
 * 1. unless told to trust the unique property alone, read which keys already exist (batch read
 *    with `idProperty = mailbridge_key`: consistent, unlike search, which lags behind writes);
 * 2. batch-create the missing engagements, 100 per call, associations inline;
 * 3. keys refused as already existing (a replay racing a lagging index, or a lost response) are
 *    read back by key, so they report their existing id instead of failing.
 * Results are matched to drafts by key: HubSpot does not promise input order.
 */
import type { ActivityDraft, WriteOutcome } from '../../core/ports.js';
import { hsObject, KEY_PROPERTY, toEngagement } from './hubspot-mapping.js';

export const HS_BATCH = 100;

export interface HsWriteApi {
  /** Existing engagements by key (batch read by the unique property). */
  readByKeys(keys: string[]): Promise<unknown[]>;
  /** Batch create; resolves with created objects and the per-input errors of a 207. */
  createBatch(inputs: ReturnType<typeof toEngagement>[]): Promise<{ results: unknown[]; errors: { message?: string; category?: string }[] }>;
}

export type DedupeMode = 'read-before-create' | 'unique-property';

async function idsByKey(api: HsWriteApi, keys: string[]): Promise<Map<string, string>> {
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
export async function writeHubspotBatch(api: HsWriteApi, drafts: readonly ActivityDraft[], mode: DedupeMode): Promise<WriteOutcome[]> {
  const keys = drafts.map((d) => d.key);
  const existing = mode === 'read-before-create' ? await idsByKey(api, keys) : new Map<string, string>();
  const missing = drafts.filter((d) => !existing.has(d.key));
  const ids = new Map(existing);
  let errors: { message?: string; category?: string }[] = [];
  if (missing.length) {
    const created = await api.createBatch(missing.map(toEngagement));
    for (const raw of created.results) {
      const o = hsObject.parse(raw);
      const key = o.properties[KEY_PROPERTY];
      if (key) ids.set(key, o.id);
    }
    errors = created.errors;
  }
  const unresolved = missing.filter((d) => !ids.has(d.key)).map((d) => d.key);
  if (unresolved.length && errors.some((e) => e.category === 'CONFLICT')) {
    for (const [key, id] of await idsByKey(api, unresolved)) ids.set(key, id);
  }
  const firstError = errors.find((e) => e.category !== 'CONFLICT') ?? errors[0];
  return drafts.map((d): WriteOutcome => {
    const crmId = ids.get(d.key);
    if (crmId) return { key: d.key, ok: true, crmId };
    return { key: d.key, ok: false, error: `${firstError?.category ?? 'ERROR'}: ${firstError?.message ?? 'not created'}`, retryable: firstError?.category === 'CONFLICT' };
  });
}
