/**
 * The re-association round over the stored work list, with a fixed clock and a scripted CRM
 * port: an email leaves the list only with its ledger update; a retryable refusal stays queued
 * for the next round; a refusal for good (the activity was deleted in the CRM) is dropped; an
 * email whose answer is unchanged leaves without a CRM call; the budget caps a round.
 */
import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../src/core/classify.js';
import type { ActivityMove, CrmChangeBatch, ImportRecord, MoveOutcome } from '../../src/core/ports.js';
import { runReassociation } from '../../src/core/reassociate-round.js';
import { touchedBy, windowStart } from '../../src/core/reassociate.js';
import type { MessageMeta } from '../../src/core/types.js';
import { toActivity } from '../../src/core/activity.js';
import { openDatabase } from '../../src/store/database.js';
import type { SqliteDomainIndex } from '../../src/store/domain-index.js';
import { migrate } from '../../src/store/migrations.js';
import { SqliteSyncStore } from '../../src/store/sync-store.js';
import { engineFor, msg } from '../helpers/engine.js';
import { TENANT } from './engine-fixture.js';

const NOW = new Date('2026-04-25T12:00:00Z');
const clock = { now: () => NOW };

function setup() {
  const engine = engineFor(TENANT);
  const db = openDatabase({ path: ':memory:' });
  migrate(db);
  const store = new SqliteSyncStore(db, () => NOW);
  const imported = (meta: MessageMeta): ImportRecord => {
    const d = classifyMessage(meta, null, engine, { mailboxOwner: null, now: NOW });
    const activity = toActivity(meta, d, null, NOW);
    return { key: d.key!, crmId: `02s-${d.key}`, mailboxId: 'mbx', activity, bcc: [] };
  };
  const change = (batch: Omit<CrmChangeBatch, 'cursor'>) => {
    const full = { ...batch, cursor: 'c' };
    store.queueTouched(touchedBy(full, engine.rules.freeMail), windowStart(NOW, 30));
    (engine.index as SqliteDomainIndex).applyChanges(full);
  };
  return { engine, store, imported, change };
}

/** A CRM port answering each move as `answer` says, and recording what it was asked. */
function scriptedCrm(answer: (m: ActivityMove) => MoveOutcome) {
  const asked: string[][] = [];
  return {
    asked,
    crm: {
      moveActivities: async (moves: readonly ActivityMove[]) => {
        asked.push(moves.map((m) => m.key));
        return moves.map(answer);
      },
    },
  };
}

const ian = msg({ from: 'Ian <ian@initrode.com>', to: 'alex@example-seller.com', date: '2026-04-14T09:00:00Z', messageId: '<ian-1@initrode.com>' });
const ian2 = msg({ from: 'Ian <ian@initrode.com>', to: 'alex@example-seller.com', date: '2026-04-15T09:00:00Z', messageId: '<ian-2@initrode.com>' });
const moveIan = { contacts: [{ id: 'c-ian', emails: ['ian@initrode.com'], phones: [], accountId: 'a-globex' }] };

describe('re-association round', () => {
  it('moves, records the ledger update and empties the list; the next round has nothing to do', async () => {
    const { engine, store, imported, change } = setup();
    store.recordImport(imported(ian));
    change(moveIan);
    expect(store.reassociationQueueSize()).toBe(1);
    const { crm, asked } = scriptedCrm((m) => ({ key: m.key, ok: true, crmId: '02s-new', unchanged: false }));
    const r = await runReassociation({ store, crm, ctx: engine, clock }, { windowDays: 30, maxPerRound: 200, batchSize: 200 });
    expect(r).toEqual({ reassociated: 1, checked: 1, pending: 0, failed: [] });
    expect(asked).toEqual([['mid:ian-1@initrode.com']]);
    expect(store.entry('mid:ian-1@initrode.com')).toMatchObject({ crmId: '02s-new', relatedToId: 'a-globex' });
    expect(store.entry('mid:ian-1@initrode.com')!.explanation).toMatch(/\nre-associated 2026-04-25: account Initrode → account Globex \(/);
    const again = await runReassociation({ store, crm, ctx: engine, clock }, { windowDays: 30, maxPerRound: 200, batchSize: 200 });
    expect(again).toEqual({ reassociated: 0, checked: 0, pending: 0, failed: [] });
    expect(asked).toHaveLength(1);
  });

  it('a retryable refusal stays queued (ledger unchanged); a refusal for good is dropped', async () => {
    const { engine, store, imported, change } = setup();
    store.recordImport(imported(ian));
    store.recordImport(imported(ian2));
    change(moveIan);
    const { crm } = scriptedCrm((m) =>
      m.key === 'mid:ian-1@initrode.com'
        ? { key: m.key, ok: false, error: 'UNABLE_TO_LOCK_ROW: busy', retryable: true }
        : { key: m.key, ok: false, error: 'NOT_FOUND: deleted in Salesforce', retryable: false },
    );
    const r = await runReassociation({ store, crm, ctx: engine, clock }, { windowDays: 30, maxPerRound: 200, batchSize: 200 });
    expect(r.reassociated).toBe(0);
    expect(r.failed.map((f) => [f.key, f.retryable])).toEqual([['mid:ian-1@initrode.com', true], ['mid:ian-2@initrode.com', false]]);
    expect(store.reassociationQueue(10)).toEqual(['mid:ian-1@initrode.com']);
    expect(store.entry('mid:ian-1@initrode.com')).toMatchObject({ crmId: '02s-mid:ian-1@initrode.com', relatedToId: 'a-initrode' });
  });

  it('an unchanged answer leaves the list without a CRM call; the budget caps a round', async () => {
    const { engine, store, imported, change } = setup();
    store.recordImport(imported(ian));
    store.recordImport(imported(ian2));
    // A phone change touches the contact, but not where its mail belongs.
    change({ contacts: [{ id: 'c-ian', emails: ['ian@initrode.com'], phones: ['+1 555'], accountId: 'a-initrode' }] });
    const { crm, asked } = scriptedCrm((m) => ({ key: m.key, ok: true, crmId: 'x', unchanged: false }));
    const first = await runReassociation({ store, crm, ctx: engine, clock }, { windowDays: 30, maxPerRound: 1, batchSize: 200 });
    expect(first).toEqual({ reassociated: 0, checked: 1, pending: 1, failed: [] });
    const second = await runReassociation({ store, crm, ctx: engine, clock }, { windowDays: 30, maxPerRound: 1, batchSize: 200 });
    expect(second).toEqual({ reassociated: 0, checked: 1, pending: 0, failed: [] });
    expect(asked).toEqual([]);
  });
});
