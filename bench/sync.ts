/**
 * Whole-sync benchmark: 10 mailboxes × 2,000 generated messages (20% with customers whose domains
 * are the CRM's accounts) through the Graph emulator → GraphProvider → engine (`syncTenant`) →
 * Salesforce or HubSpot adapter → emulator, with the emulators' limits set low enough that the run
 * is bound by them, and mailbridge configured to the same limits (it uses 75% of each).
 *
 * Prints one JSON object keyed by CRM (last line), each
 * `{crm, messages, imported, apiCalls, lowerBound, ratio, naiveCalls, wallSec, rateLimitBoundSec, wallRatio}`:
 * - apiCalls: every request the mail and CRM emulators served (tokens and control calls aside);
 * - lowerBound: the fewest calls the same work takes (largest pages and batches: `lower-bounds.ts`);
 * - naiveCalls: the same run with one body GET and one create per imported email;
 * - rateLimitBoundSec: the least time those calls need at 75% of each limit, mailboxes in
 *   parallel (each on its own budget), the CRM's calls one budget for the tenant;
 * - wallRatio: wallSec / rateLimitBoundSec.
 * `--json` prints only that line; otherwise a short line per CRM goes to stderr as well.
 *
 * Usage: `tsx bench/sync.ts [--json] [--only salesforce|hubspot] [--mailboxes 10] [--messages 2000]
 *   [--mail-limit 100] [--mail-window-ms 10000] [--crm-per-sec 10]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncTenant } from '../src/app/sync-tenant.js';
import type { Mailbox, MailProvider, MessageRef, ParticipantQuery, ScanFolder, ScanOptions, ScanPage } from '../src/core/ports.js';
import { buildRules } from '../src/core/rules.js';
import { HubspotAdapter } from '../src/crm-adapters/hubspot/hubspot-adapter.js';
import { SalesforceAdapter } from '../src/crm-adapters/salesforce/salesforce-adapter.js';
import type { RunningEmulator } from '../src/emulators/common/http-emulator.js';
import { generateMailboxes } from '../src/emulators/common/mailbox-generator.js';
import { generateTenant, type TenantSource } from '../src/emulators/common/tenant-generator.js';
import { startGraphEmulator } from '../src/emulators/graph/graph-emulator.js';
import { startHubspotEmulator } from '../src/emulators/hubspot/hubspot-emulator.js';
import { startSalesforceEmulator } from '../src/emulators/salesforce/salesforce-emulator.js';
import { GraphProvider } from '../src/providers/graph/graph-provider.js';
import { RedirectingNetworkClient } from '../src/providers/graph/graph-network-client.js';
import { openDatabase } from '../src/store/database.js';
import { SqliteDomainIndex } from '../src/store/domain-index.js';
import { SqliteSyncStore } from '../src/store/sync-store.js';
import { apiCalls, GRAPH_PAGE, graphLowerBound, writeLowerBound } from './lower-bounds.js';
import { flag, hasFlag, numberFlag } from './flags.js';

type Crm = 'salesforce' | 'hubspot';
const jsonOnly = hasFlag('--json');
const MAILBOXES = numberFlag('--mailboxes', 10);
const MESSAGES = numberFlag('--messages', 2_000);
/** Graph, per mailbox: requests per window (a `$batch` item counts as one request). */
const MAIL_LIMIT = numberFlag('--mail-limit', 100);
const MAIL_WINDOW_MS = numberFlag('--mail-window-ms', 10_000);
const MAIL_CONCURRENCY = 4;
/** CRM requests per second for the whole tenant (HubSpot's ten-secondly window / 10). */
const CRM_PER_SEC = numberFlag('--crm-per-sec', 10);
/** HubSpot's search API has its own limit (5/s), outside the ten-secondly window. */
const HS_SEARCH_PER_SEC = 5;
const SHARE = 0.75;

