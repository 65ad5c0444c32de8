/**
 * Replies inherit their thread (DESIGN §2 "Threads", docs/rules.md): a reply to an imported email
 * carries its records, qualifies even when its own participants match nothing, and never passes
 * an earlier rule it fails. The thread's deal is kept while still eligible at the reply's date.
 */
import { describe, expect, it } from 'vitest';
import { toActivity } from '../../src/core/activity.js';
import { classifyMessage } from '../../src/core/classify.js';
import { DecisionTrace } from '../../src/core/decision-trace.js';
import type { ImportedAssociation } from '../../src/core/ports.js';
import { pageThreadKeys, threadKeys, threadParent } from '../../src/core/thread.js';
import type { MessageMeta } from '../../src/core/types.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { SqliteSyncStore } from '../../src/store/sync-store.js';
import { engineFor, msg } from '../helpers/engine.js';
import { TENANT } from './engine-fixture.js';

const engine = engineFor(TENANT);
const NOW = new Date('2026-04-25T12:00:00Z');
const OPTS = { mailboxOwner: 'alex@example-seller.com', now: NOW };

// The imported email of the thread: Jane at Acme, logged on the Acme renewal.
const PARENT: ImportedAssociation = {
  key: 'mid:kickoff@acme.com',
  activityId: 'E-100',
  contactIds: ['c-jane'],
  accountIds: ['a-acme'],
  leadIds: [],
  dealIds: ['d-renewal'],
};

function reply(h: Parameters<typeof msg>[0], parent = '<kickoff@acme.com>'): MessageMeta {
  return { ...msg({ messageId: '<reply@x.example>', ...h }), inReplyTo: parent, references: [parent] };
}
const inThread = (meta: MessageMeta, parent: ImportedAssociation = PARENT, trace?: DecisionTrace) =>
  classifyMessage(meta, null, engine, OPTS, threadParent(meta, new Map([[parent.key, parent]])) && { thread: parent }, trace);

describe('thread keys', () => {
  it('are the ledger keys of In-Reply-To, then References newest first, each once', () => {
    const meta = { ...msg({}), inReplyTo: '<c@x>', references: ['<a@x>', '<b@x>', '<c@x>'] };
    expect(threadKeys(meta)).toEqual(['mid:c@x', 'mid:b@x', 'mid:a@x']);
    expect(pageThreadKeys([meta, { ...msg({}), inReplyTo: '<d@x>', references: [] }])).toEqual(['mid:c@x', 'mid:b@x', 'mid:a@x', 'mid:d@x']);
  });

  it('the nearest imported parent wins; a message that refers to nothing imported has none', () => {
    const older: ImportedAssociation = { ...PARENT, key: 'mid:a@x', activityId: 'E-1' };
    const newer: ImportedAssociation = { ...PARENT, key: 'mid:b@x', activityId: 'E-2' };
    const meta = { ...msg({}), inReplyTo: '<c@x>', references: ['<a@x>', '<b@x>', '<c@x>'] };
    expect(threadParent(meta, new Map([[older.key, older], [newer.key, newer]]))?.activityId).toBe('E-2');
    expect(threadParent(meta, new Map())).toBeUndefined();
  });
});

