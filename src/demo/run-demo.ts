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
import { CRM_CHANGES, demoTenant, newMail, recordName, type DemoTenant } from './demo-tenant.js';
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
  /** Round 3: the CRM changes after the delta round (a new contact, a deal closed, a contact moved). */
  crmChanges?: boolean;
}

/** The CRM change round's story: what changed, and what moved or was found again because of it. */
export interface CrmChangeStory {
  changes: string[];
  /** Activities re-associated: subject and the `re-associated …` line. */
  moved: { subject: string; line: string }[];
  /** Emails found again by late matching. */
  lateMatched: string[];
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
    reassociated: number;
    meetingsScanned: number;
    meetingsImported: number;
    meetingsAlreadyImported: number;
    meetingsSkipped: Record<string, number>;
    calendarsFailed: number;
  };
  state: DemoState;
  /** Round 3, when run. */
  crmChangeStory: CrmChangeStory | null;
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
    reassociated: 0,
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
    totals.reassociated += r.reassociated;
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

/** Makes the CRM change round's edits in the CRM emulator; returns them, said plainly. */
export function applyCrmChanges(tenant: DemoTenant, emulators: DemoEmulators): string[] {
  const { newContact, closedDeal, movedContact } = CRM_CHANGES;
  emulators.crmChange.addContact(newContact.name, newContact.email, newContact.accountId);
  emulators.crmChange.closeDeal(closedDeal.id, closedDeal.closeDate);
  emulators.crmChange.moveContact(movedContact.id, movedContact.accountId);
  const contact = tenant.snapshot.contacts.find((c) => c.id === movedContact.id);
  return [
    `new contact ${newContact.name} <${newContact.email}>`,
    `deal ${recordName(tenant, closedDeal.id)} closed, dated ${closedDeal.closeDate}`,
    `contact ${recordName(tenant, movedContact.id)} moved from ${recordName(tenant, contact?.accountId ?? '')} to ${recordName(tenant, movedContact.accountId)}`,
  ];
}

function storyOf(changes: string[], emulators: DemoEmulators, before: ReadonlySet<string | null>): CrmChangeStory {
  const after = emulators.activities();
  const moved = after.flatMap((a) => {
    const line = a.explanation.split('\n').filter((l) => l.startsWith('re-associated ')).at(-1);
    return line ? [{ subject: a.subject, line }] : [];
  });
  return { changes, moved, lateMatched: after.filter((a) => !before.has(a.key)).map((a) => a.subject) };
}

/** The clean demo: full round, new mail, delta round, (CRM changes, round 3,) read-back. */
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
    let crmChangeStory: CrmChangeStory | null = null;
    const open = await openTenant(workspace.config, workspace.config.tenants[0]!, { clock: { now: () => tenant.now }, ...DEMO_TUNING });
    try {
      step('Round 1: full sync (CRM load, then every mailbox since its backfill start)');
      rounds.push(await runSyncRound(open, {}));
      tap.endRound();
      const change = changeBetweenRounds(emulators, tenant);
      step(`Round 2: delta sync after ${change.messages} new messages arrived and a meeting moved in ${change.movedCalendars} calendar${change.movedCalendars === 1 ? '' : 's'}`);
      rounds.push(await runSyncRound(open, {}));
      tap.endRound();
      if (opts.crmChanges) {
        const changes = applyCrmChanges(tenant, emulators);
        step(`Round 3: after CRM changes (${changes.join('; ')})`);
        const before = new Set(emulators.activities().map((a) => a.key));
        rounds.push(await runSyncRound(open, {}));
        tap.endRound();
        crmChangeStory = storyOf(changes, emulators, before);
      }
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
      crmChangeStory,
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