const COMPANY = 'example-seller.com';
const CUSTOMERS = 20;
const NEWEST = '2026-11-01T00:00:00Z';
// Every seller owns an open deal created 2026-01-01: the first scan reaches back past the oldest
// generated message (2,000 hours before NEWEST), so every message is in the backfill.
const NOW = new Date(NEWEST);

const customerDomains = Array.from({ length: CUSTOMERS }, (_, i) => `company${i + 1}.example`);
const generated = generateMailboxes({ mailboxes: MAILBOXES, messagesPerMailbox: MESSAGES, customerShare: 0.2, companyDomain: COMPANY, customerDomains, newest: NEWEST, seed: 2026 });

/** The generated CRM (accounts on the customers' domains, one open deal each), sellers = mailbox owners. */
function tenant(): TenantSource {
  const base = generateTenant({ accounts: CUSTOMERS, contactsPerAccount: 2, dealsPerAccount: 1, users: MAILBOXES, companyDomain: COMPANY, epoch: '2026-01-01T00:00:00Z' });
  const users = generated.mailboxes.map((m, i) => ({ id: `user-${i + 1}`, email: m.address, name: m.displayName ?? m.address }));
  return { ...base, users };
}

/** Counts the delta pages and body ids each mailbox asked for: the units its budget pays. */
class MeteredProvider implements MailProvider {
  readonly kind: MailProvider['kind'];
  readonly units = new Map<string, number>();
  bodies = 0;

  constructor(private readonly inner: MailProvider) {
    this.kind = inner.kind;
  }

  private add(mailbox: string, n: number): void {
    this.units.set(mailbox, (this.units.get(mailbox) ?? 0) + n);
  }

  listMailboxes(): Promise<Mailbox[]> {
    return this.inner.listMailboxes();
  }

  async *scan(mailbox: Mailbox, folder: ScanFolder, cursor: string | null, opts: ScanOptions): AsyncIterable<ScanPage> {
    for await (const page of this.inner.scan(mailbox, folder, cursor, opts)) {
      this.add(mailbox.address, 1);
      yield page;
    }
  }

  fetchMessageMeta(mailbox: Mailbox, ref: MessageRef) {
    return this.inner.fetchMessageMeta(mailbox, ref);
  }

  fetchBodies(mailbox: Mailbox, ids: readonly string[]) {
    const unique = new Set(ids).size;
    this.add(mailbox.address, unique);
    this.bodies += unique;
    return this.inner.fetchBodies(mailbox, ids);
  }

  searchMessages(mailbox: Mailbox, query: ParticipantQuery) {
    this.add(mailbox.address, 1);
    return this.inner.searchMessages(mailbox, query);
  }
}

interface CrmSide {
  emulator: RunningEmulator;
  adapter: (SalesforceAdapter | HubspotAdapter) & { close?(): Promise<void> };
  /** Relation rows written (Salesforce EmailMessageRelation), for the write bound. */
  relations(): number;
  /** Fewest calls a full pull of this tenant takes at the CRM's largest page sizes. */
  pullLowerBound: number;
  /** Request kinds that are writes (the rest is the pull). */
  isWrite(kind: string): boolean;
  /** Request kinds paced by a separate, per-second limit (HubSpot search). */
  isSearch(kind: string): boolean;
}

