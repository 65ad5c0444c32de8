/**
 * What the demo prints: for a person, the story of the run (per mailbox and reason, a few
 * imported emails with their links and explanations, where the data lives, what to run next);
 * for a machine, one JSON object on the last line.
 */
import { formatCounts, printTable } from '../cli/output.js';
import type { ChaosRun } from './chaos.js';
import type { DemoMeetingState } from './demo-inspect.js';
import type { DemoRun } from './run-demo.js';

const PROVIDER_NAMES = { graph: 'Microsoft Graph', gmail: 'Gmail' } as const;
const CRM_NAMES = { salesforce: 'Salesforce', hubspot: 'HubSpot' } as const;
const REASONS = ['internal-only', 'automated', 'blocklisted', 'no-crm-match', 'draft-or-deleted'] as const;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const reasonList = (counts: Record<string, number>) => formatCounts(counts, 'none');

/** How to call the CLI here: from a checkout (`npm run mailbridge --`) or the installed command. */
export function cliPrefix(): string {
  return import.meta.url.endsWith('.ts') ? 'npm run mailbridge --' : 'mailbridge';
}

/** The clean demo's JSON (also the base of the chaos JSON). */
export function demoJson(run: DemoRun): Record<string, unknown> {
  return {
    provider: run.provider,
    crm: run.crm,
    mailboxes: run.totals.mailboxes,
    scanned: run.totals.scanned,
    imported: run.totals.imported,
    duplicates: run.totals.duplicates,
    skipped: run.totals.skipped,
    failedMailboxes: run.totals.failed,
    lateMatched: run.totals.lateMatched,
    reassociated: run.totals.reassociated,
    activitiesWritten: run.state.activitiesWritten,
    duplicateActivities: run.state.duplicateActivities,
    duplicateLinks: run.state.duplicateLinks,
    ledgerEntries: run.state.ledgerEntries,
    ...meetingsJson(run.totals.meetingsScanned, run.state.meetings),
    meetingsAlreadyImported: run.totals.meetingsAlreadyImported,
    calendarsFailed: run.totals.calendarsFailed,
    rounds: run.rounds.map((r, i) => ({ round: i + 1, ...r.totals })),
    samples: run.state.samples,
    workspace: { dir: run.workspace.dir, configFile: run.workspace.configFile, keyFile: run.workspace.keyFile, databaseFile: run.workspace.databaseFile, kept: run.kept },
    wallMs: run.wallMs,
  };
}

/**
 * The meeting figures of the demo's JSON (issue 15): `meetingsImported` the ledger's meetings,
 * `meetingActivitiesWritten` the meeting activities the CRM holds and `duplicateMeetings` those
 * sharing a key, both read from the CRM emulator (as `activitiesWritten`, `duplicateActivities`).
 */
function meetingsJson(scanned: number, m: DemoMeetingState): Record<string, unknown> {
  return {
    meetingsScanned: scanned,
    meetingsImported: m.ledgerEntries,
    meetingsSkipped: m.skipped,
    meetingActivitiesWritten: m.activitiesWritten,
    duplicateMeetings: m.duplicateMeetings,
  };
}

export function chaosJson(run: ChaosRun): Record<string, unknown> {
  return {
    provider: run.provider,
    crm: run.crm,
    mailboxes: run.clean.totals.mailboxes,
    // From the durable state: every mailbox copy is a reason counter or a ledger holder.
    scanned: run.state.accountedCopies,
    imported: run.state.ledgerEntries,
    skipped: run.state.skipped,
    activitiesWritten: run.state.activitiesWritten,
    duplicateActivities: run.state.duplicateActivities,
    duplicateLinks: run.state.duplicateLinks,
    // From the durable state, as the mail figures: every calendar copy is a counter or a holder.
    ...meetingsJson(run.state.meetings.accountedCopies, run.state.meetings),
    chaos: {
      seed: run.seed,
      kills: run.kills,
      restarts: run.restarts,
      failedRuns: run.failedRuns,
      faultsServed: run.faultsServed,
      unrecordedKills: run.unrecordedKills,
      attempts: run.attempts,
      clean: {
        scanned: run.clean.state.accountedCopies,
        imported: run.clean.state.ledgerEntries,
        skipped: run.clean.state.skipped,
        activitiesWritten: run.clean.state.activitiesWritten,
        ...meetingsJson(run.clean.state.meetings.accountedCopies, run.clean.state.meetings),
      },
      comparisons: run.comparisons,
      match: run.ok,
    },
    workspace: { dir: run.workspace.dir, configFile: run.workspace.configFile, databaseFile: run.workspace.databaseFile, kept: run.kept },
    wallMs: run.wallMs,
  };
}

