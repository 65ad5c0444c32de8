/**
 * A pool's mailbox job meeting its mailbox held by a live process. pg-boss 10 takes a job that
 * runs past its expiry for lost and hands it to another worker while the first try still runs
 * (https://timgit.github.io/pg-boss/#/./api/jobs, "expireInSeconds"); a `run` on the same host
 * may hold the mailbox too. The holder is syncing it: the job must end and look again later, not
 * fail, or its tries run out while the holder works and the job lands in the dead letters.
 */
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Leases } from '../../../src/app/leases.js';
import { openTenant } from '../../../src/app/open-tenant.js';
import { runPoolJob } from '../../../src/app/scale/pool-jobs.js';
import type { Job } from '../../../src/app/scheduler/job-queue.js';
import { silentLogger } from '../../../src/app/logger.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { recentMail, startCliTenant, type CliTenant } from '../../helpers/cli-tenant.js';

const ALEX = 'alex@example.com';

describe('pool mailbox job', () => {
  let t: CliTenant;
  const savedKey = process.env.MAILBRIDGE_DB_KEY;
  beforeEach(async () => {
    t = await startCliTenant([
      { address: ALEX, messages: [recentMail('inbox', 24, { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Subject: 'Renewal', 'Message-ID': '<held@acme.com>' })] },
    ]);
    process.env.MAILBRIDGE_DB_KEY = t.key;
  });
  afterEach(async () => {
    if (savedKey === undefined) delete process.env.MAILBRIDGE_DB_KEY;
    else process.env.MAILBRIDGE_DB_KEY = savedKey;
    await t.close();
  });

  it('ends and is queued again when a live process holds the mailbox', async () => {
    const config = loadConfig(t.configFile);
    const holderSide = await openTenant(config, config.tenants[0]!);
    const [mailbox] = await holderSide.provider().listMailboxes();
    // Another host's process holds it (a lease from elsewhere is honoured until it expires).
    expect(await new Leases(holderSide.stores.leases, 'other-host:4242').acquire(`mailbox:${mailbox!.id}`)).toBe(true);

    const queuedLater: Job[] = [];
    const job: Job = { kind: 'mailbox', tenant: 'acme', mailbox: mailbox!.id };
    await runPoolJob(job, new AbortController().signal, {
      open: () => openTenant(config, config.tenants[0]!),
      enqueue: () => Promise.resolve(true),
      enqueueLater: (next) => {
        queuedLater.push(next);
        return Promise.resolve(true);
      },
      logger: silentLogger(),
      holder: `${hostname()}:${process.pid}`,
    });
    expect(queuedLater).toEqual([job]);
    // Nothing was synced behind the holder's back.
    expect(t.sf.control.emails()).toHaveLength(0);
    await holderSide.close();
  });
});
