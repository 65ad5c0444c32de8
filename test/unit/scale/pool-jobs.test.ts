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
import { TENANT_LEASE } from '../../../src/app/rotate-key.js';
import { runPoolJob } from '../../../src/app/scale/pool-jobs.js';
import type { Job } from '../../../src/app/scheduler/job-queue.js';
import { silentLogger } from '../../../src/app/logger.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { recentMail, startCliTenant, type CliTenant } from '../../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const PAT = 'pat@wayne-ent.example';

describe('pool mailbox job', () => {
  let t: CliTenant;
  const savedKey = process.env.MAILBRIDGE_DB_KEY;
  beforeEach(async () => {
    t = await startCliTenant([
      {
        address: ALEX,
        messages: [
          recentMail('inbox', 48, { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Subject: 'Renewal', 'Message-ID': '<held@acme.com>' }),
          recentMail('inbox', 24, { From: `Pat Lee <${PAT}>`, To: ALEX, Subject: 'Wayne pilot question', 'Message-ID': '<pilot@wayne-ent.example>' }),
        ],
      },
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

  it('the round job leaves a tenant whose round a live process holds: no second CRM pull, nothing queued', async () => {
    const config = loadConfig(t.configFile);
    const holderSide = await openTenant(config, config.tenants[0]!);
    expect(await new Leases(holderSide.stores.leases, 'other-host:4242').acquire(TENANT_LEASE)).toBe(true);
    const queued: Job[] = [];
    await runPoolJob({ kind: 'sync', tenant: 'acme' }, new AbortController().signal, {
      open: () => openTenant(config, config.tenants[0]!),
      enqueue: (next) => {
        queued.push(next);
        return Promise.resolve(true);
      },
      enqueueLater: () => Promise.resolve(true),
      logger: silentLogger(),
      holder: `${hostname()}:${process.pid}`,
    });
    expect(queued).toEqual([]);
    expect(await holderSide.stores.ledger.crmCursor('salesforce')).toBeNull();
    expect((await holderSide.stores.leases.leaseHolder(TENANT_LEASE))?.holder).toBe('other-host:4242');
    await holderSide.close();
  });

  it('the round job runs the CRM stage of a round: a contact added in the CRM late-matches mail rejected before', async () => {
    const config = loadConfig(t.configFile);
    const queued: Job[] = [];
    const jobs = {
      open: () => openTenant(config, config.tenants[0]!),
      enqueue: (next: Job) => {
        queued.push(next);
        return Promise.resolve(true);
      },
      enqueueLater: () => Promise.resolve(true),
      logger: silentLogger(),
      holder: `${hostname()}:${process.pid}`,
    };
    const signal = new AbortController().signal;
    const round = async () => {
      await runPoolJob({ kind: 'sync', tenant: 'acme' }, signal, jobs);
      for (const job of queued.splice(0)) await runPoolJob(job, signal, jobs);
    };
    await round();
    expect(t.sf.control.emails().map((e) => e.record.Subject)).toEqual(['Renewal']);

    t.sf.control.advanceClock(60_000);
    t.sf.control.createRecord('Contact', { Name: 'Pat Lee', Email: PAT });
    // The round job alone: its pull queues the new address, its late matching finds the mail.
    await runPoolJob({ kind: 'sync', tenant: 'acme' }, signal, jobs);
    expect(t.sf.control.emails().map((e) => e.record.Subject).sort()).toEqual(['Renewal', 'Wayne pilot question']);
  });
});
