/**
 * The real sync round on each store: the CRM pull from the Salesforce emulator (jsforce) into
 * the store's index, then Graph emulator → GraphProvider (MSAL + Graph client) → core
 * `syncMailbox` with the store's ledger and per-page `resolveKeys` → SalesforceAdapter →
 * Salesforce emulator. Two mailboxes holding the same email, synced at once, give
 * one CRM activity with both holders; rejected mail leaves nothing in the store; a second round
 * writes nothing.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { syncTenant, type MailboxOutcome } from '../../../src/app/sync-tenant.js';
import { buildRules } from '../../../src/core/rules.js';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import type { SeedMessage } from '../../../src/emulators/common/mail-store.js';
import { startGraphEmulator, type GraphEmulator } from '../../../src/emulators/graph/graph-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { GraphProvider } from '../../../src/providers/graph/graph-provider.js';
import { RedirectingNetworkClient } from '../../../src/providers/graph/graph-network-client.js';
import { sampleSnapshot } from '../../helpers/cli-tenant.js';
import { describeStores } from './store-under-test.js';

const NOW = new Date('2026-04-25T12:00:00Z');
const REJECTED = { subject: 'Zebra-7731 private lunch plans', address: 'stranger.quokka@unknown-co.example' };

function mail(at: string, h: Record<string, string>, text = 'Hello'): SeedMessage {
  return { folder: 'inbox', receivedAt: at, headers: Object.entries({ Date: new Date(at).toUTCString(), ...h }).map(([name, value]) => ({ name, value })), text, html: null };
}

const renewal = mail('2026-04-19T09:12:00Z', {
  From: 'Jane Doe <jane.doe@acme.com>', To: 'alex@example-seller.com', Cc: 'sam@example-seller.com',
  Subject: 'Renewal pricing', 'Message-ID': '<renewal-1@acme.com>',
}, 'Could you send the renewal pricing?');
const rejected = mail('2026-04-22T10:00:00Z', {
  From: `Quokka <${REJECTED.address}>`, To: 'alex@example-seller.com', Subject: REJECTED.subject, 'Message-ID': '<zebra-7731@unknown-co.example>',
});
const globex = mail('2026-04-23T10:00:00Z', { From: 'Bob Stone <bob@globex.com>', To: 'sam@example-seller.com', Subject: 'Globex order', 'Message-ID': '<order@globex.com>' });

describeStores('sync through the store', (sut) => {
  let graph: GraphEmulator;
  let sf: RunningSalesforceEmulator;

  beforeEach(async () => {
    graph = await startGraphEmulator({
      mailboxes: [
        { address: 'alex@example-seller.com', messages: [renewal, rejected] },
        { address: 'sam@example-seller.com', messages: [renewal, globex] },
      ],
    });
    sf = await startSalesforceEmulator({ snapshot: sampleSnapshot });
  });

  afterEach(async () => {
    await graph?.close();
    await sf?.close();
  });

  async function round() {
    const store = sut.store();
    const provider = new GraphProvider({ mode: 'company', baseUrl: graph.url, auth: { ...graph.credentials, networkClient: new RedirectingNetworkClient(graph.url) }, requestTimeoutMs: 5_000 });
    const c = sf.credentials;
    const crm = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, retryBaseMs: 20 });
    try {
      const rules = buildRules({ companyDomains: sampleSnapshot.companyDomains, blocklist: sampleSnapshot.blocklist });
      const ctx = { rules, index: await store.index.resolveKeys([]) };
      const round = await syncTenant({
        provider, crm, index: store.index, store: store.ledger, ctx, resolvePages: true, clock: { now: () => NOW },
        backfill: { defaultDays: 30, maxDays: null, oldestOpenDeal: true },
      });
      const failed = round.mailboxes.filter((m) => !m.ok);
      expect(failed).toEqual([]);
      return { mailboxes: round.mailboxes as (MailboxOutcome & { ok: true })[], crmBatches: round.crmBatches };
    } finally {
      await provider.close();
    }
  }

  it('writes each email once with every holder, keeps nothing of rejected mail, and resumes from its cursors', async () => {
    const first = await round();
    expect(first.crmBatches).toBeGreaterThan(0);
    const subjects = sf.control.emails().map(({ record }) => String(record.Subject)).sort();
    expect(subjects).toEqual(['Globex order', 'Renewal pricing']);
    expect(first.mailboxes.reduce((n, r) => n + r.imported, 0)).toBe(2);

    const entry = await sut.store().ledger.entry('mid:renewal-1@acme.com');
    expect(entry?.holders).toEqual(first.mailboxes.map((m) => m.mailboxId).sort());
    expect(await sut.store().ledger.searchText('renewal pricing')).toEqual(['mid:renewal-1@acme.com']);
    const dump = await sut.dump();
    expect(dump).not.toContain(REJECTED.address);
    expect(dump).not.toContain('zebra-7731');
    expect(dump.toLowerCase()).not.toContain('quokka');

    const second = await round();
    expect(second.mailboxes.map((r) => r.scanned)).toEqual([0, 0]);
    expect(sf.control.emails()).toHaveLength(2);
  });
});
