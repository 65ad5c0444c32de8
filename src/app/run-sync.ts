/**
 * One sync round of one tenant, as `sync --once` and the scheduler run it: pull CRM changes,
 * sync every mailbox under a per-mailbox lease, record each mailbox's status, and remember the
 * CRM budget seen. The work itself is `syncTenant`; this adds the operational parts.
 */
import type { ScanFolder } from '../core/ports.js';
import { adminParts } from './admin/admin-parts.js';
import { settleCrmDeletions } from './admin/forget-messages.js';
import { runPrivacyJobs } from './admin/privacy.js';
import type { OpenTenant } from './open-tenant.js';
import { Leases } from './leases.js';
import { recordRoundCounts } from './ops/round-history.js';
import type { JobLogger } from './logger.js';
import { REMOVED } from './connect.js';
import { syncTenant, type MailboxOutcome } from './sync-tenant.js';

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

export interface SyncTotals {
  mailboxes: number;
  scanned: number;
  imported: number;
  duplicates: number;
  skipped: Record<string, number>;
  failed: number;
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
  const totals: SyncTotals = { mailboxes: outcomes.length, scanned: 0, imported: 0, duplicates: 0, skipped: {}, failed: 0 };
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
  return totals;
}

export async function runSyncRound(tenant: OpenTenant, opts: SyncRoundOptions = {}): Promise<SyncRoundResult> {
  const id = tenant.config.id;
  const log = opts.logger?.child({ tenant: id });
  const leases = new Leases(tenant.admin, opts.holder);
  if (!leases.acquire(TENANT_LEASE)) throw new TenantBusyError(id, tenant.admin.leaseHolder(TENANT_LEASE)?.holder ?? 'unknown');
  try {
    return await round(tenant, opts, leases, log);
  } finally {
    leases.release(TENANT_LEASE);
  }
}

async function round(tenant: OpenTenant, opts: SyncRoundOptions, leases: Leases, log: JobLogger | undefined): Promise<SyncRoundResult> {
  const id = tenant.config.id;
  const leaseName = (mailboxId: string) => `mailbox:${mailboxId}`;
  const crm = tenant.crm();
  const provider = tenant.provider();
  const idByAddress = new Map<string, string>();
  log?.info({ crm: crm.kind, provider: provider.kind }, 'sync round started');

  // Queued erasures first, so their suppressions hold for this round's scan; then the CRM
  // deletions an earlier purge could not finish.
  const jobs = await runPrivacyJobs(adminParts(tenant, SCHEDULER_ACTOR));
  const crmDeletions = await settleCrmDeletions(tenant.admin, crm);
  if (jobs.length || crmDeletions.paid || crmDeletions.owed) log?.info({ privacyJobs: jobs.length, ...crmDeletions }, 'housekeeping');

  const result = await syncTenant({
    provider,
    crm,
    index: tenant.index,
    store: tenant.store,
    ctx: tenant.context(),
    clock: tenant.clock,
    mailboxConcurrency: tenant.config.mailboxConcurrency,
    backfill: { ...tenant.config.backfill, maxDays: tenant.config.backfill.maxDays ?? null },
    mailboxes: opts.mailboxes,
    // Read each round from the database, so a removal reaches a running service at once.
    exclude: tenant.admin.mailboxStatuses().filter((s) => s.connection === REMOVED).map((s) => s.address),
    shouldStop: () => opts.signal?.aborted ?? false,
    onMailboxes: (list) => {
      for (const m of list) idByAddress.set(m.address, m.id);
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
      if (mailboxId) leases.acquire(leaseName(mailboxId));
      leases.acquire(TENANT_LEASE);
      opts.onProgress?.({ event: 'page', tenant: id, mailbox: p.mailbox, folder: p.folder, scanned: p.scanned, imported: p.imported });
    },
    onMailbox: (o) => {
      tenant.admin.recordRun(o.address, o.mailboxId, o.ok ? null : o.error, o.ok ? { scanned: o.scanned, imported: o.imported, duplicates: o.duplicates, skipped: o.skipped } : { code: o.code });
      opts.onProgress?.({
        event: 'mailbox',
        tenant: id,
        mailbox: o.address,
        ok: o.ok,
        scanned: o.ok ? o.scanned : 0,
        imported: o.ok ? o.imported : 0,
        ...(o.ok ? {} : { error: o.error }),
      });
      if (o.ok) log?.info({ mailbox: o.address, scanned: o.scanned, imported: o.imported, duplicates: o.duplicates, skipped: o.skipped }, 'mailbox synced');
      else log?.warn({ mailbox: o.address, code: o.code, error: o.error }, 'mailbox failed');
    },
  });

  const totals = totalsOf(result.mailboxes);
  const limits = crm.limits();
  const at = tenant.clock.now().toISOString();
  tenant.admin.setSetting('crm.limits', JSON.stringify({ ...limits, at }));
  tenant.admin.setSetting('sync.lastRound', JSON.stringify({ at, totals }));
  recordRoundCounts(tenant.admin, new Date(at), totals);
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
    stopped,
  };
}
