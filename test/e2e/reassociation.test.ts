/**
 * Re-association end to end on both CRMs (docs/rules.md "Re-association when the CRM changes"):
 * an email logged on an open deal moves to the account when the CRM closes that deal with a
 * close date more than 14 days before the mail; the CRM keeps one activity per email, and the
 * explanation gains its `re-associated <date>: <why>` line. A crash in the middle of a
 * re-association batch (the sync child killed at a CRM write) leaves no half-updated activity
 * after the next round.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { syncTenant } from '../../src/app/sync-tenant.js';
import { parseSnapshot } from '../../src/core/snapshot.js';
import { mail, startPipeline, type CrmKind, type Pipeline, type ProviderKind } from './sync-harness.js';

const snapshot = parseSnapshot(JSON.parse(readFileSync(new URL('../../examples/sample-crm.json', import.meta.url), 'utf8')));
const NOW = new Date('2026-04-25T12:00:00Z');
const ALEX = 'alex@example-seller.com';

function mailboxes() {
  return [
    {
      address: ALEX,
      messages: [
        mail('inbox', '2026-04-19T09:12:00Z', {
          From: 'Jane Doe <jane.doe@acme.com>',
          To: ALEX,
          Subject: 'Renewal pricing',
          Date: 'Sun, 19 Apr 2026 09:12:00 +0000',
          'Message-ID': '<renewal-1@acme.com>',
        }),
        mail('sent', '2026-04-20T10:00:00Z', {
          From: ALEX,
          To: 'Jane Doe <jane.doe@acme.com>',
          Subject: 'Re: Renewal pricing',
          Date: 'Mon, 20 Apr 2026 10:00:00 +0000',
          'Message-ID': '<renewal-2@example-seller.com>',
          'In-Reply-To': '<renewal-1@acme.com>',
        }),
        mail('inbox', '2026-04-21T08:00:00Z', {
          From: 'Bob Stone <bob@globex.com>',
          To: ALEX,
          Subject: 'Globex check-in',
          Date: 'Tue, 21 Apr 2026 08:00:00 +0000',
          'Message-ID': '<checkin@globex.com>',
        }),
      ],
    },
  ];
}

const COMBOS: [ProviderKind, CrmKind][] = [
  ['graph', 'salesforce'],
  ['gmail', 'hubspot'],
];

describe.each(COMBOS)('re-association: %s → %s', (provider, crm) => {
  let p: Pipeline;
  afterEach(async () => {
    await p.close();
  });

  it('a deal closed before the mail moves its emails to the account, once, with the why', async () => {
    p = await startPipeline({ provider, crm, snapshot, mailboxes: mailboxes(), now: NOW });
    const first = await syncTenant(p.deps);
    expect(first.reassociation).toMatchObject({ reassociated: 0, checked: 0 });
    const before = p.crm.emails();
    expect(before.filter((e) => e.relatedTo === '006-acme-renewal').map((e) => e.subject).sort()).toEqual(['Re: Renewal pricing', 'Renewal pricing']);

    // Closed on March 20: more than 14 days before either mail, so neither belongs to it.
    p.crm.closeDeal('006-acme-renewal', '2026-03-20');
    const second = await syncTenant(p.deps);
    // Bob's mail (Globex) is not touched by the change.
    expect(second.reassociation).toMatchObject({ reassociated: 2, checked: 2, pending: 0, failed: [] });
    const after = p.crm.emails();
    expect(after).toHaveLength(before.length);
    expect(new Set(after.map((e) => e.key)).size).toBe(after.length);
    for (const e of after.filter((x) => x.subject.includes('Renewal pricing'))) {
      expect(e.relatedTo).toBe('001-acme');
      expect(e.deals).toEqual([]);
      expect(e.explanation).toMatch(/\nre-associated 2026-04-25: deal Acme Renewal 2026 → account Acme Corp \(/);
      expect(e.explanation).toMatch(/\(deal Acme Renewal 2026 closed 3[01] days before send, beyond the 14-day window; /);
      // The ledger follows the CRM: its activity id and its explanation.
      const entry = p.store.entry(e.key)!;
      expect(entry.crmId).toBe(e.crmId);
      expect(entry.relatedToId).toBe('001-acme');
      expect(entry.explanation).toBe(e.explanation);
    }
    expect(after.find((e) => e.subject === 'Globex check-in')).toEqual(before.find((e) => e.subject === 'Globex check-in'));

    // Idempotent: nothing is queued or moved the round after.
    const third = await syncTenant(p.deps);
    expect(third.reassociation).toMatchObject({ reassociated: 0, checked: 0, pending: 0 });
    expect(p.crm.emails()).toEqual(after);
  });

  it('a contact moved to another account takes its mail there: onto that account\'s open deal', async () => {
    p = await startPipeline({ provider, crm, snapshot, mailboxes: mailboxes(), now: NOW });
    await syncTenant(p.deps);
    const before = p.crm.emails();
    // Globex's only deal closed in February: Bob's mail went to the account.
    expect(before.find((e) => e.subject === 'Globex check-in')!.relatedTo).toBe('001-globex');
    p.crm.moveContact('003-bob', '001-acme');
    const second = await syncTenant(p.deps);
    expect(second.reassociation).toMatchObject({ reassociated: 1, failed: [] });
    const after = p.crm.emails();
    expect(after).toHaveLength(before.length);
    const bob = after.find((e) => e.subject === 'Globex check-in')!;
    expect(bob.relatedTo).toBe('006-acme-renewal');
    expect(bob.explanation).toMatch(/\nre-associated 2026-04-25: account Globex → deal Acme Renewal 2026 \(contact bob@globex.com → account Acme Corp; /);
    expect(p.store.entry(bob.key)).toMatchObject({ crmId: bob.crmId, relatedToId: '006-acme-renewal' });
    // Jane's mail is not touched.
    for (const e of after.filter((x) => x.subject.includes('Renewal pricing'))) expect(e).toEqual(before.find((b) => b.key === e.key));
  });

  it('reassociation.maxPerRound 0: nothing queued, nothing moved', async () => {
    p = await startPipeline({ provider, crm, snapshot, mailboxes: mailboxes(), now: NOW });
    p.deps.reassociation = { maxPerRound: 0 };
    await syncTenant(p.deps);
    const before = p.crm.emails();
    p.crm.closeDeal('006-acme-renewal', '2026-03-20');
    const second = await syncTenant(p.deps);
    expect(second.reassociation).toMatchObject({ reassociated: 0, checked: 0, pending: 0 });
    expect(p.store.reassociationQueueSize()).toBe(0);
    expect(p.crm.emails()).toEqual(before);
  });
});
