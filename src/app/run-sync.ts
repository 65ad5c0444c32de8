/**
 * One sync round of one tenant, as `sync --once` and the scheduler run it: pull CRM changes,
 * sync every mailbox under a per-mailbox lease, record each mailbox's status, and remember the
 * CRM budget seen. The work itself is `syncTenant`; this adds the operational parts.
 */
import type { ScanFolder } from '../core/ports.js';
import { isSyncError } from '../core/sync-error.js';
import { ConfigError } from '../config/load-config.js';
import { adminParts } from './admin/admin-parts.js';
import { settleMeetingDeletions } from './admin/forget-meetings.js';
import { settleCrmDeletions } from './admin/forget-messages.js';
import { calendarParts, mailboxRun, meetingLogFields } from './calendar-round.js';
import { runPrivacyJobs } from './admin/privacy.js';
import type { OpenTenant } from './open-tenant.js';
import { Leases } from './leases.js';
import { recordRoundCounts } from './ops/round-history.js';
import type { JobLogger } from './logger.js';
import { REMOVED } from './connect.js';
import { syncTenant, type MailboxOutcome } from './sync-tenant.js';
import { meetingTotalsOf, type MeetingTotals } from './meeting-totals.js';

export type SyncProgress =
  | { event: 'crm'; tenant: string; batches: number; records: number }
  | { event: 'mailboxes'; tenant: string; total: number }
  | { event: 'page'; tenant: string; mailbox: string; folder: ScanFolder; scanned: number; imported: number }
  | { event: 'mailbox'; tenant: string; mailbox: string; ok: boolean; scanned: number; imported: number; error?: string };

export interface SyncRoundOptions {
  /** Only these mailbox addresses. */
  mailboxes?: string[];
  /** Aborting stops the round between pages; the batch in flight finishes first. */
  signal?: AbortSignal;
  onProgress?(e: SyncProgress): void;
  /** Lease holder identity (default `host:pid`). */
  holder?: string;
  logger?: JobLogger;
}

/** A round's counts: mail's, then the calendars' (zero unless `calendar.enabled`; meeting-totals.ts). */
export type SyncTotals = MailTotals & MeetingTotals;

interface MailTotals {
  mailboxes: number;
  scanned: number;
  imported: number;
  duplicates: number;
  skipped: Record<string, number>;
  failed: number;
  /** Imported by late matching: mail found again after the CRM gained its address or domain. */
  lateMatched: number;
  /** Activities moved to new records after a CRM change (docs/rules.md "Re-association"). */
  reassociated: number;
}

export interface SyncRoundResult {
  tenant: string;
  provider: 'graph' | 'gmail';
  crm: 'salesforce' | 'hubspot';
  crmBatches: number;
  /** Housekeeping done before the scan: privacy jobs run, CRM deletions paid / still owed. */
  privacyJobs: number;
  crmDeletions: { paid: number; owed: number };
  mailboxes: MailboxOutcome[];
  totals: SyncTotals;
  /** Late matching this round: searches asked, keys still waiting, mailboxes whose searches failed. */
  lateMatch: { queries: number; pendingKeys: number; failed: { address: string; error: string }[] };
  /** Emails imported by late matching this round (also in `totals`). */
  lateMatched: number;
  /** Activities moved after a CRM change this round (also in `totals`). */
  reassociated: number;
  /** Re-association this round: emails decided again, still queued, moves the CRM refused (count). */
  reassociation: { checked: number; pending: number; failed: number };
  /** True when the signal stopped the round before every mailbox finished. */
  stopped: boolean;
}

/** Another live process is running this tenant's round. */
export class TenantBusyError extends Error {
  override name = 'TenantBusyError';
  constructor(tenant: string, holder: string) {
    super(`tenant ${tenant} is being synced by another process (${holder}); try again when it finishes`);
  }
}

/** The audit actor of scheduled work. */
export const SCHEDULER_ACTOR = 'scheduler';

/** The lease a whole round (and key rotation) holds. */
export const TENANT_LEASE = 'tenant';

export function totalsOf(outcomes: readonly MailboxOutcome[]): SyncTotals {
  const totals: MailTotals = { mailboxes: outcomes.length, scanned: 0, imported: 0, duplicates: 0, skipped: {}, failed: 0, lateMatched: 0, reassociated: 0 };
  for (const o of outcomes) {
    if (!o.ok) {
      totals.failed++;
      continue;
    }
    totals.scanned += o.scanned;
    totals.imported += o.imported;
    totals.duplicates += o.duplicates;
    for (const [reason, n] of Object.entries(o.skipped)) totals.skipped[reason] = (totals.skipped[reason] ?? 0) + n;
  }
  return { ...totals, ...meetingTotalsOf(outcomes) };
}

