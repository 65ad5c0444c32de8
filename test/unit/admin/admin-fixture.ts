/**
 * A tenant for the admin tests: a real encrypted database in a temp folder, a small hand-written
 * CRM in the index, and imported messages recorded through the sync store as the sync would.
 * The CRM is a recording fake whose deletes can be made to fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdminParts } from '../../../src/app/admin/admin-parts.js';
import type { ActivityDraft, CrmAdapter } from '../../../src/core/ports.js';
import type { CrmSnapshot } from '../../../src/core/types.js';
import type { SqliteAdminStore } from '../../../src/store/admin-store.js';
import { openDatabase, type SqliteDatabase } from '../../../src/store/database.js';
import type { SqliteDomainIndex } from '../../../src/store/domain-index.js';
import { sqliteTenantParts, sqliteTenantStore } from '../../../src/store/sqlite-tenant-store.js';
import type { SqliteSyncStore } from '../../../src/store/sync-store.js';

export const NOW = new Date('2026-04-25T12:00:00Z');

export const crm: CrmSnapshot = {
  companyDomains: ['seller.example'],
  users: [
    { id: 'U-ann', email: 'ann@seller.example', name: 'Ann Admin' },
    { id: 'U-ben', email: 'ben@seller.example', name: 'Ben Rep' },
    { id: 'U-cat', email: 'cat@seller.example', name: 'Cat Rep' },
  ],
  accounts: [
    { id: 'A-acme', name: 'Acme', domains: ['acme.com'], ownerId: 'U-ben' },
    { id: 'A-globex', name: 'Globex', domains: ['globex.com'], ownerId: 'U-cat' },
  ],
  contacts: [
    { id: 'C-jane', name: 'Jane Doe', emails: ['jane@acme.com'], phones: ['+1 555 0100'], accountId: 'A-acme' },
    { id: 'C-joe', name: 'Joe Two', emails: ['joe@acme.com', 'joe@joe-personal.example'], phones: [], accountId: 'A-acme' },
    { id: 'C-hank', name: 'Hank', emails: ['hank@globex.com'], phones: [], accountId: 'A-globex' },
  ],
  leads: [{ id: 'L-lee', name: 'Lee', company: 'Initech', emails: ['lee@initech.example'], phones: [], domain: 'initech.example' }],
  deals: [
    { id: 'D-acme', accountId: 'A-acme', name: 'Acme renewal', isClosed: false, closeDate: null, createdDate: '2026-01-01', lastModified: '2026-01-01T00:00:00Z', ownerId: 'U-ben', contactRoles: ['C-jane'] },
  ],
  blocklist: { addresses: [], domains: [], phrases: [] },
};

/** A CRM adapter that records deleted ids; `failDeletes` makes the next deletes throw. */
export class FakeCrm implements CrmAdapter {
  readonly kind = 'salesforce' as const;
  deleted: string[] = [];
  calls = 0;
  failDeletes = false;
  async *pullChanges() {}
  async writeActivities(): Promise<never[]> {
    return [];
  }
  async moveActivities(): Promise<never[]> {
    return [];
  }
  async deleteActivities(ids: readonly string[]): Promise<void> {
    this.calls++;
    if (this.failDeletes) throw new Error('CRM unavailable (503)');
    this.deleted.push(...ids);
  }
  limits() {
    return { dailyUsed: null, dailyMax: null };
  }
}

export interface MessageSpec {
  key: string;
  sentAt?: string;
  from: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  text?: string;
  accounts?: string[];
  deals?: string[];
  contacts?: string[];
  leads?: string[];
}

export interface AdminFixture extends AdminParts {
  /** The embedded file's own classes behind `stores`, for the tests' checks. */
  db: SqliteDatabase;
  index: SqliteDomainIndex;
  admin: SqliteAdminStore;
  store: SqliteSyncStore;
  fakeCrm: FakeCrm;
  close(): void;
  record(spec: MessageSpec): void;
  /** Row count of a table. */
  count(table: string): number;
}

const person = (address: string) => ({ name: '', address });

export function adminFixture(opts: { admins?: string[]; retentionDays?: number; retentionCrm?: boolean; blocklist?: CrmSnapshot['blocklist'] } = {}): AdminFixture {
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-admin-test-'));
  const db: SqliteDatabase = openDatabase({ path: join(dir, 'tenant.db'), key: 'admin-test-key' });
  const now = () => NOW;
  const parts = sqliteTenantParts(db, now);
  const { index, admin, ledger: store } = parts;
  index.loadSnapshot(crm);
  const fakeCrm = new FakeCrm();
  return {
    stores: sqliteTenantStore('admin-test', db, now, parts),
    db,
    index,
    admin,
    store,
    fakeCrm,
    config: {
      admins: opts.admins ?? ['ann@seller.example'],
      retentionDays: opts.retentionDays ?? 3 * 365,
      retention: { crm: opts.retentionCrm ?? false },
      blocklist: { addresses: [], domains: [], phrases: [], ...opts.blocklist },
    },
    crm: () => fakeCrm,
    clock: { now },
    actor: 'cli:test',
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
    record(spec) {
      const activity: ActivityDraft = {
        key: spec.key,
        direction: 'inbound',
        sentAt: spec.sentAt ?? '2026-04-20T10:00:00.000Z',
        from: person(spec.from),
        to: (spec.to ?? ['ben@seller.example']).map(person),
        cc: (spec.cc ?? []).map(person),
        subject: spec.subject,
        text: spec.text ?? 'Hello',
        messageId: `<${spec.key}@test>`,
        inReplyTo: null,
        references: [],
        contactIds: spec.contacts ?? [],
        accountIds: spec.accounts ?? [],
        leadIds: spec.leads ?? [],
        dealIds: spec.deals ?? [],
        userIds: [],
        ownerId: 'U-ben',
        relatedToId: spec.deals?.[0] ?? spec.accounts?.[0] ?? null,
        explanation: 'test',
      };
      store.recordImport({ key: spec.key, crmId: `crm-${spec.key}`, mailboxId: 'mbx-ben', activity, bcc: (spec.bcc ?? []).map(person) });
    },
    count: (table) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number,
  };
}

/** Keys still on the ledger. */
export function ledgerKeys(f: AdminFixture): string[] {
  return f.db.prepare('SELECT key FROM ledger ORDER BY key').pluck().all() as string[];
}

/** Keys with text in the FTS table (rows there do not cascade). */
export function textKeys(f: AdminFixture): string[] {
  return f.db.prepare('SELECT key FROM message_text ORDER BY key').pluck().all() as string[];
}