export function printDemo(run: DemoRun, out: NodeJS.WritableStream = process.stdout): void {
  const w = (s = '') => out.write(`${s}\n`);
  const [r1, r2] = run.rounds;
  w();
  w(`Harbor Labs (${run.tenant.companyDomains[0]}): ${run.totals.mailboxes} mailboxes on the ${PROVIDER_NAMES[run.provider]} emulator, CRM on the ${CRM_NAMES[run.crm]} emulator.`);
  if (r1) w(`Round 1, full sync:  ${r1.totals.scanned} messages scanned, ${r1.totals.imported} imported, ${r1.totals.duplicates} already imported from another mailbox`);
  if (r2) w(`Round 2, delta sync: ${r2.totals.scanned} new messages scanned, ${r2.totals.imported} imported, ${r2.totals.duplicates} already imported`);
  const r3 = run.rounds[2];
  if (r3) w(`Round 3, after CRM changes: ${r3.lateMatched} found again by late matching, ${r3.reassociated} activities moved`);
  w();
  w('Per mailbox, both rounds ("already": the same email was imported from another mailbox; one activity, both recorded as holders):');
  const reasons = REASONS.filter((r) => run.totals.skipped[r]);
  const extra = Object.keys(run.totals.skipped).filter((r) => !(REASONS as readonly string[]).includes(r));
  const columns = [...reasons, ...extra];
  const row = (name: string, m: { scanned: number; imported: number; duplicates: number; skipped: Record<string, number> }, error?: string | null) => [
    name,
    String(m.scanned),
    String(m.imported),
    String(m.duplicates),
    ...columns.map((r) => String(m.skipped[r] ?? 0)),
    error ? `failed: ${error}` : '',
  ];
  printTable(
    ['mailbox', 'scanned', 'imported', 'already', ...columns, ''],
    [...run.mailboxes.map((m) => row(m.address, m, m.error)), row('total', run.totals)],
    out,
  );
  w();
  w('Skipped mail leaves only these counters behind: no address, subject or message id of it is stored or logged.');
  w();
  w('A few imported emails, as logged in the CRM (from the ledger in the encrypted database):');
  for (const s of run.state.samples) {
    w();
    w(`  "${s.subject}"  (${s.direction}, ${s.sentAt.slice(0, 10)})`);
    w(`    logged on: ${s.relatedTo ? `${s.relatedTo.name} (${s.relatedTo.id})` : 'no account or deal: on the people it names'}; ${CRM_NAMES[run.crm]} id ${s.crmId}`);
    w(`    linked to: ${s.linked.map((l) => `${l.kind} ${l.name}`).join(', ') || 'nothing'}`);
    w(`    held by:   ${s.holders.join(', ')}`);
    w(`    why:       ${s.explanation}`);
  }
  printCrmChanges(run, out);
  w();
  w(`${CRM_NAMES[run.crm]} now holds ${run.state.activitiesWritten} email activities for ${run.totals.imported + run.totals.lateMatched} imported emails; ${run.state.duplicateActivities} duplicates.`);
  w(`Skipped: ${reasonList(run.totals.skipped)}.`);
  const m = run.state.meetings;
  w();
  w(
    `Meetings (calendar.enabled): ${run.totals.meetingsScanned} calendar events read, ${m.ledgerEntries} meetings imported ` +
      `(${run.totals.meetingsAlreadyImported} copies already imported from another calendar or round); ` +
      `${CRM_NAMES[run.crm]} holds ${m.activitiesWritten} meeting activities, ${m.duplicateMeetings} duplicates.`,
  );
  w(`Meetings skipped: ${reasonList(m.skipped)}.`);
  printWhereAndNext(run, out);
}

/** Round 3's story: what changed in the CRM, which activities moved and why, what was found again. */
function printCrmChanges(run: DemoRun, out: NodeJS.WritableStream): void {
  const story = run.crmChangeStory;
  if (!story) return;
  const w = (s = '') => out.write(`${s}\n`);
  w();
  w('Round 3: the CRM changed after the first sync:');
  for (const c of story.changes) w(`  - ${c}`);
  w(`Found again by late matching (asked of the mail service, nothing of skipped mail was kept): ${story.lateMatched.map((s) => `"${s}"`).join(', ') || 'nothing'}`);
  w(`Moved to their new records (${story.moved.length}), each explanation gaining a line:`);
  for (const m of story.moved) {
    w(`  "${m.subject}"`);
    w(`    ${m.line}`);
  }
}

