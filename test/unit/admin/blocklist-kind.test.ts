/**
 * Issue 11: `blocklist add co.uk --dry-run` was taken as a subject phrase. A public suffix is
 * refused as a domain, and a value that looks like a domain never silently becomes a phrase.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminError } from '../../../src/app/admin/admin-parts.js';
import { addToBlocklist, inferBlocklistKind } from '../../../src/app/admin/blocklist.js';
import { adminFixture, type AdminFixture } from './admin-fixture.js';

describe('blocklist values that look like domains', () => {
  let f: AdminFixture;
  beforeEach(() => {
    f = adminFixture();
    f.record({ key: 'k1', from: 'jane@acme.co.uk', subject: 'Notes on co.uk pricing' });
  });
  afterEach(() => f.close());

  it.each(['co.uk', 'com.au', 'https://co.uk/'])('%s is refused as a public suffix, dry run or not', async (value) => {
    await expect(addToBlocklist(f, { value }, { dryRun: true })).rejects.toThrow(/public suffix/);
    await expect(addToBlocklist(f, { value })).rejects.toThrow(AdminError);
    await expect(addToBlocklist(f, { value, kind: 'domain' }, { dryRun: true })).rejects.toThrow(/public suffix/);
    expect(f.admin.blocklist().phrases).toEqual([]);
  });

  it('a domain-like value that is no domain asks for --kind phrase', () => {
    expect(() => inferBlocklistKind('v1.2')).toThrow(/--kind phrase/);
  });

  it('with --kind phrase it is a phrase, as asked', async () => {
    const r = await addToBlocklist(f, { value: 'co.uk', kind: 'phrase' }, { dryRun: true });
    expect(r).toMatchObject({ kind: 'phrase', value: 'co.uk', matched: 1 });
  });

  it('domains, addresses and words are still inferred', () => {
    expect(inferBlocklistKind('acme.co.uk')).toBe('domain');
    expect(inferBlocklistKind('jane@acme.co.uk')).toBe('address');
    expect(inferBlocklistKind('Internal only')).toBe('phrase');
  });
});
