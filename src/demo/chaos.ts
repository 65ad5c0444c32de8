/**
 * `mailbridge demo --chaos`: the demo under faults and crashes. First a clean run on fresh
 * emulators gives the reference figures. Then, on fresh emulators and a fresh workspace, each
 * round (full, then delta after new mail) is run by `mailbridge sync --once` child processes
 * while the emulators inject faults (429 with Retry-After, 503, slow answers) and the child is
 * SIGKILLed at a seeded random request (a CRM write in flight, a mailbox page, or start-up),
 * restarted until one finishes cleanly. The durable state then must equal the clean run's:
 * the same imported emails, the same activities in the CRM, none twice.
 */
import { rmSync } from 'node:fs';
import { openTenantDatabase } from '../app/open-tenant.js';
import { prng } from '../emulators/common/prng.js';
import type { FaultRule } from '../emulators/common/faults.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { createWorkspace, type DemoWorkspace } from './demo-config.js';
import { startDemoEmulators, type DemoCrm, type DemoEmulators, type DemoProvider } from './demo-emulators.js';
import { inspectWorkspace, type DemoMeetingState, type DemoState } from './demo-inspect.js';
import { demoTenant } from './demo-tenant.js';
import { RequestTap, type RequestClass, type RoundRequests } from './request-tap.js';
import { applyCrmChanges, changeBetweenRounds, runDemo, type DemoRun } from './run-demo.js';
import { startSyncChild } from './sync-child.js';

export interface ChaosOptions {
  provider: DemoProvider;
  crm: DemoCrm;
  seed: number;
  /** Kills aimed for in the full round and in the delta round. */
  kills: [number, number];
  /** Inject emulator faults as well as kills (default true). */
  faults?: boolean;
  keep: boolean;
  onStep?(message: string): void;
  onAttempt?(attempt: ChaosAttempt): void;
  /** Round 3 after CRM changes, as the clean demo runs it (no kills aimed at it). */
  crmChanges?: boolean;
}

export interface ChaosAttempt {
  round: 1 | 2 | 3;
  attempt: number;
  outcome: 'killed' | 'finished' | 'failed';
  /** Where it was killed: "crm-write #3 (collections-upsert)". */
  killedAt: string | null;
  faults: string[];
  /** The end of a failed child's stderr. */
  error: string | null;
  /** After a kill: activities in the CRM the ledger does not know of yet (a write landed, its record did not). */
  unrecorded: number;
  /** Wall time of the child, and until its first request (start-up). */
  ms: number;
  startupMs: number;
}

export interface Comparison {
  what: string;
  clean: unknown;
  chaos: unknown;
  ok: boolean;
}

export interface ChaosRun {
  provider: DemoProvider;
  crm: DemoCrm;
  seed: number;
  clean: DemoRun;
  workspace: DemoWorkspace;
  kept: boolean;
  attempts: ChaosAttempt[];
  kills: number;
  restarts: number;
  failedRuns: number;
  faultsServed: number;
  /** Kills that left CRM writes unrecorded: each restart had to find them idempotently. */
  unrecordedKills: number;
  state: DemoState;
  comparisons: Comparison[];
  ok: boolean;
  wallMs: number;
}

interface FaultChoice {
  label: string;
  rule: FaultRule;
}

const status = (code: number, headers?: Record<string, string>) => ({ type: 'status' as const, status: code, ...(headers ? { headers } : {}) });

function mailFaults(provider: DemoProvider): FaultChoice[] {
  const scan = provider === 'graph' ? ['messages.delta'] : ['messages.list', 'history.list'];
  return [
    ...scan.map((kind) => ({ label: `mail 429 Retry-After: 1 on ${kind}`, rule: { fault: status(429, { 'Retry-After': '1' }), kind } })),
    { label: 'mail 503 on a body batch', rule: { fault: status(503), kind: 'batch' } },
    { label: 'mail answers 400 ms late (×3)', rule: { fault: { type: 'delay', ms: 400 }, pathIncludes: provider === 'graph' ? '/v1.0/' : '/gmail/', times: 3 } },
  ];
}