async function startCrm(crm: Crm, index: SqliteDomainIndex): Promise<CrmSide> {
  const t = tenant();
  const count = (it: Iterable<unknown>) => [...it].length;
  if (crm === 'salesforce') {
    // Salesforce has no per-second limit: its allocation is per rolling window, shrunk here to
    // 10 s so the CRM side is limited at CRM_PER_SEC as well.
    const sf = await startSalesforceEmulator({ tenant: t, dailyLimit: CRM_PER_SEC * 10, dailyWindowMs: 10_000 });
    const c = sf.credentials;
    const adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, relationIndex: index, dailyShare: SHARE, dailyPauseMs: 10_000 });
    // One query per object when every object fits in a 2,000-record page: users, accounts,
    // contacts, leads, opportunities, contact roles.
    const sizes = [count(t.users), count(t.accounts), count(t.contacts), count(t.leads), count(t.deals), count(t.deals)];
    return {
      emulator: sf,
      adapter,
      relations: () => sf.control.emails().reduce((n, e) => n + e.relations.length, 0),
      pullLowerBound: sizes.reduce((s, n) => s + Math.max(1, Math.ceil(n / 2_000)), 0),
      isWrite: (kind) => kind.startsWith('collections-'),
      isSearch: () => false,
    };
  }
  const hs = await startHubspotEmulator({ tenant: t, limits: { tenSecondlyMax: CRM_PER_SEC * 10, intervalMs: 10_000, searchPerSecond: HS_SEARCH_PER_SEC } });
  const adapter = new HubspotAdapter({
    accessToken: hs.credentials.accessToken,
    basePath: hs.credentials.basePath,
    share: SHARE,
    tenSecondlyMax: CRM_PER_SEC * 10,
    intervalMs: 10_000,
    searchPerSecond: HS_SEARCH_PER_SEC,
    dedupe: 'unique-property',
  });
  // Searches of 200 for companies, contacts and deals; one owners page; the deals' company and
  // contact associations (one v4 batch read of up to 1,000 deals each); the closed stages.
  const deals = count(t.deals);
  const pullLowerBound =
    [count(t.accounts), count(t.contacts), deals].reduce((s, n) => s + Math.max(1, Math.ceil(n / 200)), 0) + 1 + 2 * Math.ceil(deals / 1_000) + 1;
  return {
    emulator: hs,
    adapter,
    relations: () => 0,
    pullLowerBound,
    isWrite: (kind) => kind === 'batch-create-emails' || kind === 'batch-read-emails',
    isSearch: (kind) => kind.startsWith('search-'),
  };
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

