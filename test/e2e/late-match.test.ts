/**
 * Late matching end to end, on both providers and both CRMs: mail from someone the CRM does not
 * know is rejected in the first round; once the contact is added in the CRM, the next round asks
 * the mail service for that address over the last 30 days (Graph `$search`, Gmail `q`) and
 * imports what it finds through the normal pipeline, once. Nothing of the mail still rejected is
 * in the database afterwards.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { syncTenant } from '../../src/app/sync-tenant.js';
import { parseSnapshot } from '../../src/core/snapshot.js';
import { databaseDump, mail, startPipeline, type CrmKind, type Pipeline, type ProviderKind } from './sync-harness.js';

const snapshot = parseSnapshot(JSON.parse(readFileSync(new URL('../../examples/sample-crm.json', import.meta.url), 'utf8')));
const NOW = new Date('2026-04-25T12:00:00Z');
const ALEX = 'alex@example-seller.com';
// Sam owns the open Acme renewal created in January: his first scan reaches back to then.
const SAM = 'sam@example-seller.com';
const PAT = 'pat@wayne-ent.example';

function mailboxes() {
  return [
    {
      address: SAM,
      messages: [
        // Ten days before NOW: rejected as no-crm-match in round 1, late-matched in round 2.
        mail('inbox', '2026-04-15T09:00:00Z', {
          From: `Pat Lee <${PAT}>`,
          To: SAM,
          Subject: 'Wayne pilot question',
          Date: 'Wed, 15 Apr 2026 09:00:00 +0000',
          'Message-ID': '<pilot-q@wayne-ent.example>',
        }, 'Can the pilot start in May?'),
        mail('sent', '2026-04-16T09:00:00Z', {
          From: SAM,
          To: `Pat Lee <${PAT}>`,
          Subject: 'Re: Wayne pilot question',
          Date: 'Thu, 16 Apr 2026 09:00:00 +0000',
          'Message-ID': '<pilot-a@example-seller.com>',
          'In-Reply-To': '<pilot-q@wayne-ent.example>',
        }, 'Yes, May works.'),
        // Before the 30-day window: scanned and rejected in round 1, never searched for.
        mail('inbox', '2026-03-01T09:00:00Z', {
          From: `Pat Lee <${PAT}>`,
          To: SAM,
          Subject: 'Old Wayne intro',
          Date: 'Sun, 1 Mar 2026 09:00:00 +0000',
          'Message-ID': '<old-intro@wayne-ent.example>',
        }),
      ],
    },
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
        // Stays unknown to the CRM: rejected in every round.
        mail('inbox', '2026-04-22T10:00:00Z', {
          From: 'Quokka <stranger.quokka@unknown-co.example>',
          To: ALEX,
          Subject: 'Private lunch plans',
          Date: 'Wed, 22 Apr 2026 10:00:00 +0000',
          'Message-ID': '<lunch@unknown-co.example>',
        }),
      ],
    },
  ];
}

const COMBOS: [ProviderKind, CrmKind][] = [
  ['graph', 'salesforce'],
  ['gmail', 'hubspot'],
];

describe.each(COMBOS)('late matching: %s → %s', (provider, crm) => {
  let p: Pipeline;
  afterEach(async () => {
    await p.close();
  });

  it('a contact added to the CRM late-matches its mail of 10 days earlier, once, and rejected mail leaves nothing', async () => {
    p = await startPipeline({ provider, crm, snapshot, mailboxes: mailboxes(), now: NOW });
    const first = await syncTenant(p.deps);
    expect(first.mailboxes.find((m) => m.address === SAM)).toMatchObject({ ok: true, skipped: { 'no-crm-match': 3 } });
    expect(first.lateMatch).toMatchObject({ lateMatched: 0, queries: 0 });
    expect(p.crm.emails().map((e) => e.subject)).toEqual(['Renewal pricing']);

    p.crm.addContact(PAT, 'Pat', 'Lee');
    const second = await syncTenant(p.deps);
    // One search per mailbox for the new address; the inbox mail and Sam's reply come back.
    expect(second.lateMatch).toMatchObject({ lateMatched: 2, queries: 2, pendingKeys: 0, failed: [] });
    const subjects = p.crm.emails().map((e) => e.subject).sort();
    expect(subjects).toEqual(['Re: Wayne pilot question', 'Renewal pricing', 'Wayne pilot question']);
    const pilot = p.crm.emails().find((e) => e.subject === 'Wayne pilot question')!;
    expect(pilot.explanation).toContain(`contact ${PAT}`);

    // Nothing more the round after: the key was searched in every mailbox and is gone.
    const third = await syncTenant(p.deps);
    expect(third.lateMatch).toMatchObject({ lateMatched: 0, queries: 0, pendingKeys: 0 });
    expect(p.crm.emails()).toHaveLength(3);

    const all = databaseDump(p.db);
    expect(all).toContain('Wayne pilot question');
    for (const secret of ['Private lunch plans', 'stranger.quokka@unknown-co.example', 'lunch@unknown-co.example', 'Old Wayne intro', 'old-intro@wayne-ent.example']) {
      expect(all).not.toContain(secret);
    }
  });

  it('searches over the per-round budget wait, persisted, for the next round', async () => {
    p = await startPipeline({ provider, crm, snapshot, mailboxes: mailboxes(), now: NOW });
    p.deps.lateMatch = { maxQueriesPerRound: 1 };
    await syncTenant(p.deps);
    p.crm.addContact(PAT, 'Pat', 'Lee');
    const second = await syncTenant(p.deps);
    expect(second.lateMatch).toMatchObject({ queries: 1, pendingKeys: 1 });
    expect(p.store.lateMatchQueue()).toHaveLength(1);
    const third = await syncTenant(p.deps);
    expect(third.lateMatch).toMatchObject({ queries: 1, pendingKeys: 0 });
    expect(second.lateMatch.lateMatched + third.lateMatch.lateMatched).toBe(2);
    expect(p.crm.emails().map((e) => e.subject).sort()).toEqual(['Re: Wayne pilot question', 'Renewal pricing', 'Wayne pilot question']);
  });
});
