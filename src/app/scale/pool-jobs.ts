/**
 * What a worker of the pool does with each job. A tenant's round is split in two kinds of job:
 * - the round job (one per tenant at a time): housekeeping, the CRM pull into the shared index,
 *   then one mailbox job per mailbox;
 * - a mailbox job (one per mailbox at a time): that mailbox's sync, pages written through the
 *   idempotent CRM write and the ledger, the cursor saved last.
 * A job that ends early (the worker stops, a transient error) throws, so pg-boss retries it with
 * backoff; a SIGKILLed worker's job expires and is retried the same way. A mailbox a live process
 * holds is that process's to sync: its job ends and is queued again after the retry delay. Payloads carry ids only: the mailbox's address is looked up from the provider's list.
 */
import type { Mailbox } from '../../core/ports.js';
import { REMOVED } from '../connect.js';
import { Leases } from '../leases.js';
import type { JobLogger } from '../logger.js';
import type { OpenTenant } from '../open-tenant.js';
import { calendarParts, mailboxRun, meetingLogFields } from '../calendar-round.js';
import { TENANT_LEASE } from '../rotate-key.js';
import { runQueuedPrivacyJobs, SCHEDULER_ACTOR, settleDeletions } from '../run-sync.js';
import { runHousekeepingJob } from '../scheduler/job-handlers.js';
import type { Job } from '../scheduler/job-queue.js';
import { crmStage, lateMatchStage, syncMailboxes } from '../sync-tenant.js';

/** A job that did not finish and must be tried again (by this or another worker). */
export class JobNotDoneError extends Error {
  override name = 'JobNotDoneError';
}

export interface PoolJobContext {
  /** Opens the job's tenant; closed when the job ends. */
  open(tenantId: string): Promise<OpenTenant | null>;
  enqueue(job: Job): Promise<boolean>;
  /** Queues the job again after the retry delay (a no-op when one of its key already waits). */
  enqueueLater(job: Job): Promise<boolean>;
  logger: JobLogger;
  holder: string;
}

/** Mailbox lists per tenant, so a mailbox job finds its mailbox without listing every time. */
const mailboxCache = new Map<string, Map<string, Mailbox>>();

async function findMailbox(tenant: OpenTenant, mailboxId: string): Promise<Mailbox | null> {
  const id = tenant.config.id;
  let known = mailboxCache.get(id);
  if (!known?.has(mailboxId)) {
    known = new Map((await tenant.provider().listMailboxes()).map((m) => [m.id, m]));
    mailboxCache.set(id, known);
  }
  return known.get(mailboxId) ?? null;
}

export async function runPoolJob(job: Job, signal: AbortSignal, ctx: PoolJobContext): Promise<void> {
  const tenant = await ctx.open(job.tenant);
  if (!tenant) return;
  try {
    if (job.kind === 'sync') await planRound(tenant, ctx);
    else if (job.kind === 'mailbox') await syncOneMailbox(tenant, job.mailbox ?? '', signal, ctx);
    else await runHousekeepingJob(job, tenant, ctx.logger);
  } finally {
    await tenant.close();
  }
}

/** The round job: housekeeping, the CRM pull, then a mailbox job per mailbox. */
async function planRound(tenant: OpenTenant, ctx: PoolJobContext): Promise<void> {
  const id = tenant.config.id;
  const log = ctx.logger.child({ tenant: id });
  // The tenant's round lease, as a `run` or `sync --once` takes it: one CRM pull at a time, and
  // no key rotation under it. A live holder is running a whole round (mailboxes included) now.
  const leases = new Leases(tenant.stores.leases, ctx.holder);
  if (!(await leases.acquire(TENANT_LEASE))) {
    log.info({ holder: (await tenant.stores.leases.leaseHolder(TENANT_LEASE))?.holder ?? 'unknown' }, 'round held by another process; it syncs the tenant now');
    return;
  }
  try {
    await planHeldRound(tenant, ctx, log);
  } finally {
    await leases.release(TENANT_LEASE);
  }
}

