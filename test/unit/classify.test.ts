import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../src/core/classify.js';
import { engineFor, msg } from '../helpers/engine.js';
import { TENANT } from './engine-fixture.js';

const engine = engineFor(TENANT);
const NOW = new Date('2026-06-01T00:00:00Z');
const run = (m: ReturnType<typeof msg>, owner: string | null = 'alex@example-seller.com', ctx = engine) =>
  classifyMessage(m, { text: 'Hi, see below.', html: null }, ctx, { mailboxOwner: owner, now: NOW });

describe('deals through the engine', () => {
  // DESIGN §2: deal candidates are the deals of the associated accounts; contact role ranks first.
  it('picks the open deal where the contact holds a role', () => {
    const d = run(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com', date: '2026-04-14T09:00:00Z' }));
    expect(d.deals).toEqual(['d-renewal']);
    expect(d.relatedToId).toBe('d-renewal');
    expect(d.explanation).toContain('deal Renewal 2027 open at send time; contact role');
  });

  // Gong seed: "associated with a deal up to 14 days after a deal is closed. After this period,
  // activities are associated with accounts".
  it.each([
    ['2026-03-15T12:00:00Z', ['d-pilot']],
    ['2026-03-16T12:00:00Z', []],
  ])('Globex pilot closed 2026-03-01, email sent %s → deals %j', (date, deals) => {
    const d = run(msg({ from: 'x@globex.com', to: 'alex@example-seller.com', date }));
    expect(d.decision).toBe('import');
    expect(d.deals).toEqual(deals);
    expect(d.accounts.sort()).toEqual(['a-globex', 'a-globex-eu']);
    if (!deals.length) expect(d.explanation).toContain('no eligible deal: logged on the account');
  });

  // "…or another open deal such as a renewal opportunity if one is found."
  it('after the window, mail goes to another open deal', () => {
    const d = run(msg({ from: 'kim@acme.com', to: 'alex@example-seller.com', date: '2026-05-01T12:00:00Z' }));
    expect(d.deals).toEqual(['d-renewal']);
  });

  it('backfill uses the email date, not the sync date', () => {
    // Expansion closed 2026-04-01: an email of 2026-04-10 read on 2026-06-01 still reaches it.
    // Renewal is open then too and ranks first (open before closed; no deal owner on the thread).
    const two = engineFor(TENANT, { maxDeals: 2 });
    const d = run(msg({ from: 'kim@acme.com', to: 'team@seller.co.uk', date: '2026-04-10T12:00:00Z' }), null, two);
    expect(d.deals).toEqual(['d-renewal', 'd-expansion']);
    const later = run(msg({ from: 'kim@acme.com', to: 'team@seller.co.uk', date: '2026-04-20T12:00:00Z' }), null, two);
    expect(later.deals).toEqual(['d-renewal']);
  });

  it('a deal owner on the thread outranks open before closed', () => {
    const two = engineFor(TENANT, { maxDeals: 2 });
    const d = run(msg({ from: 'kim@acme.com', to: 'alex@example-seller.com', date: '2026-04-10T12:00:00Z' }), null, two);
    expect(d.deals).toEqual(['d-expansion', 'd-renewal']);
  });
});

// Jiminny seed: "If one of the recipients is the owner of the matched opportunity, the
// conversation is assigned to them. Otherwise … the user who owns the inbox in question."
describe('owner rule', () => {
  it('deal owner when a participant', () => {
    const d = run(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com', cc: 'sam@example-seller.com' }));
    expect(d.owner).toBe('u-sam');
  });
  it('mailbox owner otherwise', () => {
    const d = run(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com' }));
    expect(d.owner).toBe('u-alex');
  });
  it('none when the mailbox owner is not a CRM user', () => {
    expect(run(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com' }), null).owner).toBeNull();
  });
});

describe('decision fields', () => {
  it('direction follows the sender', () => {
    expect(run(msg({ from: 'alex@example-seller.com', to: 'jane@acme.com' })).direction).toBe('outbound');
    expect(run(msg({ from: 'jane@acme.com', to: 'alex@example-seller.com' })).direction).toBe('inbound');
  });
  it('a skip carries no ids', () => {
    const d = run(msg({ from: 'someone@unknown-co.com', to: 'alex@example-seller.com' }));
    expect(d).toMatchObject({ decision: 'skip', reason: 'no-crm-match', contacts: [], accounts: [], deals: [], owner: null, key: null });
  });
  // DESIGN §1.4: the body-level check may still reject qualifying mail as automated.
  it('the body check can still reject a qualifying message', () => {
    const d = classifyMessage(
      msg({ from: 'jane@acme.com', to: 'alex@example-seller.com' }),
      {
        text: null,
        html: '<p>Big news!</p><p><a href="https://acme.com/unsubscribe?id=1">Unsubscribe</a> | <a href="https://acme.com/view">View in browser</a></p><img src="https://t.acme.com/open.gif" width="1" height="1">',
      },
      engine,
      { mailboxOwner: null, now: NOW },
    );
    expect(d).toMatchObject({ decision: 'skip', reason: 'automated' });
  });
});
