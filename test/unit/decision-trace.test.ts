/**
 * The explain trace is filled by the engine's own rules: for each skip reason, the failing rule
 * names the participant, list or header, the rules after it are not reached, and the decision
 * is the one the engine makes without a trace.
 */
import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../src/core/classify.js';
import { DecisionTrace, TRACED_RULES } from '../../src/core/decision-trace.js';
import { engineFor, msg } from '../helpers/engine.js';
import { TENANT } from './engine-fixture.js';

const engine = engineFor(TENANT);
const NOW = new Date('2026-06-01T00:00:00Z');
const PERSON = { text: 'Hi, see below.', html: null };
const OPTS = { mailboxOwner: 'alex@example-seller.com', now: NOW };

function traced(m: ReturnType<typeof msg>, body: { text: string | null; html: string | null } | null = PERSON) {
  const trace = new DecisionTrace();
  const decision = classifyMessage(m, body, engine, OPTS, undefined, trace);
  // The trace changes nothing: the same message without one gets the same decision.
  expect(classifyMessage(m, body, engine, OPTS)).toEqual(decision);
  return { decision, trace, verdicts: Object.fromEntries(trace.rules().map((s) => [s.rule, s.verdict])), step: (rule: string) => trace.rules().find((s) => s.rule === rule)! };
}

/** Rules before `failing` pass, it fails, every later one is not reached. */
function expectFailsAt(verdicts: Record<string, string>, failing: string): void {
  const order = TRACED_RULES.map((r) => r.rule);
  const at = order.indexOf(failing as (typeof order)[number]);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(order.map((r) => verdicts[r])).toEqual(order.map((_, i) => (i < at ? 'pass' : i === at ? 'fail' : 'not-reached')));
}

