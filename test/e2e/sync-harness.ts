/**
 * One sync pipeline for the end-to-end tests: a mail emulator (Graph or Gmail) and a CRM emulator
 * (Salesforce or HubSpot), the real provider and adapter pointed at them by configuration only,
 * and the encrypted store in a temporary file. Written activities are read back from the CRM
 * emulator in one shape, whichever CRM it is.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TenantSyncDeps } from '../../src/app/sync-tenant.js';
import type { CrmAdapter, MailProvider } from '../../src/core/ports.js';
import { buildRules } from '../../src/core/rules.js';
import type { CrmSnapshot } from '../../src/core/types.js';
import { HubspotAdapter } from '../../src/crm-adapters/hubspot/hubspot-adapter.js';
import { SalesforceAdapter } from '../../src/crm-adapters/salesforce/salesforce-adapter.js';
import type { RunningEmulator } from '../../src/emulators/common/http-emulator.js';
import type { MailboxDescription, SeedMessage } from '../../src/emulators/common/mail-store.js';
import { startGmailEmulator } from '../../src/emulators/gmail/gmail-emulator.js';
import { startGraphEmulator } from '../../src/emulators/graph/graph-emulator.js';
import { startHubspotEmulator } from '../../src/emulators/hubspot/hubspot-emulator.js';
import { startSalesforceEmulator } from '../../src/emulators/salesforce/salesforce-emulator.js';
import { GmailProvider } from '../../src/providers/gmail/gmail-provider.js';
import { GraphProvider } from '../../src/providers/graph/graph-provider.js';
import { RedirectingNetworkClient } from '../../src/providers/graph/graph-network-client.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js';
import { SqliteDomainIndex } from '../../src/store/domain-index.js';
import { SqliteSyncStore } from '../../src/store/sync-store.js';

export type ProviderKind = 'graph' | 'gmail';
export type CrmKind = 'salesforce' | 'hubspot';

/** An activity as the CRM emulator holds it. `ownerId` is null where the CRM keeps no owner. */
export interface CrmEmail {
  crmId: string;
  key: string;
  subject: string;
  ownerId: string | null;
  /** Salesforce RelatedToId; HubSpot: the associated deal, else the company. */
  relatedTo: string | null;
  deals: string[];
  explanation: string;
}

export interface Pipeline {
  deps: TenantSyncDeps;
  db: SqliteDatabase;
  store: SqliteSyncStore;
  mail: {
    emulator: RunningEmulator;
    addMessage(address: string, message: SeedMessage): string;
    revokeUser(address: string): void;
    restoreUser(address: string): void;
  };
  crm: {
    emulator: RunningEmulator;
    emails(): CrmEmail[];
    /** A contact added in the CRM after the first pull (the emulator clock moves on first, so the next pull sees it). */
    addContact(email: string, first: string, last: string): string;
    /** A deal closed in the CRM (stage and close date), seen by the next pull. */
    closeDeal(id: string, closeDate: string): void;
    /** A contact moved to another account, seen by the next pull. */
    moveContact(id: string, accountId: string): void;
  };
  /** Owner recorded on the ledger for a dedupe key (the CRM-independent view). */
  ledgerOwner(key: string): string | null | undefined;
  close(): Promise<void>;
}

export interface PipelineOptions {
  provider: ProviderKind;
  crm: CrmKind;
  snapshot: CrmSnapshot;
  mailboxes: MailboxDescription[];
  now: Date;
}

export function mail(folder: 'inbox' | 'sent', at: string, h: Record<string, string>, text = 'Hello'): SeedMessage {
  return { folder, receivedAt: at, headers: Object.entries(h).map(([name, value]) => ({ name, value })), text, html: null };
}

const RETRY = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 };

async function startMail(kind: ProviderKind, mailboxes: MailboxDescription[]): Promise<{ provider: MailProvider & { close(): Promise<void> }; mail: Pipeline['mail'] }> {
  if (kind === 'graph') {
    const graph = await startGraphEmulator({ mailboxes });
    const provider = new GraphProvider({
      mode: 'company',
      baseUrl: graph.url,
      auth: { ...graph.credentials, networkClient: new RedirectingNetworkClient(graph.url) },
      requestTimeoutMs: 5_000,
      retry: RETRY,
    });
    const control = graph.control;
    return {
      provider,
      mail: {
        emulator: { ...graph.emulator, close: () => graph.close() },
        addMessage: (a, m) => control.addMessage(a, m),
        revokeUser: (a) => control.revokeUser(a),
        restoreUser: (a) => control.restoreUser(a),
      },
    };
  }
  const gmail = await startGmailEmulator({ mailboxes });
  const provider = new GmailProvider({
    mode: 'company',
    users: mailboxes.map((m) => m.address),
    serviceAccount: gmail.serviceAccount,
    rootUrl: `${gmail.url}/`,
    tokenOrigin: gmail.url,
    requestTimeoutMs: 5_000,
    retry: RETRY,
  });
  const control = gmail.control;
  return {
    provider,
    mail: {
      emulator: { ...gmail.emulator, close: () => gmail.close() },
      addMessage: (a, m) => control.addMessage(a, m),
      revokeUser: (a) => control.revokeUser(a),
      restoreUser: (a) => control.restoreUser(a),
    },
  };
}