async function planHeldRound(tenant: OpenTenant, ctx: PoolJobContext, log: JobLogger): Promise<void> {
  const id = tenant.config.id;
  const crm = tenant.crm();
  // Queued erasures first, so their suppressions hold for the mailbox jobs that follow.
  const jobs = await runQueuedPrivacyJobs(tenant, SCHEDULER_ACTOR);
  const crmDeletions = await settleDeletions(tenant);
  const stage = {
    provider: tenant.provider(),
    crm,
    index: tenant.stores.index,
    store: tenant.stores.ledger,
    ctx: await tenant.context(),
    clock: tenant.clock,
    resolvePages: tenant.resolvePages,
    lateMatch: tenant.config.lateMatch,
    reassociation: tenant.config.reassociation,
  };
  // The same CRM stage as an embedded round: the pull queues new keys and touched emails, then
  // re-association moves what the change touched, before any mailbox job of this round runs.
  const { crmBatches, reassociation } = await crmStage(stage);
  const removed = new Set((await tenant.stores.status.mailboxStatuses()).filter((s) => s.connection === REMOVED).map((s) => s.address));
  const mailboxes = (await tenant.provider().listMailboxes()).filter((m) => !removed.has(m.address));
  mailboxCache.set(id, new Map(mailboxes.map((m) => [m.id, m])));
  // Late matching for the keys queued so far. An embedded round runs it after its scans; here the
  // scans are other jobs, so it runs before queueing them: mail that arrived since the last scan
  // and matches a new key is then imported here (counted as late matched) rather than by the
  // scan, and the ledger claim keeps it to one activity either way.
  const lateMatch = await lateMatchStage(stage, mailboxes);
  let queued = 0;
  for (const m of mailboxes) if (await ctx.enqueue({ kind: 'mailbox', tenant: id, mailbox: m.id })) queued++;
  await tenant.stores.settings.setSetting('crm.limits', JSON.stringify({ ...crm.limits(), at: tenant.clock.now().toISOString() }));
  log.info(
    {
      privacyJobs: jobs.length, ...crmDeletions, crmBatches, mailboxes: mailboxes.length, queued,
      reassociated: reassociation.reassociated, reassociationPending: reassociation.pending, lateMatched: lateMatch.lateMatched,
    },
    'round planned',
  );
}

async function syncOneMailbox(tenant: OpenTenant, mailboxId: string, signal: AbortSignal, ctx: PoolJobContext): Promise<void> {
  const log = ctx.logger.child({ tenant: tenant.config.id });
  const mailbox = await findMailbox(tenant, mailboxId);
  // Gone from the directory since the round was planned: nothing to do.
  if (!mailbox) return;
  if ((await tenant.stores.status.mailboxStatuses()).some((s) => s.address === mailbox.address && s.connection === REMOVED)) return;
  // The queue runs one job per mailbox; the lease also keeps a `run` or `sync --once` off it.
  const leases = new Leases(tenant.stores.leases, ctx.holder);
  const lease = `mailbox:${mailbox.id}`;
  const [outcome] = await syncMailboxes(
    {
      provider: tenant.provider(),
      crm: tenant.crm(),
      index: tenant.stores.index,
      store: tenant.stores.ledger,
      ctx: await tenant.context(),
      resolvePages: tenant.resolvePages,
      clock: tenant.clock,
      backfill: { ...tenant.config.backfill, maxDays: tenant.config.backfill.maxDays ?? null },
      calendar: calendarParts(tenant),
      shouldStop: () => signal.aborted,
      claim: (m) => leases.acquire(`mailbox:${m.id}`),
      release: () => leases.release(lease),
      onPage: () => leases.renew(lease),
    },
    [mailbox],
  );
  if (!outcome) return;
  if (outcome.ok) {
    const run = mailboxRun(outcome);
    await tenant.stores.status.recordRun(outcome.address, outcome.mailboxId, run.error, run.result);
    log.info({ mailbox: outcome.address, scanned: outcome.scanned, imported: outcome.imported, duplicates: outcome.duplicates, stopped: outcome.stopped, ...meetingLogFields(outcome) }, 'mailbox synced');
    // The mail stands; the calendar resumes from its cursor with the next round's job.
    if (run.error) log.warn({ mailbox: outcome.address, error: run.error }, 'calendar failed');
    if (outcome.stopped) throw new JobNotDoneError('worker stopping: the batch in flight is saved, the rest of the mailbox is released');
    return;
  }
  if (outcome.code === 'leased') {
    // A live process holds the mailbox: this job's own earlier try, still running after pg-boss
    // took it for lost (expired), or a `run` on this host. That process is syncing it now. Failing
    // here would spend this job's tries while the holder works, and send it to the dead letters;
    // instead the job ends and one is queued to look again after the retry delay.
    const again = await ctx.enqueueLater({ kind: 'mailbox', tenant: tenant.config.id, mailbox: mailboxId });
    log.info({ mailbox: outcome.address, queuedAgain: again }, 'mailbox held by another process; looked at again later');
    return;
  }
  await tenant.stores.status.recordRun(outcome.address, outcome.mailboxId, outcome.error, { code: outcome.code });
  log.warn({ mailbox: outcome.address, code: outcome.code, error: outcome.error }, 'mailbox failed');
  throw new JobNotDoneError(`mailbox ${outcome.address} failed (${outcome.code ?? 'error'}): ${outcome.error}`);
}