describe('decision trace', () => {
  it('draft-or-deleted names the folder', () => {
    const t = traced(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com', folder: 'deleted' }));
    expect(t.decision.reason).toBe('draft-or-deleted');
    expectFailsAt(t.verdicts, 'draft-or-deleted');
    expect(t.step('draft-or-deleted').detail).toContain('folder deleted');
  });

  it('internal-only lists the company participants', () => {
    const t = traced(msg({ from: 'sam@example-seller.com', to: 'alex@example-seller.com' }));
    expect(t.decision.reason).toBe('internal-only');
    expectFailsAt(t.verdicts, 'internal-only');
    expect(t.step('internal-only').detail).toBe('every participant is on a company domain: sam@example-seller.com (from), alex@example-seller.com (to)');
  });

  it('blocklisted names the participant and the domain-list entry it is on', () => {
    const t = traced(msg({ from: 'ann@mail.spammy.io', to: 'alex@example-seller.com' }));
    expect(t.decision.reason).toBe('blocklisted');
    expectFailsAt(t.verdicts, 'blocklisted');
    expect(t.step('blocklisted').detail).toBe('participant ann@mail.spammy.io (from) is on the domain list: spammy.io');
    // What the engine keeps as its reason stays generic (it may be counted).
    expect(t.decision.explanation).toBe('domain blocked');
  });

  it('blocklisted names a subject phrase', () => {
    const t = traced(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com', subject: 'RE: confidential: hr matter' }));
    expect(t.step('blocklisted')).toMatchObject({ verdict: 'fail', detail: 'subject contains the blocked phrase "confidential: hr"' });
  });

  it('automated names the header', () => {
    const t = traced(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com', headers: { 'List-Unsubscribe': '<mailto:u@acme.com>' } }));
    expect(t.decision.reason).toBe('automated');
    expectFailsAt(t.verdicts, 'automated-headers');
    expect(t.step('automated-headers').detail).toBe('List-Unsubscribe header');
  });

  it('bulk recipients counts them', () => {
    const to = Array.from({ length: 16 }, (_, i) => `r${i}@example-seller.com`).join(', ');
    const t = traced(msg({ from: 'x@unknown-corp.com', to }));
    expectFailsAt(t.verdicts, 'bulk-recipients');
    expect(t.step('bulk-recipients').detail).toMatch(/^16 recipients: more than 15/);
  });

  it('no-crm-match says why each external participant matched nothing', () => {
    const t = traced(msg({ from: 'someone@nomatch-corp.com', to: 'alex@example-seller.com', cc: 'friend@gmail.com' }));
    expect(t.decision.reason).toBe('no-crm-match');
    expectFailsAt(t.verdicts, 'crm-match');
    expect(t.trace.associationTrace?.external).toEqual([
      { address: 'someone@nomatch-corp.com', role: 'from', matched: ['no contact or lead with this address, no account or lead on nomatch-corp.com'] },
      { address: 'friend@gmail.com', role: 'cc', matched: ['no contact or lead with this address (gmail.com is free mail: matched by exact address only)'] },
    ]);
    expect(t.trace.associationTrace?.ours).toEqual([{ address: 'alex@example-seller.com', role: 'to', why: 'CRM user u-alex' }]);
  });

  it('the body check runs last and names the bulk-mail tell', () => {
    const t = traced(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com' }), { text: 'Your order has shipped.\nPlease do not reply to this email.', html: null });
    expect(t.decision.reason).toBe('automated');
    expectFailsAt(t.verdicts, 'automated-body');
    expect(t.step('automated-body').detail).toBe(t.decision.explanation);
    expect(t.step('automated-body').detail).toMatch(/wording/);
  });

  it('without a body the body check is reported as not run', () => {
    const t = traced(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com' }), null);
    expect(t.step('automated-body')).toEqual({ rule: 'automated-body', verdict: 'not-reached', detail: 'no body to check' });
  });

  it('an import passes every rule and ranks the deals: the winner, and the loser with the criterion that beat it', () => {
    const t = traced(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com', date: '2026-04-10T09:00:00Z' }));
    expect(t.decision.decision).toBe('import');
    expect(Object.values(t.verdicts)).toEqual(TRACED_RULES.map(() => 'pass'));
    // The fixture holds jane twice: once on Acme, once without an account.
    expect(t.step('crm-match').detail).toBe('contact jane@acme.com → account Acme; contact jane@acme.com');
    expect(t.trace.associationTrace?.external).toEqual([
      { address: 'jane@acme.com', role: 'from', matched: ['contact jane@acme.com → account Acme', 'contact jane@acme.com'] },
    ]);
    expect(t.trace.dealTrace?.chosen).toEqual(['d-renewal']);
    expect(t.trace.dealTrace?.candidates).toEqual([
      { id: 'd-renewal', name: 'Renewal 2027', accountId: 'a-acme', verdict: 'won', why: 'deal Renewal 2027 open at send time; contact role' },
      {
        id: 'd-expansion', name: 'Expansion', accountId: 'a-acme', verdict: 'lost',
        why: 'closed 9 days before send; ranked below Renewal 2027: no participant holds a contact role on it',
      },
    ]);
    expect(t.trace.dealTrace?.owner).toEqual({ id: 'u-alex', why: 'owner: mailbox owner' });
  });

  it('the owner on the thread breaks the tie when no contact role does', () => {
    // kim@acme.com holds no role; sam (owner of the renewal) is on the thread, alex owns the expansion and is too.
    const t = traced(msg({ from: 'kim@acme.com', to: 'sam@example-seller.com', date: '2026-04-10T09:00:00Z' }));
    const lost = t.trace.dealTrace!.candidates.find((c) => c.verdict === 'lost')!;
    expect(lost.id).toBe('d-expansion');
    expect(lost.why).toBe('closed 9 days before send; ranked below Renewal 2027: its owner is not on the thread');
  });

  it('a deal closed beyond the window is ineligible, with the days counted', () => {
    const t = traced(msg({ from: 'x@globex.com', to: 'alex@example-seller.com', date: '2026-03-20T12:00:00Z' }));
    expect(t.trace.dealTrace?.candidates).toEqual([
      { id: 'd-pilot', name: 'Pilot', accountId: 'a-globex', verdict: 'ineligible', why: 'closed 19 days before send, beyond the 14-day window' },
    ]);
    expect(t.trace.dealTrace?.chosen).toEqual([]);
  });
});
