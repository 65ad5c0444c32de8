/**
 * `mailbridge crm snapshot`: the tenant's CRM index as a `classify` snapshot (DESIGN §5), so an
 * admin can test rules on exported mail against their real CRM. Company domains and the
 * blocklist (the file's and the database's) come along; the erase list does not (those people
 * asked to be forgotten, and a file leaves the encrypted database) — the tenant's sync still
 * honours it. The JSON is produced a page of the index at a time, on either store, so a large
 * CRM streams.
 */
import type { TenantConfig } from '../../config/config-schema.js';
import type { CrmEntityKind } from '../../core/ports.js';
import type { Blocklist } from '../../core/types.js';
import type { GovernanceStore, IndexStore } from '../../store/store-ports.js';

async function* arrayJson(name: string, pages: AsyncIterable<readonly unknown[]>): AsyncGenerator<string> {
  yield `  ${JSON.stringify(name)}: [`;
  let any = false;
  // One chunk per page of the index: the output never holds more than a page.
  for await (const page of pages) {
    if (!page.length) continue;
    yield page.map((r, i) => `${any || i > 0 ? ',' : ''}\n    ${JSON.stringify(r)}`).join('');
    any = true;
  }
  yield `${any ? '\n  ' : ''}],\n`;
}

/** What the export reads, on either store: the index and the stored blocklist, and the configuration. */
export interface SnapshotSource {
  stores: { index: Pick<IndexStore, 'exportRecords'>; governance: Pick<GovernanceStore, 'blocklist'> };
  config: Pick<TenantConfig, 'companyDomains' | 'blocklist'>;
}

/** The snapshot's blocklist: the configuration's entries and the database's, without duplicates. */
export async function tenantBlocklist(tenant: SnapshotSource): Promise<Blocklist> {
  const stored = await tenant.stores.governance.blocklist();
  const merge = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];
  return {
    addresses: merge(tenant.config.blocklist.addresses, stored.addresses),
    domains: merge(tenant.config.blocklist.domains, stored.domains),
    phrases: merge(tenant.config.blocklist.phrases, stored.phrases),
  };
}

const SECTIONS: [string, CrmEntityKind][] = [['users', 'user'], ['accounts', 'account'], ['contacts', 'contact'], ['leads', 'lead'], ['deals', 'deal']];

/** The snapshot as JSON text, in chunks to write in order. */
export async function* crmSnapshotJson(tenant: SnapshotSource): AsyncGenerator<string> {
  yield `{\n  "companyDomains": ${JSON.stringify(tenant.config.companyDomains)},\n`;
  for (const [name, kind] of SECTIONS) yield* arrayJson(name, tenant.stores.index.exportRecords(kind));
  yield `  "blocklist": ${JSON.stringify(await tenantBlocklist(tenant))}\n}\n`;
}