function crmFaults(crm: DemoCrm): FaultChoice[] {
  if (crm === 'salesforce') {
    return [
      { label: 'Salesforce 503 on an EmailMessage upsert', rule: { fault: status(503), kind: 'collections-upsert' } },
      { label: 'Salesforce 503 on a SOQL query', rule: { fault: status(503), kind: 'query' } },
      { label: 'Salesforce answers 500 ms late (×2)', rule: { fault: { type: 'delay', ms: 500 }, pathIncludes: '/services/data/', times: 2 } },
    ];
  }
  return [
    { label: 'HubSpot 429 Retry-After: 1 on a batch create', rule: { fault: status(429, { 'Retry-After': '1' }), kind: 'batch-create-emails' } },
    { label: 'HubSpot 503 on a CRM search', rule: { fault: status(503), pathIncludes: '/search' } },
    { label: 'HubSpot answers 500 ms late (×2)', rule: { fault: { type: 'delay', ms: 500 }, pathIncludes: '/crm/', times: 2 } },
  ];
}

interface KillPlan {
  cls: RequestClass | 'any';
  n: number;
}

/**
 * Where to kill the next child: mostly at a CRM write (the crash that matters most), else at a
 * mailbox request, sometimes during start-up (token, CRM load, mailbox listing). The spread
 * shrinks the remaining work over the kills still wanted, so kills fall all through a round.
 */
function planKill(rand: () => number, killsLeft: number, remaining: RoundRequests): KillPlan {
  const spread = (work: number) => Math.max(1, Math.ceil((2 * Math.max(1, work)) / (killsLeft + 1)));
  const r = rand();
  if (r < 0.6 && remaining.crmWrites > 1) return { cls: 'crm-write', n: 1 + Math.floor(rand() * spread(remaining.crmWrites)) };
  if (r < 0.85) return { cls: 'mail', n: 1 + Math.floor(rand() * spread(remaining.mail)) };
  return { cls: 'any', n: 1 + Math.floor(rand() * 12) };
}

/** Ledger entries now (no child is running). */
/** Activities the ledgers hold: emails and meetings (a kill may land on either kind of write). */
function ledgerSize(workspace: DemoWorkspace): { emails: number; meetings: number } {
  const db = openTenantDatabase(workspace.config, workspace.databaseFile);
  try {
    const count = (table: string) => db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()?.n ?? 0;
    return { emails: count('ledger'), meetings: count('meetings') };
  } finally {
    db.close();
  }
}