describe('a reply to an imported email', () => {
  it('inherits its records, adds its own matches, and says so', () => {
    const d = inThread(reply({ from: 'ian@initrode.com', to: 'alex@example-seller.com', date: '2026-04-20T10:00:00Z' }));
    expect(d.decision).toBe('import');
    expect(d.contacts.sort()).toEqual(['c-ian', 'c-jane']);
    expect(d.accounts.sort()).toEqual(['a-acme', 'a-initrode']);
    expect(d.deals).toEqual(['d-renewal']);
    expect(d.explanation).toContain('reply in thread of activity E-100 → account Acme, deal Renewal 2027, 1 contact');
    expect(d.explanation).toContain('contact ian@initrode.com → account Initrode');
    expect(d.explanation).toContain('deal Renewal 2027 open at send time; contact role; kept from the thread');
  });

  it('forwarded to a colleague on a domain the CRM does not know: imported on the thread', () => {
    const meta = reply({ from: 'Kai <kai@acme-partner.example>', to: 'alex@example-seller.com', date: '2026-04-20T10:00:00Z' });
    // Without the thread the same email matches nothing.
    expect(classifyMessage(meta, null, engine, OPTS).reason).toBe('no-crm-match');
    const d = inThread(meta);
    expect(d).toMatchObject({ decision: 'import', reason: 'matched', accounts: ['a-acme'], contacts: ['c-jane'], deals: ['d-renewal'], relatedToId: 'd-renewal' });
  });

  it.each([
    ['internal-only', reply({ from: 'alex@example-seller.com', to: 'sam@example-seller.com' })],
    ['blocklisted', reply({ from: 'kai@acme-partner.example', to: 'alex@example-seller.com', cc: 'ops@spammy.io' })],
    ['automated', reply({ from: 'kai@acme-partner.example', to: 'alex@example-seller.com', headers: { 'List-Unsubscribe': '<https://x.example/u>' } })],
    ['draft-or-deleted', reply({ from: 'kai@acme-partner.example', to: 'alex@example-seller.com', folder: 'deleted' })],
  ])('that fails an earlier rule is still rejected: %s', (reason, meta) => {
    expect(inThread(meta)).toMatchObject({ decision: 'skip', reason, contacts: [], deals: [] });
  });

  // Expansion closed 2026-04-01; the window is 14 days. Jane holds a contact role on Renewal 2027,
  // so ranked as usual Renewal wins: only the thread rule keeps Expansion.
  const EXPANSION: ImportedAssociation = { ...PARENT, dealIds: ['d-expansion'] };
  const colleague = (date: string) => reply({ from: 'kai@acme-partner.example', to: 'alex@example-seller.com', date });

  it("keeps the thread's deal while it is eligible at the reply's send date", () => {
    const d = inThread(colleague('2026-04-15T10:00:00Z'), EXPANSION);
    expect(d.deals).toEqual(['d-expansion']);
    expect(d.explanation).toContain('deal Expansion closed 14 days before send; owner on the thread; kept from the thread');
  });

  it("ranks as usual once the thread's deal is out of the window", () => {
    const d = inThread(colleague('2026-04-16T10:00:00Z'), EXPANSION);
    expect(d.deals).toEqual(['d-renewal']);
    expect(d.explanation).toContain("thread's deal Expansion closed 15 days before send, beyond the 14-day window: deals ranked as usual");
    expect(d.explanation).not.toContain('kept from the thread');
  });

  it('the explain trace shows the inheritance and the kept deal', () => {
    const trace = new DecisionTrace();
    inThread(colleague('2026-04-15T10:00:00Z'), EXPANSION, trace);
    expect(trace.associationTrace?.thread).toMatchObject({ key: PARENT.key, activityId: 'E-100', accountIds: ['a-acme'], dealIds: ['d-expansion'] });
    expect(trace.rules().find((r) => r.rule === 'crm-match')).toMatchObject({ verdict: 'pass', detail: expect.stringContaining('reply in thread of activity E-100') });
    const candidates = trace.dealTrace!.candidates;
    expect(candidates.find((c) => c.id === 'd-expansion')).toMatchObject({ verdict: 'won', why: expect.stringContaining('kept from the thread') });
    expect(candidates.find((c) => c.id === 'd-renewal')).toMatchObject({ verdict: 'lost', why: expect.stringContaining("the thread's deal Expansion is kept") });
  });

  it('a message that is not a reply has no thread in its trace', () => {
    const trace = new DecisionTrace();
    classifyMessage(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com' }), null, engine, OPTS, undefined, trace);
    expect(trace.associationTrace?.thread).toBeNull();
  });
});

describe('the ledger lookup', () => {
  it('returns the records of imported keys in one call, and nothing for keys it does not hold', () => {
    const db = openDatabase({ path: ':memory:' });
    migrate(db);
    const store = new SqliteSyncStore(db, () => NOW);
    const parentMeta = msg({ from: 'jane@acme.com', to: 'alex@example-seller.com', messageId: '<kickoff@acme.com>' });
    const decision = classifyMessage(parentMeta, null, engine, OPTS);
    store.recordImport({ key: decision.key!, crmId: 'E-100', mailboxId: 'm1', activity: toActivity(parentMeta, decision, null, NOW), bcc: [] });

    const found = store.importedAssociations(['mid:kickoff@acme.com', 'mid:never-imported@x']);
    expect([...found.keys()]).toEqual(['mid:kickoff@acme.com']);
    expect(found.get('mid:kickoff@acme.com')).toEqual({ ...PARENT, contactIds: decision.contacts, dealIds: decision.deals });
    expect(store.importedAssociations([]).size).toBe(0);
    db.close();
  });
});
