/**
 * Scheduled work besides the sync round: the daily retention run and queued privacy jobs (the
 * round itself also runs those first). Each is idempotent, so a run cut short is done again.
 */
import { adminParts } from '../admin/admin-parts.js';
import { runPrivacyJobs } from '../admin/privacy.js';
import { runRetention } from '../admin/retention.js';
import type { JobLogger } from '../logger.js';
import type { OpenTenant } from '../open-tenant.js';
import { SCHEDULER_ACTOR } from '../run-sync.js';
import type { Job } from './job-queue.js';

export async function runHousekeepingJob(job: Job, tenant: OpenTenant, logger: JobLogger): Promise<void> {
  const parts = adminParts(tenant, SCHEDULER_ACTOR);
  if (job.kind === 'retention') {
    const r = await runRetention(parts);
    logger.info({ tenant: job.tenant, expired: r.expired, cutoff: r.cutoff, retentionDays: r.retentionDays }, 'retention run');
  } else if (job.kind === 'privacy') {
    const jobs = await runPrivacyJobs(parts);
    logger.info({ tenant: job.tenant, jobs: jobs.length }, 'privacy jobs run');
  }
}