/**
 * A round that stopped before its mailboxes were done: what failed (`code`: a SyncError code,
 * `database`, `config` or `error`), where (`stage`), and the configuration path to check when a
 * setting can fix it (`field`, e.g. `tenants[acme].mail.clientSecret`).
 */
export class RoundFailedError extends Error {
  override name = 'RoundFailedError';
  constructor(
    readonly tenant: string,
    readonly code: string,
    readonly stage: string,
    readonly reason: string,
    readonly field: string | null,
    cause: unknown,
  ) {
    super(`tenant ${tenant}: sync round failed (${stage}): ${reason}${field ? `; check ${field} in the configuration` : ''}`, { cause });
  }
}

/** The stages of a round, in order; a failure is reported with the one it was in. */
export type RoundStage = 'housekeeping' | 'crm' | 'reassociate' | 'mailboxes' | 'late-match' | 'finish';

function failureOf(tenantId: string, err: unknown, stage: RoundStage): RoundFailedError {
  const reason = err instanceof Error ? err.message : String(err);
  if (isSyncError(err)) return new RoundFailedError(tenantId, err.code, stage, reason, err.setting ? `tenants[${tenantId}].${err.setting}` : null, err);
  if (err instanceof ConfigError) {
    // Fields come both relative to the tenant (`crm.privateKeyFile`) and whole (`tenants[acme].…`).
    const field = err.field === null ? null : err.field.startsWith('tenants[') ? err.field : `tenants[${tenantId}].${err.field}`;
    return new RoundFailedError(tenantId, 'config', stage, reason, field, err);
  }
  const name = (err as { name?: unknown; code?: unknown } | null)?.name;
  const code = (err as { code?: unknown } | null)?.code;
  const database = name === 'SqliteError' || (typeof code === 'string' && code.startsWith('SQLITE_'));
  return new RoundFailedError(tenantId, database ? 'database' : 'error', stage, reason, null, err);
}

export async function runSyncRound(tenant: OpenTenant, opts: SyncRoundOptions = {}): Promise<SyncRoundResult> {
  const id = tenant.config.id;
  const log = opts.logger?.child({ tenant: id });
  const leases = new Leases(tenant.stores.leases, opts.holder);
  if (!(await leases.acquire(TENANT_LEASE))) throw new TenantBusyError(id, (await tenant.stores.leases.leaseHolder(TENANT_LEASE))?.holder ?? 'unknown');
  const startedAt = tenant.clock.now().toISOString();
  const stage: { current: RoundStage } = { current: 'housekeeping' };
  try {
    const result = await round(tenant, opts, leases, log, stage);
    await tenant.stores.rounds.recordRound({ startedAt, finishedAt: tenant.clock.now().toISOString(), ok: true, stage: null, error: null, totals: result.totals });
    return result;
  } catch (err) {
    const failure = failureOf(id, err, stage.current);
    log?.error({ stage: failure.stage, code: failure.code, field: failure.field, error: failure.reason }, 'sync round failed');
    await recordFailure(tenant, failure, startedAt, log);
    throw failure;
  } finally {
    await leases.release(TENANT_LEASE);
  }
}

/**
 * Writes a failed round down, best effort (the database may be what failed). A refused
 * credential or consent while listing mailboxes concerns every mailbox: each is marked failing.
 */
async function recordFailure(tenant: OpenTenant, failure: RoundFailedError, startedAt: string, log: JobLogger | undefined): Promise<void> {
  const { rounds, status } = tenant.stores;
  try {
    await rounds.recordRound({
      startedAt,
      finishedAt: tenant.clock.now().toISOString(),
      ok: false,
      stage: failure.stage,
      error: { code: failure.code, message: failure.reason, setting: failure.field },
      totals: null,
    });
    if (failure.stage === 'mailboxes' && (failure.code === 'auth' || failure.code === 'permission')) {
      const known = [...(await status.mailboxStatuses()).map((m) => m.address), ...(tenant.config.mail.users ?? [])];
      await rounds.markMailboxesFailing(known, `${failure.code}: ${failure.reason}${failure.field ? ` (check ${failure.field})` : ''}`);
    }
  } catch (err) {
    log?.error({ error: err instanceof Error ? err.message : String(err) }, 'could not record the failed round');
  }
}