function printWhereAndNext(run: DemoRun, out: NodeJS.WritableStream): void {
  const w = (s = '') => out.write(`${s}\n`);
  const ws = run.workspace;
  const mb = cliPrefix();
  const next = (command: string, what: string) => {
    w(`  ${mb} ${command}`);
    w(`      ${what}`);
  };
  w();
  if (run.kept) {
    w('Where the data lives:');
    w(`  ${ws.dir}`);
    w('    mailbridge.config.json   the configuration, pointing at the emulators (0600)');
    w('    mailbridge.key           the database key (0600)');
    w(`    ${ws.databaseFile.slice(ws.dir.length + 1).padEnd(24)} the tenant's database: ledger, cursors, counters, searchable text;`);
    w('                             encrypted at rest (SQLite3 Multiple Ciphers), unreadable without the key');
    w();
    w('What to run next:');
    next(`status --config ${ws.configFile}`, 'mailbox states, last sync, counts by reason (works now: it reads the database only)');
    next('demo --serve', `the same demo, leaving the emulators up; then \`${mb} sync --once --config <its config>\` in another terminal`);
  } else {
    w(`The workspace (${ws.dir}) was removed (--no-keep).`);
    w();
    w('What to run next:');
  }
  next('demo --chaos', 'the same under 429s, 503s, slow answers and kill -9 of the sync process, compared with a clean run');
  next('demo --provider gmail --crm hubspot', 'the other mail service and CRM');
  next('emulate graph', 'one emulator, standalone, to point your own tools at (also gmail, salesforce, hubspot)');
  next('classify --crm examples/sample-crm.json --mail examples/sample-mailbox', 'the engine on mail files, no account needed');
  next('init', 'a configuration for your own Microsoft 365 / Google Workspace and CRM');
}

export function printChaos(run: ChaosRun, out: NodeJS.WritableStream = process.stdout): void {
  const w = (s = '') => out.write(`${s}\n`);
  w();
  w(`Clean reference (${PROVIDER_NAMES[run.provider]} → ${CRM_NAMES[run.crm]}): ${run.clean.state.ledgerEntries} imported, ${run.clean.state.activitiesWritten} activities, in ${seconds(run.clean.wallMs)}.`);
  w();
  w(`Chaos run, seed ${run.seed}: each round by \`mailbridge sync --once\` child processes until one finishes cleanly.`);
  printTable(
    ['round', 'try', 'outcome', 'where', 'faults queued'],
    run.attempts.map((a) => [
      String(a.round),
      String(a.attempt),
      a.outcome === 'killed' && a.unrecorded > 0 ? `killed (${a.unrecorded} CRM write${a.unrecorded === 1 ? '' : 's'} not in the ledger)` : a.outcome,
      a.killedAt ?? (a.error ? a.error.split('\n').pop()! : ''),
      a.faults.join('; '),
    ]),
    out,
  );
  w();
  w(`${run.kills} SIGKILLs, ${run.restarts} restarts (${run.failedRuns} after a failed run), ${run.faultsServed} faults served by the emulators.`);
  if (run.unrecordedKills) {
    w(`${run.unrecordedKills} kills left activities in the CRM that the ledger had not recorded; the restarts wrote them again`);
    w('idempotently (Salesforce upsert on Mailbridge_Key__c, HubSpot unique mailbridge_key) and no second copy appeared.');
  }
  w();
  const shown = (v: unknown) => (typeof v === 'object' && v !== null ? reasonList(v as Record<string, number>) : String(v));
  printTable(
    ['compared', '', 'clean', 'chaos'],
    run.comparisons.map((c) => [c.what, c.ok ? 'ok' : 'DIFFERENT', shown(c.clean), shown(c.chaos)]),
    out,
  );
  w();
  w(run.ok ? 'Same result as the clean run: nothing lost, nothing duplicated.' : 'The chaos run differs from the clean run (see above).');
  if (run.kept) w(`Workspace kept: ${run.workspace.dir} (${cliPrefix()} status --config ${run.workspace.configFile})`);
  w(`Total time ${seconds(run.wallMs)}.`);
}