async function startCrm(kind: CrmKind, snapshot: CrmSnapshot, index: SqliteDomainIndex): Promise<{ adapter: CrmAdapter & { close?(): Promise<void> }; crm: Pipeline['crm'] }> {
  if (kind === 'salesforce') {
    const sf = await startSalesforceEmulator({ snapshot });
    const c = sf.credentials;
    const adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, retryBaseMs: 20, relationIndex: index });
    return {
      adapter,
      crm: {
        emulator: sf,
        addContact: (email, first, last) => {
          sf.control.advanceClock(60_000);
          return sf.control.createRecord('Contact', { Name: `${first} ${last}`, Email: email });
        },
        closeDeal: (id, closeDate) => {
          sf.control.advanceClock(60_000);
          sf.control.updateRecord('Opportunity', id, { IsClosed: true, StageName: 'Closed Lost', CloseDate: closeDate });
        },
        moveContact: (id, accountId) => {
          sf.control.advanceClock(60_000);
          sf.control.updateRecord('Contact', id, { AccountId: accountId });
        },
        emails: () =>
          sf.control.emails().map(({ record }) => ({
            crmId: String(record.Id),
            key: String(record.Mailbridge_Key__c),
            subject: String(record.Subject),
            // EmailMessage has no owner field: the ledger holds the owner for Salesforce.
            ownerId: null,
            relatedTo: (record.RelatedToId as string | null) ?? null,
            deals: typeof record.RelatedToId === 'string' && record.RelatedToId.startsWith('006') ? [record.RelatedToId] : [],
            explanation: String(record.Mailbridge_Explanation__c),
          })),
      },
    };
  }
  // Roomy limits: these tests are about the pipeline; bench:sync runs against low ones.
  const hs = await startHubspotEmulator({ snapshot, limits: { tenSecondlyMax: 10_000, searchPerSecond: 1_000 } });
  const adapter = new HubspotAdapter({
    accessToken: hs.credentials.accessToken,
    basePath: hs.credentials.basePath,
    tenSecondlyMax: 10_000,
    searchPerSecond: 1_000,
    dedupe: 'unique-property',
    retryBaseMs: 20,
  });
  return {
    adapter,
    crm: {
      emulator: hs,
      addContact: (email, first, last) => {
        hs.control.advanceClock(60_000);
        return hs.control.createObject('contacts', { email, firstname: first, lastname: last });
      },
      closeDeal: (id, closeDate) => {
        hs.control.advanceClock(60_000);
        hs.control.updateObject('deals', id, { dealstage: 'closedlost', hs_is_closed: 'true', closedate: `${closeDate}T00:00:00.000Z` });
      },
      // HubSpot holds a contact's primary company in `associatedcompanyid`, beside the association.
      moveContact: (id, accountId) => {
        hs.control.advanceClock(60_000);
        const old = hs.control.store.live('contacts', id)?.properties.associatedcompanyid;
        if (old) hs.control.dissociate('contacts', id, 'companies', old);
        hs.control.associate('contacts', id, 'companies', accountId, 1);
        hs.control.updateObject('contacts', id, { associatedcompanyid: accountId });
      },
      emails: () =>
        hs.control.emails().map((e) => ({
          crmId: e.id,
          key: String(e.properties.mailbridge_key),
          subject: String(e.properties.hs_email_subject),
          ownerId: e.properties.hubspot_owner_id ?? null,
          relatedTo: e.associations.deals[0] ?? e.associations.companies[0] ?? null,
          deals: e.associations.deals,
          explanation: String(e.properties.mailbridge_explanation),
        })),
    },
  };
}

/** Starts both emulators and wires the pipeline to them; `close()` stops everything. */
export async function startPipeline(opts: PipelineOptions): Promise<Pipeline> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'mailbridge-e2e-')), 'mailbridge.db');
  const db = openDatabase({ path: dbPath, key: 'e2e-test-key' });
  const index = new SqliteDomainIndex(db);
  const store = new SqliteSyncStore(db, () => opts.now);
  const { provider, mail: mailSide } = await startMail(opts.provider, opts.mailboxes);
  const { adapter, crm } = await startCrm(opts.crm, opts.snapshot, index);
  const ownerStmt = db.prepare<[string], { owner_id: string | null }>('SELECT owner_id FROM ledger WHERE key = ?');
  return {
    deps: {
      provider,
      crm: adapter,
      index,
      store,
      ctx: { index, rules: buildRules({ companyDomains: opts.snapshot.companyDomains, blocklist: opts.snapshot.blocklist }) },
      clock: { now: () => opts.now },
    },
    db,
    store,
    mail: mailSide,
    crm,
    ledgerOwner: (key) => ownerStmt.get(key)?.owner_id,
    async close() {
      await provider.close();
      await adapter.close?.();
      db.close();
      await mailSide.emulator.close();
      await crm.emulator.close();
    },
  };
}

/**
 * Every row of every table of the database as JSON lines: the privacy tests search it for what
 * rejected mail must not leave behind (address, subject, id).
 */
export function databaseDump(db: SqliteDatabase): string {
  const dump: string[] = [];
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  for (const { name } of tables) {
    for (const row of db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all()) dump.push(JSON.stringify(row));
  }
  return dump.join('\n');
}
