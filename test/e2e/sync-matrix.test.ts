/**
 * The remaining provider × CRM pairs (Graph → HubSpot, Gmail → Salesforce) end to end, and the
 * rules that only show through the whole pipeline: who owns the activity (DESIGN §1.7), the
 * 14-day window on closed deals (§2 "Deals"), and one failing mailbox never stopping the others.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { syncTenant, type MailboxOutcome } from '../../src/app/sync-tenant.js';
import { parseSnapshot } from '../../src/core/snapshot.js';
import { mail, startPipeline, type CrmKind, type Pipeline, type ProviderKind } from './sync-harness.js';

const NOW = new Date('2026-04-25T12:00:00Z');
const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';
const KIM = 'kim@example-seller.com';

// Sam owns the open Acme renewal (his backfill reaches back to January); Alex and Kim own no open
// deal (7 days back, to 2026-04-18). The three pilots closed 13, 14 and 15 days before 2026-04-20.
const snapshot = parseSnapshot({
  companyDomains: ['example-seller.com'],
  users: [
    { id: '005-alex', email: ALEX, name: 'Alex Rep' },
    { id: '005-sam', email: SAM, name: 'Sam Manager' },
    { id: '005-kim', email: KIM, name: 'Kim Seller' },
  ],
  accounts: [
    { id: '001-acme', name: 'Acme Corp', domains: ['acme.com'], ownerId: '005-alex' },
    { id: '001-globex', name: 'Globex', domains: ['globex.com'], ownerId: '005-sam' },
    { id: '001-umbrella', name: 'Umbrella', domains: ['umbrella.com'], ownerId: '005-sam' },
    { id: '001-initech', name: 'Initech', domains: ['initech.com'], ownerId: '005-sam' },
  ],
  contacts: [
    { id: '003-jane', emails: ['jane@acme.com'], phones: [], accountId: '001-acme', name: 'Jane Doe' },
    { id: '003-bob', emails: ['bob@globex.com'], phones: [], accountId: '001-globex', name: 'Bob Stone' },
    { id: '003-uma', emails: ['uma@umbrella.com'], phones: [], accountId: '001-umbrella', name: 'Uma Reyes' },
    { id: '003-ivy', emails: ['ivy@initech.com'], phones: [], accountId: '001-initech', name: 'Ivy Chen' },
  ],
  leads: [],
  deals: [
    { id: '006-acme-renewal', accountId: '001-acme', name: 'Acme Renewal', isClosed: false, closeDate: '2026-09-30', createdDate: '2026-01-05', lastModified: '2026-04-01T09:00:00Z', ownerId: '005-sam', contactRoles: ['003-jane'] },
    { id: '006-globex-pilot', accountId: '001-globex', name: 'Globex Pilot', isClosed: true, closeDate: '2026-04-07', createdDate: '2025-11-01', lastModified: '2026-04-07T12:00:00Z', ownerId: '005-sam', contactRoles: ['003-bob'] },
    { id: '006-umbrella-pilot', accountId: '001-umbrella', name: 'Umbrella Pilot', isClosed: true, closeDate: '2026-04-06', createdDate: '2025-11-01', lastModified: '2026-04-06T12:00:00Z', ownerId: '005-sam', contactRoles: ['003-uma'] },
    { id: '006-initech-pilot', accountId: '001-initech', name: 'Initech Pilot', isClosed: true, closeDate: '2026-04-05', createdDate: '2025-11-01', lastModified: '2026-04-05T12:00:00Z', ownerId: '005-sam', contactRoles: ['003-ivy'] },
  ],
  blocklist: { addresses: [], domains: [], phrases: [] },
});

const headers = (from: string, to: string, subject: string, date: string, id: string, cc?: string) => ({
  From: from,
  To: to,
  ...(cc ? { Cc: cc } : {}),
  Subject: subject,
  Date: new Date(date).toUTCString(),
  'Message-ID': `<${id}>`,
});
const inbox = (from: string, to: string, subject: string, date: string, id: string, cc?: string) =>
  mail('inbox', date, headers(from, to, subject, date, id, cc), `About: ${subject}`);

// The deal owner (Sam) is on the thread: he owns the activity though it sits in Alex's mailbox.
const OWNER_ON_THREAD = () => inbox('Jane Doe <jane@acme.com>', ALEX, 'Renewal terms', '2026-04-19T09:00:00Z', 'terms@acme.com', SAM);
// Sam is not on it: the owner of the mailbox it was first seen in.
const OWNER_ABSENT = () => inbox('Jane Doe <jane@acme.com>', ALEX, 'Renewal question', '2026-04-19T10:00:00Z', 'question@acme.com');
// In Kim's and Alex's mailboxes: whichever was synced first owns it.
const SHARED = () => inbox('Jane Doe <jane@acme.com>', `${ALEX}, ${KIM}`, 'Renewal kickoff', '2026-04-19T11:00:00Z', 'kickoff@acme.com');

function mailboxes() {
  return [
    {
      address: ALEX,
      messages: [
        OWNER_ON_THREAD(),
        OWNER_ABSENT(),
        SHARED(),
        inbox('Bob Stone <bob@globex.com>', ALEX, 'Pilot feedback (13 days)', '2026-04-20T10:00:00Z', 'p13@globex.com'),
        inbox('Uma Reyes <uma@umbrella.com>', ALEX, 'Pilot feedback (14 days)', '2026-04-20T10:00:00Z', 'p14@umbrella.com'),
        inbox('Ivy Chen <ivy@initech.com>', ALEX, 'Pilot feedback (15 days)', '2026-04-20T10:00:00Z', 'p15@initech.com'),
        inbox(SAM, ALEX, 'Forecast', '2026-04-21T10:00:00Z', 'forecast@example-seller.com'),
      ],
    },
    { address: KIM, messages: [SHARED(), inbox('Uma Reyes <uma@umbrella.com>', KIM, 'Umbrella sizing', '2026-04-22T10:00:00Z', 'sizing@umbrella.com')] },
    {
      address: SAM,
      messages: [mail('sent', '2026-03-10T10:00:00Z', headers(SAM, 'Bob Stone <bob@globex.com>', 'Pilot survey', '2026-03-10T10:00:00Z', 'survey@example-seller.com'))],
    },
  ];
}

const ALL_SUBJECTS = [
  'Pilot feedback (13 days)',
  'Pilot feedback (14 days)',
  'Pilot feedback (15 days)',
  'Pilot survey',
  'Renewal kickoff',
  'Renewal question',
  'Renewal terms',
  'Umbrella sizing',
];

const PAIRS: { provider: ProviderKind; crm: CrmKind }[] = [
  { provider: 'graph', crm: 'hubspot' },
  { provider: 'gmail', crm: 'salesforce' },
];

const byAddress = (outcomes: MailboxOutcome[], address: string) => outcomes.find((m) => m.address === address)!;

describe.each(PAIRS)('sync: $provider → engine → $crm', ({ provider, crm }) => {
  let p: Pipeline;
  const start = async () => {
    p = await startPipeline({ provider, crm, snapshot, mailboxes: mailboxes(), now: NOW });
  };
  afterEach(async () => {
    await p.close();
  });

  it('imports customer mail once across mailboxes, and a second round writes nothing', async () => {
    await start();
    const first = await syncTenant(p.deps);
    expect(first.mailboxes.map((m) => m.ok)).toEqual([true, true, true]);
    expect(byAddress(first.mailboxes, ALEX)).toMatchObject({ skipped: { 'internal-only': 1 } });
    const emails = p.crm.emails();
    expect(emails.map((e) => e.subject).sort()).toEqual(ALL_SUBJECTS);

    const shared = emails.find((e) => e.subject === 'Renewal kickoff')!;
    const ids = [ALEX, KIM].map((a) => (byAddress(first.mailboxes, a) as { mailboxId: string }).mailboxId);
    expect(p.store.entry(shared.key)?.holders.sort()).toEqual(ids.sort());

    const second = await syncTenant(p.deps);
    expect(second.mailboxes.every((m) => m.ok && m.imported === 0)).toBe(true);
    expect(p.crm.emails()).toHaveLength(ALL_SUBJECTS.length);
  });

  it('owner: the deal owner when on the thread, else the owner of the mailbox it was first seen in', async () => {
    await start();
    // Kim's mailbox first, so the shared email is first seen there.
    const kimFirst = await syncTenant({ ...p.deps, mailboxes: [KIM] });
    expect(kimFirst.mailboxes.map((m) => m.address)).toEqual([KIM]);
    await syncTenant(p.deps);

    const emails = new Map(p.crm.emails().map((e) => [e.subject, e]));
    const expected: [string, string][] = [
      ['Renewal terms', '005-sam'],
      ['Renewal question', '005-alex'],
      ['Renewal kickoff', '005-kim'],
    ];
    for (const [subject, owner] of expected) {
      const email = emails.get(subject)!;
      expect(email.deals, subject).toEqual(['006-acme-renewal']);
      expect(p.ledgerOwner(email.key), subject).toBe(owner);
      // HubSpot records the owner on the engagement; Salesforce's EmailMessage has no owner field.
      expect(email.ownerId, subject).toBe(crm === 'hubspot' ? owner : null);
    }
  });

  it('14-day rule: a deal closed 13 or 14 days before the email takes it, one closed 15 days before does not', async () => {
    await start();
    await syncTenant(p.deps);
    const emails = new Map(p.crm.emails().map((e) => [e.subject, e]));
    const thirteen = emails.get('Pilot feedback (13 days)')!;
    expect(thirteen.deals).toEqual(['006-globex-pilot']);
    expect(thirteen.relatedTo).toBe('006-globex-pilot');
    expect(thirteen.explanation).toContain('closed 13 days before send');
    expect(emails.get('Pilot feedback (14 days)')!.relatedTo).toBe('006-umbrella-pilot');
    const fifteen = emails.get('Pilot feedback (15 days)')!;
    expect(fifteen.deals).toEqual([]);
    expect(fifteen.relatedTo).toBe('001-initech');
    expect(fifteen.explanation).not.toContain('Initech Pilot');
    // The email's date counts, not the sync's: Sam's March mail went to the pilot, open then.
    expect(emails.get('Pilot survey')!.relatedTo).toBe('006-globex-pilot');
  });

  it('one failing mailbox never stops the others, and syncs once it recovers', async () => {
    await start();
    const boxes = await p.deps.provider.listMailboxes();
    const kimId = boxes.find((b) => b.address === KIM)!.id;
    // Every call for Kim's mailbox fails (Gmail paths carry the address, Graph paths the user id).
    p.mail.emulator.faults.add({ fault: { type: 'status', status: 503 }, pathIncludes: provider === 'gmail' ? 'kim' : kimId, times: 1_000 });

    const broken = await syncTenant(p.deps);
    expect(byAddress(broken.mailboxes, KIM)).toMatchObject({ ok: false, code: 'transient' });
    expect(byAddress(broken.mailboxes, ALEX)).toMatchObject({ ok: true, imported: 6 });
    expect(byAddress(broken.mailboxes, SAM)).toMatchObject({ ok: true, imported: 1 });
    expect(p.crm.emails().map((e) => e.subject)).not.toContain('Umbrella sizing');

    p.mail.emulator.faults.clear();
    const healed = await syncTenant(p.deps);
    // Kim's copy of the shared email was imported from Alex's mailbox meanwhile: one more holder.
    expect(byAddress(healed.mailboxes, KIM)).toMatchObject({ ok: true, imported: 1, duplicates: 1 });
    expect(p.crm.emails().map((e) => e.subject).sort()).toEqual(ALL_SUBJECTS);
  });
});

describe('sync: a mailbox revoked in the emulator', () => {
  it('fails alone with an auth error; the other mailboxes import', async () => {
    const p = await startPipeline({ provider: 'gmail', crm: 'hubspot', snapshot, mailboxes: mailboxes(), now: NOW });
    try {
      p.mail.revokeUser(KIM);
      const round = await syncTenant(p.deps);
      expect(byAddress(round.mailboxes, KIM)).toMatchObject({ ok: false, code: 'auth' });
      expect(byAddress(round.mailboxes, ALEX)).toMatchObject({ ok: true, imported: 6 });
      expect(byAddress(round.mailboxes, SAM)).toMatchObject({ ok: true, imported: 1 });
      expect(p.crm.emails()).toHaveLength(ALL_SUBJECTS.length - 1);
    } finally {
      await p.close();
    }
  });
});
