/**
 * `mailbridge demo`: the seeded tenant on the bundled emulators, synced for real. Starts the
 * mail and CRM emulators, writes a config and key into a fresh folder, runs a full sync round and
 * a delta round with new mail in this process (openTenant + runSyncRound, the same code
 * `sync --once` runs), then reads back the durable state. `--chaos` lives in chaos.ts.
 */
import { rmSync } from 'node:fs';
import { openTenant } from '../app/open-tenant.js';
import { runSyncRound, type SyncRoundResult } from '../app/run-sync.js';
import { createWorkspace, type DemoWorkspace } from './demo-config.js';
import { startDemoEmulators, type DemoCrm, type DemoEmulators, type DemoProvider } from './demo-emulators.js';
import { inspectWorkspace, type DemoState } from './demo-inspect.js';
import { applyDemoMeetingMoves } from './demo-meetings.js';
import { demoTenant, newMail, type DemoTenant } from './demo-tenant.js';
import { RequestTap, type RoundRequests } from './request-tap.js';

export interface DemoOptions {
  provider: DemoProvider;
  crm: DemoCrm;
  /** Keep the workspace folder (config, key, encrypted database) after the run. */
  keep: boolean;
  /** Told about each step, for a newcomer watching a terminal. */
  onStep?(message: string): void;
  /** Called with the result while the emulators still run (`--serve` waits here). */
  hold?(run: DemoRun, emulators: DemoEmulators): Promise<void>;
}

export interface MailboxSummary {
  address: string;
  scanned: number;
  imported: number;
  /** Copies of emails already imported from another mailbox (or an earlier round). */
  duplicates: number;
  skipped: Record<string, number>;
  error: string | null;
}

export interface DemoRun {
  provider: DemoProvider;
  crm: DemoCrm;
  tenant: DemoTenant;
  workspace: DemoWorkspace;
  kept: boolean;
  rounds: SyncRoundResult[];
  mailboxes: MailboxSummary[];
  totals: {
    mailboxes: number;
    scanned: number;
    imported: number;
    duplicates: number;
    skipped: Record<string, number>;
    failed: number;
    lateMatched: number;
    meetingsScanned: number;
    meetingsImported: number;
    meetingsAlreadyImported: number;
    meetingsSkipped: Record<string, number>;
    calendarsFailed: number;
  };
  state: DemoState;
  /** API requests the emulators served per round, by what they were for. */
  requests: RoundRequests[];
  wallMs: number;
}

/** Fast retries: the emulators answer in microseconds and inject no faults in a clean run. */
export const DEMO_TUNING = { providerTuning: { retryBaseMs: 50, requestTimeoutMs: 15_000 }, crmRetryBaseMs: 50 };

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/** Per mailbox, both rounds together. */
export function summarizeMailboxes(rounds: readonly SyncRoundResult[]): MailboxSummary[] {
  const byAddress = new Map<string, MailboxSummary>();
  for (const round of rounds) {
    for (const m of round.mailboxes) {
      const s = byAddress.get(m.address) ?? { address: m.address, scanned: 0, imported: 0, duplicates: 0, skipped: {}, error: null };
      if (m.ok) {
        s.scanned += m.scanned;
        s.imported += m.imported;
        s.duplicates += m.duplicates;
        addCounts(s.skipped, m.skipped);
      } else {
        s.error = m.error;
      }
      byAddress.set(m.address, s);
    }
  }
  return [...byAddress.values()].sort((a, b) => a.address.localeCompare(b.address));
}

export function totalsOfRounds(rounds: readonly SyncRoundResult[], mailboxes: number): DemoRun['totals'] {
  const totals: DemoRun['totals'] = {
    mailboxes,
    scanned: 0,
    imported: 0,
    duplicates: 0,
    skipped: {},
    failed: 0,
    lateMatched: 0,
    meetingsScanned: 0,
    meetingsImported: 0,
    meetingsAlreadyImported: 0,
    meetingsSkipped: {},
    calendarsFailed: 0,
  };
  for (const r of rounds) {
    totals.scanned += r.totals.scanned;
    totals.imported += r.totals.imported;
    totals.duplicates += r.totals.duplicates;
    totals.failed += r.totals.failed;
    totals.lateMatched += r.lateMatched;
    addCounts(totals.skipped, r.totals.skipped);
    totals.meetingsScanned += r.totals.meetingsScanned;
    totals.meetingsImported += r.totals.meetingsImported;
    totals.meetingsAlreadyImported += r.totals.meetingsAlreadyImported;
    totals.calendarsFailed += r.totals.calendarsFailed;
    addCounts(totals.meetingsSkipped, r.totals.meetingsSkipped);
  }
  return totals;
}

/**
 * What changes between the demo's rounds, the same for every run that is compared with the
 * clean one (chaos, the worker pool): new mail arrives and a meeting moves.
 */
export function changeBetweenRounds(emulators: DemoEmulators, tenant: DemoTenant): { messages: number; movedCalendars: number } {
  const fresh = newMail(tenant);
  for (const { address, message } of fresh) emulators.deliver(address, message);
  return { messages: fresh.length, movedCalendars: applyDemoMeetingMoves(emulators.calendar, tenant) };
}

/** The clean demo: full round, new mail, delta round, read-back. */
export async function runDemo(opts: DemoOptions): Promise<DemoRun> {
  const started = Date.now();
  const step = opts.onStep ?? (() => undefined);
  const tenant = demoTenant();
  step(`Starting the ${opts.provider} and ${opts.crm} emulators, seeded with ${tenant.mailboxAddresses.length} mailboxes of ${tenant.companyDomains[0]}`);
  const emulators = await startDemoEmulators(tenant, opts.provider, opts.crm);
  let workspace: DemoWorkspace | null = null;
  try {
    const tap = new RequestTap(emulators);
    workspace = createWorkspace(emulators, tenant);
    const rounds: SyncRoundResult[] = [];
    const open = openTenant(workspace.config, workspace.config.tenants[0]!, { clock: { now: () => tenant.now }, ...DEMO_TUNING });
    try {
      step('Round 1: full sync (CRM load, then every mailbox since its backfill start)');
      rounds.push(await runSyncRound(open, {}));
      tap.endRound();
      const change = changeBetweenRounds(emulators, tenant);
      step(`Round 2: delta sync after ${change.messages} new messages arrived and a meeting moved in ${change.movedCalendars} calendar${change.movedCalendars === 1 ? '' : 's'}`);
      rounds.push(await runSyncRound(open, {}));
      tap.endRound();
    } finally {
      await open.close();
    }
    const state = await inspectWorkspace(workspace, tenant, emulators);
    if (!opts.keep) rmSync(workspace.dir, { recursive: true, force: true });
    const run: DemoRun = {
      provider: opts.provider,
      crm: opts.crm,
      tenant,
      workspace,
      kept: opts.keep,
      rounds,
      mailboxes: summarizeMailboxes(rounds),
      totals: totalsOfRounds(rounds, tenant.mailboxAddresses.length),
      state,
      requests: tap.rounds(),
      wallMs: Date.now() - started,
    };
    await opts.hold?.(run, emulators);
    return run;
  } catch (err) {
    if (workspace && !opts.keep) rmSync(workspace.dir, { recursive: true, force: true });
    throw err;
  } finally {
    await emulators.close();
  }
}
