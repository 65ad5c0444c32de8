import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminError } from '../../../src/app/admin/admin-parts.js';
import { addToBlocklist, inferBlocklistKind, listBlocklist, normalizeBlocklistValue, removeFromBlocklist } from '../../../src/app/admin/blocklist.js';
import { adminFixture, ledgerKeys, textKeys, type AdminFixture } from './admin-fixture.js';

describe('ledger matching', () => {
  let f: AdminFixture;
  beforeEach(() => {
    f = adminFixture();
    f.record({ key: 'k-from', from: 'Jane+quotes@ACME.com', subject: 'Pricing' });
    f.record({ key: 'k-cc', from: 'hank@globex.com', cc: ['jane@acme.com'], subject: 'Intro' });
    f.record({ key: 'k-bcc', from: 'ben@seller.example', to: ['hank@globex.com'], bcc: ['jane@acme.com'], subject: 'Quote' });
    f.record({ key: 'k-sub', from: 'ops@eu.mail.acme.com', subject: 'CONFIDENTIAL: HR review' });
    f.record({ key: 'k-other', from: 'x@notacme.com', subject: 'Other' });
  });
  afterEach(() => f.close());

  it('an address matches every role, Bcc included, with plus-tags and case folded', async () => {
    expect(await f.stores.ledger.keysMatching({ kind: 'address', value: 'jane@acme.com' })).toEqual(['k-bcc', 'k-cc', 'k-from']);
  });

  it('a domain covers its subdomains but not look-alikes or its parent', async () => {
    expect(await f.stores.ledger.keysMatching({ kind: 'domain', value: 'acme.com' })).toEqual(['k-bcc', 'k-cc', 'k-from', 'k-sub']);
    expect(await f.stores.ledger.keysMatching({ kind: 'domain', value: 'mail.acme.com' })).toEqual(['k-sub']);
  });

  it('a phrase matches the subject case-insensitively', async () => {
    expect(await f.stores.ledger.keysMatching({ kind: 'phrase', value: 'confidential: hr' })).toEqual(['k-sub']);
  });
});

describe('blocklist entries', () => {
  it('infers the kind and normalises the value', () => {
    expect(inferBlocklistKind('Jane+x@Acme.com')).toBe('address');
    expect(inferBlocklistKind('https://www.Acme.com/')).toBe('domain');
    expect(inferBlocklistKind('sales.acme.co.uk')).toBe('domain');
    expect(inferBlocklistKind('Internal only')).toBe('phrase');
    expect(normalizeBlocklistValue('address', 'Jane+x@Acme.COM')).toBe('jane@acme.com');
    expect(normalizeBlocklistValue('domain', 'https://www.Bücher.de/shop')).toBe('xn--bcher-kva.de');
    expect(normalizeBlocklistValue('phrase', '  Secret Project ')).toBe('secret project');
    expect(() => normalizeBlocklistValue('domain', 'co.uk')).toThrow(AdminError);
    expect(() => normalizeBlocklistValue('address', 'nobody')).toThrow(AdminError);
    expect(() => normalizeBlocklistValue('phrase', '   ')).toThrow(AdminError);
  });
});

describe('blocklist add / remove / list', () => {
  let f: AdminFixture;
  beforeEach(() => {
    f = adminFixture({ blocklist: { addresses: [], domains: ['Blocked-Partner.com'], phrases: [] } });
    f.record({ key: 'k1', from: 'jane@acme.com', subject: 'Renewal' });
    f.record({ key: 'k2', from: 'hank@globex.com', to: ['ben@seller.example', 'jane@acme.com'], subject: 'Globex and Acme' });
    f.record({ key: 'k3', from: 'hank@globex.com', subject: 'Globex only' });
  });
  afterEach(() => f.close());

  it('a dry run lists what would go and changes nothing', async () => {
    const result = await addToBlocklist(f, { value: 'jane@acme.com' }, { dryRun: true });
    expect(result).toMatchObject({ kind: 'address', value: 'jane@acme.com', dryRun: true, matched: 2, purged: null });
    expect(result.wouldDelete.map((m) => [m.key, m.crmId, m.subject])).toEqual([
      ['k1', 'crm-k1', 'Renewal'],
      ['k2', 'crm-k2', 'Globex and Acme'],
    ]);
    expect(ledgerKeys(f)).toEqual(['k1', 'k2', 'k3']);
    expect(f.admin.blocklist().addresses).toEqual([]);
    expect(f.fakeCrm.calls).toBe(0);
  });

  it('adding purges matching messages locally and in the CRM, with an audit entry of counts', async () => {
    const result = await addToBlocklist(f, { value: 'Jane@Acme.com' });
    expect(result).toMatchObject({ added: true, matched: 2, purged: { messages: 2, crmDeleted: 2, crmOwed: 0 } });
    expect(ledgerKeys(f)).toEqual(['k3']);
    expect(textKeys(f)).toEqual(['k3']);
    expect(f.count('ledger_participants')).toBe(2);
    expect(f.fakeCrm.deleted.sort()).toEqual(['crm-k1', 'crm-k2']);
    expect(f.admin.blocklist().addresses).toEqual(['jane@acme.com']);
    const [entry] = f.admin.auditLog(1);
    expect(entry).toMatchObject({ actor: 'cli:test', action: 'blocklist.add', target: 'jane@acme.com', detail: { kind: 'address', messages: 2, crmDeleted: 2 } });
    expect(JSON.stringify(entry)).not.toContain('Renewal');
  });

  it('a domain entry purges mail from its subdomains too', async () => {
    f.record({ key: 'k4', from: 'ops@eu.globex.com', subject: 'Sub' });
    const result = await addToBlocklist(f, { value: 'globex.com' });
    expect(result.purged?.messages).toBe(3);
    expect(ledgerKeys(f)).toEqual(['k1']);
  });

  it('removes database entries, refuses file entries, and lists both', async () => {
    await addToBlocklist(f, { value: 'Project Zebra' });
    expect(await listBlocklist(f)).toEqual([
      { kind: 'phrase', value: 'project zebra', source: 'database', addedAt: '2026-04-25T12:00:00.000Z', addedBy: 'cli:test' },
      { kind: 'domain', value: 'blocked-partner.com', source: 'config', addedAt: null, addedBy: null },
    ]);
    await expect(removeFromBlocklist(f, { value: 'blocked-partner.com' })).rejects.toThrow(/configuration file/);
    await expect(removeFromBlocklist(f, { value: 'nobody@nowhere.example' })).rejects.toThrow(/not on the blocklist/);
    expect(await removeFromBlocklist(f, { value: 'project zebra', kind: 'phrase' })).toMatchObject({ removed: true });
    expect(f.admin.blocklist().phrases).toEqual([]);
    expect(f.admin.auditLog(1)[0]).toMatchObject({ action: 'blocklist.remove', target: 'project zebra' });
  });
});
