/**
 * Issue 11: header values with CR, LF or NUL reached Salesforce `Headers`, `MessageIdentifier`
 * and `Mailbridge_Key__c` (the EmailMessage panel splits `Headers` on newlines, so an injected
 * `References:` line changed threading), and a NUL inside a From address made external mail
 * `internal-only`. Values are cleaned at the provider edge, before classification and writes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { syncTenant } from '../../src/app/sync-tenant.js';
import { parseSnapshot } from '../../src/core/snapshot.js';
import type { RunningSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { mail, startPipeline, type Pipeline, type ProviderKind } from './sync-harness.js';

const NOW = new Date('2026-04-25T12:00:00Z');
const ALEX = 'alex@example-seller.com';
const snapshot = parseSnapshot({
  companyDomains: ['example-seller.com'],
  users: [{ id: '005-alex', email: ALEX, name: 'Alex Rep' }],
  accounts: [{ id: '001-acme', name: 'Acme Corp', domains: ['acme.com'], ownerId: '005-alex' }],
  contacts: [{ id: '003-jane', emails: ['jane@acme.com'], phones: [], accountId: '001-acme', name: 'Jane Doe' }],
});

const at = '2026-04-24T10:00:00Z';
const CONTROL = /[\r\n\0]/;

describe.each<ProviderKind>(['graph', 'gmail'])('header values from %s reach Salesforce without CR, LF or NUL', (provider) => {
  let p: Pipeline;
  afterEach(async () => {
    await p.close();
  });

  it('an injected References line stays inside one value, and a NUL in From does not make mail internal', async () => {
    const messages = [
      mail('inbox', at, {
        From: 'Jane Doe <jane@acme.com>',
        To: ALEX,
        Subject: 'Injected',
        Date: new Date(at).toUTCString(),
        'Message-ID': '<inject-1@acme.com>\r\nReferences: <hijack@attacker.example>',
      }),
      mail('inbox', at, {
        From: 'Jane Doe <jane@acme\u0000.com>',
        To: ALEX,
        Subject: 'Nul in From',
        Date: new Date(at).toUTCString(),
        'Message-ID': '<nul-1@acme.com>',
      }),
    ];
    p = await startPipeline({ provider, crm: 'salesforce', snapshot, mailboxes: [{ address: ALEX, messages }], now: NOW });
    const result = await syncTenant(p.deps);
    expect(result.mailboxes[0]).toMatchObject({ ok: true, imported: 2 });

    const records = (p.crm.emulator as RunningSalesforceEmulator).control.emails().map((e) => e.record);
    expect(records.map((r) => r.Subject).sort()).toEqual(['Injected', 'Nul in From']);
    for (const r of records) {
      for (const field of ['MessageIdentifier', 'Mailbridge_Key__c', 'FromAddress', 'Subject']) {
        expect(String(r[field] ?? ''), `${String(r.Subject)} ${field}`).not.toMatch(CONTROL);
      }
      // Headers holds one header per line: each line is one of ours, with no CR or NUL.
      for (const line of String(r.Headers).split('\n')) expect(line).toMatch(/^Message-ID: [^\r\0]*$/);
    }
    const injected = records.find((r) => r.Subject === 'Injected')!;
    expect(injected.MessageIdentifier).toBe('<inject-1@acme.com> References: <hijack@attacker.example>');
    const nul = records.find((r) => r.Subject === 'Nul in From')!;
    expect(nul).toMatchObject({ FromAddress: 'jane@acme.com', RelatedToId: '001-acme' });
  });
});
