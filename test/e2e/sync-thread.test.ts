/**
 * Replies inherit their thread, end to end (docs/rules.md "Threads"): Jane's email is imported on
 * the Acme renewal; she forwards the thread to a colleague at a partner the CRM does not know, and
 * his reply (In-Reply-To the imported email) is imported on the same account and deal, through
 * the real provider and CRM clients against the emulators. Replies that fail an earlier rule stay
 * rejected and leave nothing in the database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { syncTenant } from '../../src/app/sync-tenant.js';
import { parseSnapshot } from '../../src/core/snapshot.js';
import { mail, startPipeline, type CrmKind, type Pipeline, type ProviderKind } from './sync-harness.js';

const NOW = new Date('2026-04-25T12:00:00Z');
const ALEX = 'alex@example-seller.com';
const SAM = 'sam@example-seller.com';

const snapshot = parseSnapshot({
  companyDomains: ['example-seller.com'],
  users: [
    { id: '005-alex', email: ALEX, name: 'Alex Rep' },
    { id: '005-sam', email: SAM, name: 'Sam Manager' },
  ],
  accounts: [{ id: '001-acme', name: 'Acme Corp', domains: ['acme.com'], ownerId: '005-alex' }],
  contacts: [{ id: '003-jane', emails: ['jane@acme.com'], phones: [], accountId: '001-acme', name: 'Jane Doe' }],
  deals: [
    { id: '006-acme-renewal', accountId: '001-acme', name: 'Acme Renewal', isClosed: false, closeDate: '2026-09-30', createdDate: '2026-01-05', lastModified: '2026-04-01T09:00:00Z', ownerId: '005-sam', contactRoles: ['003-jane'] },
  ],
  blocklist: { addresses: [], domains: ['blocked-partner.example'], phrases: [] },
});

const message = (folder: 'inbox' | 'sent', h: { from: string; to: string; cc?: string; subject: string; date: string; id: string; replyTo?: string }, extra: Record<string, string> = {}) =>
  mail(
    folder,
    h.date,
    {
      From: h.from,
      To: h.to,
      ...(h.cc ? { Cc: h.cc } : {}),
      Subject: h.subject,
      Date: new Date(h.date).toUTCString(),
      'Message-ID': `<${h.id}>`,
      ...(h.replyTo ? { 'In-Reply-To': `<${h.replyTo}>`, References: `<${h.replyTo}>` } : {}),
      ...extra,
    },
    'Hi,\n\nSee my notes on the plan below.\n\nRegards',
  );

const ORIGINAL = () => message('inbox', { from: 'Jane Doe <jane@acme.com>', to: ALEX, subject: 'Renewal plan', date: '2026-04-20T09:00:00Z', id: 'plan@acme.com' });
// Forwarded by Jane to a colleague at a partner the CRM does not know: he answers on the thread.
const FORWARDED_REPLY = () =>
  message('inbox', { from: 'Kai Berg <kai@acme-partner.example>', to: ALEX, subject: 'Re: Renewal plan', date: '2026-04-22T09:00:00Z', id: 'kai-1@acme-partner.example', replyTo: 'plan@acme.com' });
// In the same thread, each failing an earlier rule: they must stay rejected and leave no trace.
const REJECTED = {
  internal: () => message('sent', { from: ALEX, to: SAM, subject: 'Zanzibar internal aside', date: '2026-04-22T10:00:00Z', id: 'aside-7731@example-seller.com', replyTo: 'plan@acme.com' }),
  blocked: () =>
    message('inbox', { from: 'Quill <quill-4410@blocked-partner.example>', to: ALEX, subject: 'Quokka blocked answer', date: '2026-04-22T11:00:00Z', id: 'blocked-4410@blocked-partner.example', replyTo: 'plan@acme.com' }),
  automated: () =>
    message(
      'inbox',
      { from: 'Notifier <notify-5521@tracker.example>', to: ALEX, subject: 'Xylophone automated notice', date: '2026-04-22T12:00:00Z', id: 'auto-5521@tracker.example', replyTo: 'plan@acme.com' },
      { 'Auto-Submitted': 'auto-replied' },
    ),
};
const REJECTED_TRACES = [
  'Zanzibar internal aside',
  'aside-7731',
  'Quokka blocked answer',
  'quill-4410',
  'blocked-4410',
  'Xylophone automated notice',
  'notify-5521',
  'auto-5521',
];

const PAIRS: { provider: ProviderKind; crm: CrmKind }[] = [
  { provider: 'graph', crm: 'salesforce' },
  { provider: 'gmail', crm: 'hubspot' },
];

describe.each(PAIRS)('replies inherit their thread: $provider → $crm', ({ provider, crm }) => {
  let p: Pipeline;
  afterEach(async () => {
    await p.close();
  });

  it("a reply from an unknown-domain colleague is imported on the thread's account and deal; rejected replies leave nothing", async () => {
    p = await startPipeline({ provider, crm, snapshot, mailboxes: [{ address: ALEX, messages: [ORIGINAL()] }], now: NOW });
    await syncTenant(p.deps);
    const original = p.crm.emails().find((e) => e.subject === 'Renewal plan')!;
    expect(original.deals).toEqual(['006-acme-renewal']);

    for (const m of [FORWARDED_REPLY(), REJECTED.internal(), REJECTED.blocked(), REJECTED.automated()]) p.mail.addMessage(ALEX, m);
    const round = await syncTenant(p.deps);
    expect(round.mailboxes[0]).toMatchObject({ ok: true, imported: 1, skipped: { 'internal-only': 1, blocklisted: 1, automated: 1 } });

    const reply = p.crm.emails().find((e) => e.subject === 'Re: Renewal plan')!;
    expect(reply.deals).toEqual(['006-acme-renewal']);
    expect(reply.relatedTo).toBe('006-acme-renewal');
    expect(reply.explanation).toContain(`reply in thread of activity ${original.crmId} → account Acme Corp, deal Acme Renewal, 1 contact`);
    expect(reply.explanation).toContain('kept from the thread');
    expect(p.crm.emails()).toHaveLength(2);

    // The ledger holds the reply on the thread's records, and nothing of the rejected replies
    // anywhere (every table, as the privacy tests search).
    const records = p.db.prepare<[string], { kind: string; record_id: string }>('SELECT kind, record_id FROM ledger_records WHERE key = ? ORDER BY kind, record_id').all(reply.key);
    expect(records).toEqual(expect.arrayContaining([{ kind: 'account', record_id: '001-acme' }, { kind: 'contact', record_id: '003-jane' }, { kind: 'deal', record_id: '006-acme-renewal' }]));
    const dump: string[] = [];
    for (const { name } of p.db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all()) {
      for (const row of p.db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all()) dump.push(JSON.stringify(row));
    }
    const all = dump.join('\n');
    expect(all).toContain('kai@acme-partner.example');
    for (const trace of REJECTED_TRACES) expect(all).not.toContain(trace);
  });

  it('a first sync that finds the reply and its thread together imports both on the thread', async () => {
    const messages = [FORWARDED_REPLY(), ORIGINAL(), REJECTED.internal()];
    p = await startPipeline({ provider, crm, snapshot, mailboxes: [{ address: ALEX, messages }], now: NOW });
    const round = await syncTenant(p.deps);
    expect(round.mailboxes[0]).toMatchObject({ ok: true, imported: 2, skipped: { 'internal-only': 1 } });
    const emails = new Map(p.crm.emails().map((e) => [e.subject, e]));
    expect(emails.get('Re: Renewal plan')).toMatchObject({ deals: ['006-acme-renewal'], relatedTo: '006-acme-renewal' });
    expect(emails.get('Re: Renewal plan')!.explanation).toContain(`reply in thread of activity ${emails.get('Renewal plan')!.crmId}`);
    // A second round finds nothing new.
    expect((await syncTenant(p.deps)).mailboxes[0]).toMatchObject({ ok: true, imported: 0 });
  });
});
