/**
 * `mailbridge crm snapshot`: the tenant's CRM index as a `classify` snapshot (DESIGN §5), so an
 * admin can test rules on exported mail against their real CRM. Company domains and the
 * blocklist (the file's and the database's) come along; the erase list does not (those people
 * asked to be forgotten, and a file leaves the encrypted database) — the tenant's sync still
 * honours it. The JSON is produced piece by piece, so a large CRM streams.
 */
import type { TenantConfig } from '../../config/config-schema.js';
import type { Blocklist } from '../../core/types.js';
import { exportAccounts, exportContacts, exportDeals, exportLeads, exportUsers } from '../../store/index-export.js';
import type { OpenTenant } from '../open-tenant.js';

/** Records per chunk of output. */
const CHUNK = 500;

function* arrayJson(name: string, records: Iterable<unknown>): Generator<string> {
  yield `  ${JSON.stringify(name)}: [`;
  let batch: string[] = [];
  let any = false;
  for (const r of records) {
    batch.push(`${any ? ',' : ''}\n    ${JSON.stringify(r)}`);
    any = true;
    if (batch.length >= CHUNK) {
      yield batch.join('');
      batch = [];
    }
  }
  yield `${batch.join('')}${any ? '\n  ' : ''}],\n`;
}

/** What the export reads: the database (index and stored blocklist) and the configuration. */
export type SnapshotSource = Pick<OpenTenant, 'db' | 'admin'> & { config: Pick<TenantConfig, 'companyDomains' | 'blocklist'> };

/** The snapshot's blocklist: the configuration's entries and the database's, without duplicates. */
export function tenantBlocklist(tenant: SnapshotSource): Blocklist {
  const stored = tenant.admin.blocklist();
  const merge = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];
  return {
    addresses: merge(tenant.config.blocklist.addresses, stored.addresses),
    domains: merge(tenant.config.blocklist.domains, stored.domains),
    phrases: merge(tenant.config.blocklist.phrases, stored.phrases),
  };
}

/** The snapshot as JSON text, in chunks to write in order. */
export function* crmSnapshotJson(tenant: SnapshotSource): Generator<string> {
  const db = tenant.db;
  yield `{\n  "companyDomains": ${JSON.stringify(tenant.config.companyDomains)},\n`;
  yield* arrayJson('users', exportUsers(db));
  yield* arrayJson('accounts', exportAccounts(db));
  yield* arrayJson('contacts', exportContacts(db));
  yield* arrayJson('leads', exportLeads(db));
  yield* arrayJson('deals', exportDeals(db));
  yield `  "blocklist": ${JSON.stringify(tenantBlocklist(tenant))}\n}\n`;
}
