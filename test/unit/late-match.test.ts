/**
 * Late matching's pure parts with a fixed clock: which CRM keys a change batch makes new (against
 * the index as it was before the batch), the carried queue, and the per-round search budget.
 */
import { describe, expect, it } from 'vitest';
import { enqueueKeys, MAX_QUEUED_KEYS, newLateMatchKeys, planLateMatch, searchId, settleQueue } from '../../src/core/late-match.js';
import type { CrmChangeBatch, LateMatchKey } from '../../src/core/ports.js';
import { engineFor } from '../helpers/engine.js';
import { TENANT } from './engine-fixture.js';

const engine = engineFor(TENANT);
const keys = (batch: Omit<CrmChangeBatch, 'cursor'>) => newLateMatchKeys({ ...batch, cursor: 'c' }, engine.index, engine.rules.freeMail);
const NOW = new Date('2026-04-25T12:00:00Z');

describe('late matching: new keys of a CRM change batch', () => {
  it('a new contact without an account is a new address; one on a known domain or address is not', () => {
    expect(keys({ contacts: [{ id: 'c1', emails: ['Pat+news@Wayne.example'], phones: [], accountId: null }] })).toEqual([{ kind: 'address', key: 'pat@wayne.example' }]);
    // acme.com is an account domain already: its mail matched by domain and was never rejected for want of a match.
    expect(keys({ contacts: [{ id: 'c2', emails: ['new@acme.com'], phones: [], accountId: null }] })).toEqual([]);
    // An address the index already holds (another contact) matched before too.
    expect(keys({ contacts: [{ id: 'c3', emails: ['solo@solo-consulting.com'], phones: [], accountId: null }] })).toEqual([]);
  });

  it('a contact with an account makes its domain new (covering the address), never a free-mail domain', () => {
    expect(keys({ contacts: [{ id: 'c1', emails: ['pat@wayne.example'], phones: [], accountId: 'a-acme' }] })).toEqual([{ kind: 'domain', key: 'wayne.example' }]);
    expect(keys({ contacts: [{ id: 'c2', emails: ['pat.new@gmail.com'], phones: [], accountId: 'a-acme' }] })).toEqual([{ kind: 'address', key: 'pat.new@gmail.com' }]);
  });

  it('an account domain (a website URL too) and a lead domain are new domains; a known one is not', () => {
    expect(keys({ accounts: [{ id: 'a1', name: 'Wayne', domains: ['https://www.wayne.example/about', 'globex.com'], ownerId: null }] })).toEqual([{ kind: 'domain', key: 'wayne.example' }]);
    expect(keys({ leads: [{ id: 'l1', emails: ['ceo@stark.example'], phones: [], company: 'Stark', domain: 'stark.example' }] })).toEqual([{ kind: 'domain', key: 'stark.example' }]);
    // A lead on a free-mail domain: its address only.
    expect(keys({ leads: [{ id: 'l2', emails: ['new.lead@outlook.com'], phones: [], company: null, domain: null }] })).toEqual([{ kind: 'address', key: 'new.lead@outlook.com' }]);
    // hooli.io already matches a lead by the domain of its address.
    expect(keys({ leads: [{ id: 'l4', emails: ['x@hooli.io'], phones: [], company: null, domain: null }] })).toEqual([]);
    expect(keys({ leads: [{ id: 'l3', emails: [], phones: [], company: null, domain: 'piedpiper.com' }] })).toEqual([]);
  });

  it('deletions and deals bring no key', () => {
    expect(keys({ deleted: [{ kind: 'contact', id: 'c-jane' }], deals: TENANT.deals.slice(0, 1) })).toEqual([]);
  });
});

describe('late matching: queue and budget', () => {
  const found = [
    { kind: 'address' as const, key: 'a@x.example' },
    { kind: 'domain' as const, key: 'y.example' },
  ];

  it('queues each key once, with its window fixed at detection, and caps the queue', () => {
    const { queue } = enqueueKeys([], found, NOW, 30);
    expect(queue).toEqual([
      { kind: 'address', key: 'a@x.example', since: '2026-03-26T12:00:00.000Z', detectedAt: NOW.toISOString(), searched: [] },
      { kind: 'domain', key: 'y.example', since: '2026-03-26T12:00:00.000Z', detectedAt: NOW.toISOString(), searched: [] },
    ]);
    expect(enqueueKeys(queue, found, new Date('2026-04-26T00:00:00Z'), 30).queue).toEqual(queue);
    const full = Array.from({ length: MAX_QUEUED_KEYS }, (_, i): LateMatchKey => ({ kind: 'address', key: `k${i}@z.example`, since: '', detectedAt: NOW.toISOString(), searched: [] }));
    expect(enqueueKeys(full, found, NOW, 30)).toMatchObject({ dropped: 2 });
  });

  it('plans at most the budget, in queue order, skipping mailboxes already searched', () => {
    const { queue } = enqueueKeys([], found, NOW, 30);
    queue[0]!.searched = ['m1'];
    const { searches } = planLateMatch(queue, ['m1', 'm2', 'm3'], 3, NOW, 30);
    expect(searches.map((s) => searchId(s.entry, s.mailboxId))).toEqual(['address:a@x.example|m2', 'address:a@x.example|m3', 'domain:y.example|m1']);
  });

  it('carries what the budget left, drops keys searched everywhere, and keys older than the window', () => {
    const { queue } = enqueueKeys([], found, NOW, 30);
    const done = new Set(['address:a@x.example|m1', 'address:a@x.example|m2', 'domain:y.example|m1']);
    const left = settleQueue(queue, done, ['m1', 'm2'], NOW, 30);
    expect(left).toEqual([{ ...queue[1], searched: ['m1'] }]);
    expect(settleQueue(left, new Set(), ['m1', 'm2'], new Date('2026-05-26T00:00:00Z'), 30)).toEqual([]);
    expect(planLateMatch(left, ['m1', 'm2'], 50, new Date('2026-05-26T00:00:00Z'), 30)).toMatchObject({ searches: [], expired: 1 });
  });
});