/**
 * Company mode, after a full listing: configured or known mailboxes the directory no longer
 * lists are `missing` (a departed user, a typo in mail.users), so they stop looking connected.
 */
async function markMissing(tenant: OpenTenant, listed: ReadonlySet<string>): Promise<void> {
  const { status } = tenant.stores;
  const configured = new Set((tenant.config.mail.users ?? []).map((u) => u.toLowerCase()));
  const wholeDirectory = configured.size === 0;
  const removed = new Set((await status.mailboxStatuses()).filter((s) => s.connection === REMOVED).map((s) => s.address));
  for (const address of configured) if (!listed.has(address) && !removed.has(address)) await status.setConnection(address, 'missing');
  for (const row of await status.mailboxStatuses()) {
    // A mailbox the admin removed is left out of the listing on purpose: it stays `removed`.
    if (listed.has(row.address) || row.connection === 'missing' || row.connection === REMOVED) continue;
    if (wholeDirectory || configured.has(row.address)) await status.setConnection(row.address, 'missing');
  }
}

/** Queued privacy jobs (erasures), run before a round, on either store. */
export async function runQueuedPrivacyJobs(tenant: OpenTenant, actor: string): Promise<unknown[]> {
  return runPrivacyJobs(adminParts(tenant, actor));
}

/** Emails' and meetings' CRM deletions still owed (a purge the CRM failed), paid before the scan. */
export async function settleDeletions(tenant: OpenTenant): Promise<{ paid: number; owed: number }> {
  const crm = tenant.crm();
  const governance = tenant.stores.governance;
  const mail = await settleCrmDeletions(governance, crm);
  // Meeting activities go through the meeting writer (a HubSpot meeting is not an email).
  const meetings = await settleMeetingDeletions(governance, crm.meetingWriter());
  return { paid: mail.paid + meetings.paid, owed: await governance.crmDeletionsOwedCount() };
}