function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Runs one round in child processes until one finishes cleanly. */
async function chaosRound(
  round: 1 | 2 | 3,
  wanted: number,
  reference: RoundRequests,
  ctx: { emulators: DemoEmulators; tap: RequestTap; workspace: DemoWorkspace; rand: () => number; opts: ChaosOptions; attempts: ChaosAttempt[] },
): Promise<void> {
  const { emulators, tap, workspace, rand, opts } = ctx;
  const remaining = { ...reference };
  const mailChoices = mailFaults(opts.provider);
  const crmChoices = crmFaults(opts.crm);
  let kills = 0;
  const maxAttempts = wanted + 15;
  for (let attempt = 1; ; attempt++) {
    if (attempt > maxAttempts) throw new Error(`chaos: round ${round} did not finish cleanly after ${maxAttempts} attempts`);
    const faults: string[] = [];
    // One mail and one CRM fault per child: leftovers would pile up where a round has few
    // requests of their kind (a delta round's writes) and only add backoff time.
    emulators.clearFaults();
    if (opts.faults !== false) {
      const mail = mailChoices[Math.floor(rand() * mailChoices.length)]!;
      const crm = crmChoices[Math.floor(rand() * crmChoices.length)]!;
      emulators.mailFault(mail.rule);
      emulators.crmFault(crm.rule);
      faults.push(mail.label, crm.label);
    }
    const plan = kills < wanted ? planKill(rand, wanted - kills, remaining) : null;
    const child = startSyncChild(workspace.configFile);
    const began = Date.now();
    let firstRequest = 0;
    const seen = { any: 0, 'crm-write': 0, mail: 0, startup: 0, 'crm-read': 0 } as Record<RequestClass | 'any', number>;
    let killedAt: string | null = null;
    const off = tap.on((cls, kind) => {
      firstRequest ||= Date.now();
      seen.any++;
      seen[cls]++;
      if (plan && killedAt === null && seen[plan.cls] === plan.n) {
        killedAt = `${plan.cls} #${plan.n} (${kind})`;
        // Synchronously, before the emulator handles the request: a write still lands.
        child.kill();
      }
    });
    const outcome = await child.done.finally(off);
    const recorded = outcome.killed ? ledgerSize(workspace) : null;
    const unrecorded = recorded ? emulators.activities().length - recorded.emails + (emulators.meetings().length - recorded.meetings) : 0;
    // A child killed after its last request still counts as killed: the next one finds no work.
    const record: ChaosAttempt = {
      round,
      attempt,
      outcome: outcome.killed ? 'killed' : outcome.code === 0 ? 'finished' : 'failed',
      killedAt: outcome.killed ? killedAt : null,
      faults,
      error: !outcome.killed && outcome.code !== 0 ? tail(outcome.stderr) || `exit ${String(outcome.code ?? outcome.signal)}` : null,
      unrecorded,
      ms: Date.now() - began,
      startupMs: (firstRequest || Date.now()) - began,
    };
    ctx.attempts.push(record);
    opts.onAttempt?.(record);
    if (record.outcome === 'finished') return;
    if (record.outcome === 'killed') {
      kills++;
      remaining.crmWrites = Math.max(1, remaining.crmWrites - seen['crm-write']);
      remaining.mail = Math.max(1, remaining.mail - seen.mail);
    }
  }
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosRun> {
  const started = Date.now();
  const step = opts.onStep ?? (() => undefined);
  step(`Clean reference run (${opts.provider} → ${opts.crm}) on fresh emulators`);
  const clean = await runDemo({ provider: opts.provider, crm: opts.crm, keep: false, crmChanges: opts.crmChanges });
  step(`Clean run: ${clean.state.ledgerEntries} imported, ${clean.state.activitiesWritten} activities in the CRM`);

  const tenant = demoTenant();
  const emulators = await startDemoEmulators(tenant, opts.provider, opts.crm);
  let workspace: DemoWorkspace | null = null;
  try {
    const tap = new RequestTap(emulators);
    workspace = createWorkspace(emulators, tenant, 'mailbridge-chaos-');
    if (opts.crmChanges) widenWindows(workspace);
    const ctx = { emulators, tap, workspace, rand: prng(opts.seed), opts, attempts: [] as ChaosAttempt[] };
    step(`Chaos run, seed ${opts.seed}: \`mailbridge sync --once\` child processes, SIGKILLed and restarted`);
    await chaosRound(1, opts.kills[0], clean.requests[0]!, ctx);
    const change = changeBetweenRounds(emulators, tenant);
    step(`${change.messages} new messages delivered, a meeting moved; delta round`);
    await chaosRound(2, opts.kills[1], clean.requests[1]!, ctx);
    if (opts.crmChanges) {
      const changes = applyCrmChanges(tenant, emulators);
      step(`CRM changes (${changes.join('; ')}); round 3`);
      await chaosRound(3, 0, clean.requests[2]!, ctx);
    }
    emulators.clearFaults();

    const state = await inspectWorkspace(workspace, tenant, emulators);
    const comparisons = compare(clean.state, state);
    const kills = ctx.attempts.filter((a) => a.outcome === 'killed').length;
    const failedRuns = ctx.attempts.filter((a) => a.outcome === 'failed').length;
    if (!opts.keep) rmSync(workspace.dir, { recursive: true, force: true });
    return {
      provider: opts.provider,
      crm: opts.crm,
      seed: opts.seed,
      clean,
      workspace,
      kept: opts.keep,
      attempts: ctx.attempts,
      kills,
      restarts: kills + failedRuns,
      failedRuns,
      faultsServed: emulators.faultsServed(),
      unrecordedKills: ctx.attempts.filter((a) => a.unrecorded > 0).length,
      state,
      comparisons,
      ok: comparisons.every((c) => c.ok),
      wallMs: Date.now() - started,
    };
  } catch (err) {
    if (workspace && !opts.keep) rmSync(workspace.dir, { recursive: true, force: true });
    throw err;
  } finally {
    await emulators.close();
  }
}

/**
 * The children run on the wall clock, while the demo's mail is dated around its fixed clock:
 * the late-match and re-association windows are widened to a year so they reach the same mail
 * the clean run (on the demo's clock, default windows) reaches.
 */
function widenWindows(workspace: DemoWorkspace): void {
  const raw = JSON.parse(readFileSync(workspace.configFile, 'utf8')) as { tenants: Record<string, unknown>[] };
  raw.tenants[0]!.lateMatch = { windowDays: 365 };
  raw.tenants[0]!.reassociation = { windowDays: 365 };
  writeFileSync(workspace.configFile, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600 });
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Clean against chaos, on the durable state only. */
export function compare(clean: DemoState, chaos: DemoState): Comparison[] {
  const cleanKeys = new Set(clean.crmKeys);
  const chaosKeys = new Set(chaos.crmKeys);
  const lost = clean.crmKeys.filter((k) => !chaosKeys.has(k)).length;
  const extra = chaos.crmKeys.filter((k) => !cleanKeys.has(k)).length;
  return [
    { what: 'imported (ledger entries)', clean: clean.ledgerEntries, chaos: chaos.ledgerEntries, ok: clean.ledgerEntries === chaos.ledgerEntries },
    { what: 'activities in the CRM', clean: clean.activitiesWritten, chaos: chaos.activitiesWritten, ok: clean.activitiesWritten === chaos.activitiesWritten },
    { what: 'activities lost (in the clean CRM only)', clean: 0, chaos: lost, ok: lost === 0 },
    { what: 'activities not in the clean CRM', clean: 0, chaos: extra, ok: extra === 0 },
    { what: 'duplicate activities (same dedupe key)', clean: clean.duplicateActivities, chaos: chaos.duplicateActivities, ok: chaos.duplicateActivities === 0 },
    { what: 'duplicate links (relations, associations)', clean: clean.duplicateLinks, chaos: chaos.duplicateLinks, ok: chaos.duplicateLinks === 0 },
    { what: 'skipped, by reason', clean: clean.skipped, chaos: chaos.skipped, ok: sameJson(clean.skipped, chaos.skipped) },
    { what: 'mailbox copies accounted for', clean: clean.accountedCopies, chaos: chaos.accountedCopies, ok: clean.accountedCopies === chaos.accountedCopies },
    ...compareMeetings(clean.meetings, chaos.meetings),
  ];
}

/** Meetings, the same way: imported, the CRM's meetings as written (moves and cancellations included), none twice. */
function compareMeetings(clean: DemoMeetingState, chaos: DemoMeetingState): Comparison[] {
  const cleanState = new Set(clean.crmState);
  const chaosState = new Set(chaos.crmState);
  const differ = clean.crmState.filter((m) => !chaosState.has(m)).length + chaos.crmState.filter((m) => !cleanState.has(m)).length;
  return [
    { what: 'meetings imported (ledger entries)', clean: clean.ledgerEntries, chaos: chaos.ledgerEntries, ok: clean.ledgerEntries === chaos.ledgerEntries },
    { what: 'meeting activities in the CRM', clean: clean.activitiesWritten, chaos: chaos.activitiesWritten, ok: clean.activitiesWritten === chaos.activitiesWritten },
    { what: 'meeting activities not as in the clean CRM (key, times, cancelled)', clean: 0, chaos: differ, ok: differ === 0 },
    { what: 'duplicate meetings (same key)', clean: clean.duplicateMeetings, chaos: chaos.duplicateMeetings, ok: chaos.duplicateMeetings === 0 },
    { what: 'meetings skipped, by reason', clean: clean.skipped, chaos: chaos.skipped, ok: sameJson(clean.skipped, chaos.skipped) },
    { what: 'calendar copies accounted for', clean: clean.accountedCopies, chaos: chaos.accountedCopies, ok: clean.accountedCopies === chaos.accountedCopies },
  ];
}