async function benchOne(crm: Crm): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'mailbridge-bench-sync-'));
  const db = openDatabase({ path: join(dir, 'bench.db'), key: 'bench-sync-key' });
  const index = new SqliteDomainIndex(db);
  const graph = await startGraphEmulator({ mailboxes: generated.mailboxes, limits: { requestsPerWindow: MAIL_LIMIT, windowMs: MAIL_WINDOW_MS, concurrency: MAIL_CONCURRENCY } });
  const graphProvider = new GraphProvider({
    mode: 'company',
    baseUrl: graph.url,
    auth: { ...graph.credentials, networkClient: new RedirectingNetworkClient(graph.url) },
    pageSize: GRAPH_PAGE,
    limits: { limit: MAIL_LIMIT, windowMs: MAIL_WINDOW_MS, concurrency: MAIL_CONCURRENCY, share: SHARE },
  });
  const provider = new MeteredProvider(graphProvider);
  const side = await startCrm(crm, index);
  try {
    const started = performance.now();
    const result = await syncTenant({
      provider,
      crm: side.adapter,
      index,
      store: new SqliteSyncStore(db, () => NOW),
      ctx: { index, rules: buildRules({ companyDomains: [COMPANY], blocklist: { addresses: [], domains: [], phrases: [] } }) },
      clock: { now: () => NOW },
      // Every mailbox at once: each has its own budget at the provider.
      mailboxConcurrency: MAILBOXES,
    });
    const wallSec = (performance.now() - started) / 1000;
    const failed = result.mailboxes.filter((m) => !m.ok);
    if (failed.length) throw new Error(`${failed.length} mailboxes failed: ${JSON.stringify(failed[0])}`);

    const outcomes = result.mailboxes.flatMap((m) => (m.ok ? [m] : []));
    const messages = outcomes.reduce((s, m) => s + m.scanned, 0);
    const imported = outcomes.reduce((s, m) => s + m.imported, 0);

    // Calls served, tokens and control aside.
    const mailKinds = graph.emulator.counters.byKind();
    const crmKinds = Object.fromEntries(Object.entries(side.emulator.counters.byKind()).filter(([k]) => k !== 'oauth' && k !== 'control'));
    const mailCalls = apiCalls(graph.emulator.counters);
    const crmCalls = Object.values(crmKinds).reduce((s, n) => s + n, 0);
    const crmWrites = Object.entries(crmKinds).reduce((s, [k, n]) => s + (side.isWrite(k) ? n : 0), 0);
    const crmSearches = Object.entries(crmKinds).reduce((s, [k, n]) => s + (side.isSearch(k) ? n : 0), 0);
    const bodyCalls = mailKinds.batch ?? 0;
    const calls = mailCalls + crmCalls;

    // Fewest calls for the same work: list the users once, scan at the largest page, fetch the
    // bodies that were needed in full batches, pull the CRM at its largest pages, write in full batches.
    const bodiesPerMailbox = new Map<string, number>();
    for (const b of graph.control.bodyRequests()) bodiesPerMailbox.set(b.mailbox, (bodiesPerMailbox.get(b.mailbox) ?? 0) + 1);
    const lowerBound = 1 + graphLowerBound(graph, [...bodiesPerMailbox.values()]) + side.pullLowerBound + writeLowerBound(crm, imported, side.relations());

    // The same run, one body GET and one create per imported email.
    const naiveCalls = calls - bodyCalls - crmWrites + 2 * imported;

    // Least time at 75% of each limit: the busiest mailbox on its own budget; the CRM's calls on
    // the tenant's (HubSpot searches on theirs); whichever takes longer.
    const mailRate = (SHARE * MAIL_LIMIT) / (MAIL_WINDOW_MS / 1000);
    const busiest = Math.max(...provider.units.values());
    const mailBoundSec = busiest / mailRate;
    const crmBoundSec = (crmCalls - crmSearches) / (SHARE * CRM_PER_SEC) + crmSearches / (SHARE * HS_SEARCH_PER_SEC);
    const rateLimitBoundSec = Math.max(mailBoundSec, crmBoundSec);

    const out = {
      crm,
      messages,
      imported,
      apiCalls: calls,
      lowerBound,
      ratio: round(calls / lowerBound),
      naiveCalls,
      wallSec: round(wallSec, 1),
      rateLimitBoundSec: round(rateLimitBoundSec, 1),
      wallRatio: round(wallSec / rateLimitBoundSec),
    };
    if (!jsonOnly) {
      const detail = {
        mailCalls,
        crmCalls,
        crmWrites,
        throttled: (mailKinds.throttled ?? 0) + (side.emulator.counters.get('throttled') ?? 0),
        crmBudgetPauses: side.adapter.budgetPauses(),
        busiestMailboxUnits: busiest,
        mailBoundSec: round(mailBoundSec, 1),
        crmBoundSec: round(crmBoundSec, 1),
        naivePerActual: round(naiveCalls / calls, 1),
        mailKinds,
        crmKinds,
      };
      process.stderr.write(
        `${crm}: ${imported}/${messages} imported, ${calls} calls (bound ${lowerBound}, ratio ${out.ratio}), naive ${naiveCalls} (${detail.naivePerActual}×), ` +
          `${out.wallSec}s wall vs ${out.rateLimitBoundSec}s at 75% of the limits (${out.wallRatio})\n  ${JSON.stringify(detail)}\n`,
      );
    }
    return out;
  } finally {
    await graphProvider.close();
    await side.adapter.close?.();
    db.close();
    await graph.close();
    await side.emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const only = flag('--only') as Crm | undefined;
  const result: Record<string, unknown> = {};
  for (const crm of ['salesforce', 'hubspot'] as const) {
    if (only && only !== crm) continue;
    result[crm] = await benchOne(crm);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