async function round(tenant: OpenTenant, opts: SyncRoundOptions, leases: Leases, log: JobLogger | undefined, stage: { current: RoundStage }): Promise<SyncRoundResult> {
  const id = tenant.config.id;
  const leaseName = (mailboxId: string) => `mailbox:${mailboxId}`;
  const crm = tenant.crm();
  const provider = tenant.provider();
  const idByAddress = new Map<string, string>();
  log?.info({ crm: crm.kind, provider: provider.kind }, 'sync round started');

  // Queued erasures first, so their suppressions hold for this round's scan; then the CRM
  // deletions an earlier purge could not finish.
  const jobs = await runQueuedPrivacyJobs(tenant, SCHEDULER_ACTOR);
  const crmDeletions = await settleDeletions(tenant);
  if (jobs.length || crmDeletions.paid || crmDeletions.owed) log?.info({ privacyJobs: jobs.length, ...crmDeletions }, 'housekeeping');

  const result = await syncTenant({
    provider,
    crm,
    index: tenant.stores.index,
    store: tenant.stores.ledger,
    ctx: await tenant.context(),
    resolvePages: tenant.resolvePages,
    clock: tenant.clock,
    mailboxConcurrency: tenant.config.mailboxConcurrency,
    backfill: { ...tenant.config.backfill, maxDays: tenant.config.backfill.maxDays ?? null },
    lateMatch: tenant.config.lateMatch,
    reassociation: tenant.config.reassociation,
    calendar: calendarParts(tenant),
    mailboxes: opts.mailboxes,
    // Read each round from the database, so a removal reaches a running service at once.
    exclude: (await tenant.stores.status.mailboxStatuses()).filter((s) => s.connection === REMOVED).map((s) => s.address),
    shouldStop: () => opts.signal?.aborted ?? false,
    onStage: (s) => {
      stage.current = s;
    },
    onMailboxes: async (list) => {
      for (const m of list) idByAddress.set(m.address, m.id);
      if (!opts.mailboxes && tenant.config.mail.mode === 'company') await markMissing(tenant, new Set(list.map((m) => m.address)));
      opts.onProgress?.({ event: 'mailboxes', tenant: id, total: list.length });
      log?.info({ mailboxes: list.length }, 'mailboxes listed');
    },
    claim: (m) => leases.acquire(leaseName(m.id)),
    release: (m) => leases.release(leaseName(m.id)),
    onCrmBatch: ({ records, batches }) => {
      opts.onProgress?.({ event: 'crm', tenant: id, batches, records });
      log?.debug({ batches, records }, 'crm batch applied');
    },
    onPage: (p) => {
      // Renew the lease as work goes on, so a long backfill keeps its mailbox.
      const mailboxId = idByAddress.get(p.mailbox);
      if (mailboxId) leases.renew(leaseName(mailboxId));
      leases.renew(TENANT_LEASE);
      opts.onProgress?.({ event: 'page', tenant: id, mailbox: p.mailbox, folder: p.folder, scanned: p.scanned, imported: p.imported });
    },
    onMailbox: async (o) => {
      const { status } = tenant.stores;
      if (!o.ok && o.code === 'not-found') {
        // Asked for by name, not listed: a configured or known mailbox is missing; a typo leaves no row.
        const known = (await status.mailboxStatuses()).some((m) => m.address === o.address) || (tenant.config.mail.users ?? []).some((u) => u.toLowerCase() === o.address);
        if (known && tenant.config.mail.mode === 'company') await status.setConnection(o.address, 'missing');
        opts.onProgress?.({ event: 'mailbox', tenant: id, mailbox: o.address, ok: false, scanned: 0, imported: 0, error: o.error });
        log?.warn({ mailbox: o.address, code: o.code }, 'mailbox not found');
        return;
      }
      if (o.ok) {
        const run = mailboxRun(o);
        await status.recordRun(o.address, o.mailboxId, run.error, run.result);
      } else {
        await status.recordRun(o.address, o.mailboxId, o.setting ? `${o.error} (check tenants[${id}].${o.setting})` : o.error, { code: o.code, setting: o.setting ?? null });
      }
      opts.onProgress?.({
        event: 'mailbox',
        tenant: id,
        mailbox: o.address,
        ok: o.ok,
        scanned: o.ok ? o.scanned : 0,
        imported: o.ok ? o.imported : 0,
        ...(o.ok ? {} : { error: o.error }),
      });
      if (o.ok) log?.info({ mailbox: o.address, scanned: o.scanned, imported: o.imported, duplicates: o.duplicates, skipped: o.skipped, ...meetingLogFields(o) }, 'mailbox synced');
      else log?.warn({ mailbox: o.address, code: o.code, error: o.error }, 'mailbox failed');
      // The mail stands; the calendar resumes from its cursor next round.
      const calendar = o.ok ? o.meetings : undefined;
      if (calendar && !calendar.ok) log?.warn({ mailbox: o.address, code: calendar.code, error: calendar.error }, 'calendar failed');
    },
  });

  stage.current = 'finish';
  const { reassociated, ...reassociationRest } = result.reassociation;
  const totals = { ...totalsOf(result.mailboxes), lateMatched: result.lateMatch.lateMatched, reassociated };
  const reassociation = { checked: reassociationRest.checked, pending: reassociationRest.pending, failed: reassociationRest.failed.length };
  // Counts only; a refused move names its error (CRM wording), never the mail.
  if (reassociation.checked || reassociated) log?.info({ reassociated, ...reassociation }, 're-association');
  for (const f of reassociationRest.failed) log?.warn({ error: f.error, retryable: f.retryable }, f.retryable ? 're-association move failed; retried next round' : 're-association move refused; the activity stays where it is');
  const { lateMatched, ...lateMatch } = result.lateMatch;
  // Counts only: the keys searched for are CRM data and are not logged either.
  if (lateMatch.queries || lateMatched) log?.info({ lateMatched, queries: lateMatch.queries, pendingKeys: lateMatch.pendingKeys }, 'late matching');
  for (const f of lateMatch.failed) log?.warn({ mailbox: f.address, error: f.error }, 'late-match search failed; retried next round');
  const limits = crm.limits();
  const at = tenant.clock.now().toISOString();
  await tenant.stores.settings.setSetting('crm.limits', JSON.stringify({ ...limits, at }));
  await tenant.stores.settings.setSetting('sync.lastRound', JSON.stringify({ at, totals }));
  await recordRoundCounts(tenant.stores.settings, new Date(at), totals);
  const stopped = (opts.signal?.aborted ?? false) || result.mailboxes.some((m) => m.ok && m.stopped);
  log?.info({ ...totals, crmBatches: result.crmBatches, stopped }, 'sync round finished');
  return {
    tenant: id,
    provider: provider.kind,
    crm: crm.kind,
    crmBatches: result.crmBatches,
    privacyJobs: jobs.length,
    crmDeletions,
    mailboxes: result.mailboxes,
    totals,
    lateMatch,
    lateMatched,
    reassociated,
    reassociation,
    stopped,
  };
}
