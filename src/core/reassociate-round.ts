/**
 * The re-association part of a round (docs/rules.md "Re-association when the CRM changes"): the
 * queued emails are decided again in batches, the CRM activities that must move are moved, and
 * each email leaves the work list only once its move and its ledger update are both done, so a
 * crash anywhere means the next round does that email again (the CRM side is idempotent).
 */
import type { EngineContext } from './classify.js';
import { pageKeys } from './participants.js';
import type { ActivityMove, Clock, CrmAdapter, IndexResolver, ReassociationStore, SyncStore } from './ports.js';
import { ledgerMeta, reassociate } from './reassociate.js';
import { pageThreadKeys, threadParent } from './thread.js';

export interface ReassociationOptions {
  windowDays: number;
  /** Emails decided again per round; the rest wait for the next one. */
  maxPerRound: number;
  /** Emails per CRM batch. */
  batchSize: number;
}

export interface ReassociationDeps {
  store: ReassociationStore & Pick<SyncStore, 'importedAssociations'>;
  crm: Pick<CrmAdapter, 'moveActivities'>;
  ctx: EngineContext;
  /** With a shared store: each batch's participant keys are resolved in one round trip. */
  resolver?: IndexResolver;
  clock: Clock;
  shouldStop?(): boolean;
}

export interface ReassociationResult {
  /** Activities moved to new records this round (their ledger rows updated). */
  reassociated: number;
  /** Emails decided again this round. */
  checked: number;
  /** Emails still queued (over the round's budget, or a move to retry). */
  pending: number;
  /** Moves the CRM refused (`error` names why); a retryable one stays queued. */
  failed: { key: string; error: string; retryable: boolean }[];
}

export async function runReassociation(deps: ReassociationDeps, opts: ReassociationOptions): Promise<ReassociationResult> {
  const result: ReassociationResult = { reassociated: 0, checked: 0, pending: 0, failed: [] };
  const { store } = deps;
  const queued = opts.maxPerRound > 0 ? await store.reassociationQueue(opts.maxPerRound) : [];
  const now = deps.clock.now();
  for (let i = 0; i < queued.length; i += opts.batchSize) {
    if (deps.shouldStop?.()) break;
    const chunk = queued.slice(i, i + opts.batchSize);
    const facts = await store.ledgerFacts(chunk);
    // Gone from the ledger (erased, purged) since it was queued: nothing to move.
    const held = new Set(facts.map((f) => f.key));
    const gone = chunk.filter((k) => !held.has(k));
    const metas = facts.map(ledgerMeta);
    const parents = await store.importedAssociations(pageThreadKeys(metas));
    const ctx: EngineContext = deps.resolver ? { ...deps.ctx, index: await deps.resolver.resolveKeys(pageKeys(metas, deps.ctx.rules.companyDomains, '')) } : deps.ctx;
    const moves: ActivityMove[] = [];
    const settled = [...gone];
    facts.forEach((f, j) => {
      result.checked++;
      const parent = threadParent(metas[j]!, parents);
      const r = reassociate(f, ctx, parent?.key === f.key ? undefined : parent, now, opts.windowDays);
      if (r.kind === 'move') moves.push(r.move);
      else settled.push(f.key);
    });
    if (settled.length) await store.dropFromReassociation(settled);
    if (!moves.length) continue;
    const outcomes = new Map((await deps.crm.moveActivities(moves)).map((o) => [o.key, o]));
    for (const move of moves) {
      const o = outcomes.get(move.key);
      if (o?.ok) {
        await store.recordMove(move.key, o.crmId, move.to, move.explanation);
        result.reassociated++;
      } else {
        const failure = o && !o.ok ? o : { key: move.key, error: 'no answer from the CRM', retryable: true };
        result.failed.push({ key: move.key, error: failure.error, retryable: failure.retryable });
        // Refused for good (the activity was deleted in the CRM): it cannot move; retry the rest next round.
        if (!failure.retryable) await store.dropFromReassociation([move.key]);
      }
    }
  }
  result.pending = await store.reassociationQueueSize();
  return result;
}
