/**
 * `crm snapshot`: the index streamed out in the classify snapshot format. Chunk boundaries must
 * not break the JSON, the file must load back into an index that exports the very same text,
 * and the erase list must not leave the database this way.
 */
import { describe, expect, it } from 'vitest';
import { crmSnapshotJson, type SnapshotSource } from '../../../src/app/ops/crm-snapshot.js';
import { parseSnapshot } from '../../../src/core/snapshot.js';
import { generateTenant } from '../../../src/emulators/common/tenant-generator.js';
import { SqliteAdminStore } from '../../../src/store/admin-store.js';
import { openDatabase } from '../../../src/store/database.js';
import { SqliteDomainIndex } from '../../../src/store/domain-index.js';
import { migrate } from '../../../src/store/migrations.js';
import { sqliteTenantStore } from '../../../src/store/sqlite-tenant-store.js';

const CONFIG = { companyDomains: ['example-seller.com'], blocklist: { addresses: [], domains: ['spammy.io'], phrases: ['confidential: hr'] } };

function source(load?: Parameters<SqliteDomainIndex['loadSnapshot']>[0]): SnapshotSource & { admin: SqliteAdminStore } {
  const db = openDatabase({ path: ':memory:' });
  migrate(db);
  if (load) new SqliteDomainIndex(db).loadSnapshot(load);
  return { stores: sqliteTenantStore('acme', db), admin: new SqliteAdminStore(db), config: CONFIG };
}

async function text(s: SnapshotSource): Promise<string> {
  let out = '';
  for await (const chunk of crmSnapshotJson(s)) out += chunk;
  return out;
}

describe('crm snapshot export', () => {
  it('streams more records than one page as valid JSON that loads back to the same export', async () => {
    const tenant = generateTenant({ accounts: 700, contactsPerAccount: 2, dealsPerAccount: 2, leads: 30, users: 4 });
    const first = source(tenant);
    first.admin.addBlocklistEntry('domain', 'blocked-partner.com', 'test');
    first.admin.suppress('erased.person@acme.com', null);
    const exported = await text(first);

    const snapshot = parseSnapshot(JSON.parse(exported));
    expect(snapshot.contacts).toHaveLength(1400);
    expect(snapshot.accounts).toHaveLength(700);
    expect(snapshot.deals).toHaveLength(1400);
    expect(snapshot.leads).toHaveLength(30);
    expect(snapshot.users).toHaveLength(4);
    expect(snapshot.deals.some((d) => d.contactRoles.length > 0)).toBe(true);
    expect(snapshot.companyDomains).toEqual(['example-seller.com']);
    expect(snapshot.blocklist).toEqual({ addresses: [], domains: ['spammy.io', 'blocked-partner.com'], phrases: ['confidential: hr'] });
    expect(exported).not.toContain('erased.person@acme.com');

    const again = source(snapshot);
    again.admin.addBlocklistEntry('domain', 'blocked-partner.com', 'test');
    expect(await text(again)).toBe(exported);
  });

  it('an empty index is a valid, empty snapshot', async () => {
    const snapshot = parseSnapshot(JSON.parse(await text(source())));
    expect(snapshot).toMatchObject({ users: [], accounts: [], contacts: [], leads: [], deals: [] });
  });
});
