/**
 * The whole job through real SDKs: Gmail emulator → GmailProvider (company-wide, the emulator's
 * service account) → engine via `syncTenant` → HubspotAdapter (`unique-property` dedupe) →
 * HubSpot emulator, with the encrypted store.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncTenant } from '../../src/app/sync-tenant.js';
import { parseSnapshot } from '../../src/core/snapshot.js';
import { mail, startPipeline, type Pipeline } from './sync-harness.js';

const snapshot = parseSnapshot(JSON.parse(readFileSync(new URL('../../examples/sample-crm.json', import.meta.url), 'utf8')));
// Alex owns no open deal: his first scan goes back 7 days (to 2026-04-18). Sam owns the open
// Acme renewal created 2026-01-05: his goes back to then (DESIGN §3 backfill).
const NOW = new Date('2026-04-25T12:00:00Z');
const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';

const renewal = () =>
  mail('inbox', '2026-04-19T09:12:00Z', {
    From: 'Jane Doe <jane.doe@acme.com>',
    To: ALEX,
    Cc: SAM,
    Subject: 'Renewal pricing',
    Date: 'Sun, 19 Apr 2026 09:12:00 +0000',
    'Message-ID': '<renewal-1@acme.com>',
  }, 'Could you send the renewal pricing?');

function mailboxes() {
  return [
    {
      address: ALEX,
      messages: [
        renewal(),
        mail('inbox', '2026-04-10T10:00:00Z', {
          From: 'Bob Stone <bob@globex.com>',
          To: ALEX,
          Subject: 'Before the backfill window',
          Date: 'Fri, 10 Apr 2026 10:00:00 +0000',
          'Message-ID': '<old-thread@globex.com>',
        }),
        mail('sent', '2026-04-20T10:00:00Z', {
          From: ALEX,
          To: 'Kim <kim@acme.com>',
          Subject: 'Intro',
          Date: 'Mon, 20 Apr 2026 10:00:00 +0000',
          'Message-ID': '<intro-kim@example-seller.com>',
        }),
        mail('inbox', '2026-04-21T10:00:00Z', {
          From: SAM,
          To: ALEX,
          Subject: 'Forecast',
          Date: 'Tue, 21 Apr 2026 10:00:00 +0000',
          'Message-ID': '<forecast@example-seller.com>',
        }),
        mail('inbox', '2026-04-22T10:00:00Z', {
          From: 'Quokka <stranger.quokka@unknown-co.example>',
          To: ALEX,
          Subject: 'Private lunch plans',
          Date: 'Wed, 22 Apr 2026 10:00:00 +0000',
          'Message-ID': '<lunch@unknown-co.example>',
        }),
        mail('inbox', '2026-04-23T10:00:00Z', {
          From: 'Acme News <news@acme.com>',
          To: ALEX,
          Subject: 'Acme monthly news',
          Date: 'Thu, 23 Apr 2026 10:00:00 +0000',
          'Message-ID': '<news-4@acme.com>',
          'List-Unsubscribe': '<mailto:unsubscribe@acme.com>',
        }),
      ],
    },
    // Sam's backfill reaches back to January: the March mail from Globex is his to import.
    {
      address: SAM,
      messages: [
        renewal(),
        mail('inbox', '2026-03-02T10:00:00Z', {
          From: 'Bob Stone <bob@globex.com>',
          To: SAM,
          Subject: 'Pilot wrap-up',
          Date: 'Mon, 2 Mar 2026 10:00:00 +0000',
          'Message-ID': '<pilot-wrap@globex.com>',
        }),
      ],
    },
  ];
}

describe('sync: Gmail → engine → HubSpot', () => {
  let p: Pipeline;

  beforeEach(async () => {
    p = await startPipeline({ provider: 'gmail', crm: 'hubspot', snapshot, mailboxes: mailboxes(), now: NOW });
  });
  afterEach(async () => {
    await p.close();
  });

  it('imports customer mail once, one engagement per email with every holder, and a second round writes nothing', async () => {
    const first = await syncTenant(p.deps);
    expect(first.crmBatches).toBeGreaterThan(0);
    expect(first.mailboxes.every((m) => m.ok)).toBe(true);
    const emails = p.crm.emails();
    expect(emails.map((e) => e.subject).sort()).toEqual(['Intro', 'Pilot wrap-up', 'Renewal pricing']);

    const alex = first.mailboxes.find((m) => m.address === ALEX);
    expect(alex).toMatchObject({ ok: true, skipped: { 'internal-only': 1, 'no-crm-match': 1, automated: 1 } });
    const sam = first.mailboxes.find((m) => m.address === SAM);
    expect(sam).toMatchObject({ ok: true, scanned: 2 });

    // The same email in two mailboxes: one engagement, both holders on the ledger.
    const renewalEmail = emails.find((e) => e.subject === 'Renewal pricing')!;
    const entry = p.store.entry(renewalEmail.key);
    expect(entry?.crmId).toBe(renewalEmail.crmId);
    expect(entry?.holders.sort()).toEqual([ALEX, SAM]);
    expect(renewalEmail.explanation).toContain('contact jane.doe@acme.com → account Acme Corp');
    expect(renewalEmail.deals).toEqual(['006-acme-renewal']);

    // `unique-property` mode: creates only, never a read before them.
    const kinds = p.crm.emulator.counters.byKind();
    expect(kinds['batch-create-emails']).toBeGreaterThan(0);
    expect(kinds['batch-read-emails'] ?? 0).toBe(0);

    const bodiesBefore = p.mail.emulator.counters.get('batch');
    const second = await syncTenant(p.deps);
    expect(second.mailboxes.every((m) => m.ok && m.imported === 0 && m.scanned === 0)).toBe(true);
    expect(p.crm.emails()).toHaveLength(3);
    // Nothing new: no body was fetched again.
    expect(p.mail.emulator.counters.get('batch')).toBe(bodiesBefore);
  });

  it('a delta round reads the history and picks up new mail only', async () => {
    await syncTenant(p.deps);
    expect(p.store.cursor(ALEX, 'inbox')).toMatch(/^h:/);
    const listsBefore = p.mail.emulator.counters.get('messages.list');
    p.mail.addMessage(
      ALEX,
      mail('inbox', '2026-04-24T08:00:00Z', {
        From: 'Bob Stone <bob@globex.com>',
        To: ALEX,
        Subject: 'Next steps',
        Date: 'Fri, 24 Apr 2026 08:00:00 +0000',
        'Message-ID': '<next-steps@globex.com>',
      }),
    );
    // A reply Sam also holds: new mail for him, already imported for nobody.
    p.mail.addMessage(
      SAM,
      mail('inbox', '2026-04-24T09:00:00Z', {
        From: 'Jane Doe <jane.doe@acme.com>',
        To: SAM,
        Subject: 'Re: Renewal pricing',
        Date: 'Fri, 24 Apr 2026 09:00:00 +0000',
        'Message-ID': '<renewal-2@acme.com>',
        'In-Reply-To': '<renewal-1@acme.com>',
      }),
    );
    const round = await syncTenant(p.deps);
    expect(round.mailboxes.find((m) => m.address === ALEX)).toMatchObject({ ok: true, scanned: 1, imported: 1 });
    expect(round.mailboxes.find((m) => m.address === SAM)).toMatchObject({ ok: true, scanned: 1, imported: 1 });
    // The delta came from history, not from listing the folders again.
    expect(p.mail.emulator.counters.get('messages.list')).toBe(listsBefore);
    expect(p.mail.emulator.counters.get('history.list')).toBeGreaterThan(0);
    const subjects = p.crm.emails().map((e) => e.subject);
    expect(subjects.filter((s) => s === 'Next steps')).toHaveLength(1);
    expect(subjects).toContain('Re: Renewal pricing');
    expect(subjects).toHaveLength(5);
  });
});
