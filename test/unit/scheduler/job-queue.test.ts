import { describe, expect, it } from 'vitest';
import { InProcessJobQueue, type Job } from '../../../src/app/scheduler/job-queue.js';
import { nextRunOf, Scheduler } from '../../../src/app/scheduler/scheduler.js';

/** A handler whose jobs finish when the test says so. */
function gatedHandler() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const signals: AbortSignal[] = [];
  const handler = (job: Job, signal: AbortSignal) => {
    started.push(`${job.kind}:${job.tenant}`);
    signals.push(signal);
    return new Promise<void>((resolve) => gates.set(`${job.kind}:${job.tenant}`, resolve));
  };
  const tick = () => new Promise((r) => setImmediate(r));
  return { started, gates, signals, handler, tick };
}

describe('InProcessJobQueue', () => {
  it('never runs or queues the same job twice at once', async () => {
    const h = gatedHandler();
    const q = new InProcessJobQueue();
    q.process(h.handler);
    expect(q.enqueue({ kind: 'sync', tenant: 'a' })).toBe(true);
    expect(q.enqueue({ kind: 'sync', tenant: 'a' })).toBe(false);
    expect(h.started).toEqual(['sync:a']);
    h.gates.get('sync:a')!();
    await q.idle();
    expect(q.enqueue({ kind: 'sync', tenant: 'a' })).toBe(true);
    expect(h.started).toEqual(['sync:a', 'sync:a']);
  });

  it('runs one job per tenant at a time, tenants in parallel', async () => {
    const h = gatedHandler();
    const q = new InProcessJobQueue();
    q.process(h.handler);
    q.enqueue({ kind: 'sync', tenant: 'a' });
    q.enqueue({ kind: 'retention', tenant: 'a' });
    q.enqueue({ kind: 'sync', tenant: 'b' });
    expect(h.started).toEqual(['sync:a', 'sync:b']);
    expect(q.pending().sort()).toEqual(['retention:a', 'sync:a', 'sync:b']);
    h.gates.get('sync:a')!();
    await h.tick();
    await h.tick();
    expect(h.started).toEqual(['sync:a', 'sync:b', 'retention:a']);
  });

  it('close signals running jobs, waits for them, and drops the queued ones', async () => {
    const h = gatedHandler();
    const q = new InProcessJobQueue();
    q.process(h.handler);
    q.enqueue({ kind: 'sync', tenant: 'a' });
    q.enqueue({ kind: 'retention', tenant: 'a' });
    let closed = false;
    const closing = q.close().then(() => (closed = true));
    await h.tick();
    expect(h.signals[0]!.aborted).toBe(true);
    expect(closed).toBe(false);
    h.gates.get('sync:a')!();
    await closing;
    expect(h.started).toEqual(['sync:a']);
    expect(q.enqueue({ kind: 'sync', tenant: 'a' })).toBe(false);
  });

  it('reports a failed job and keeps going', async () => {
    const errors: string[] = [];
    const q = new InProcessJobQueue((job, err) => errors.push(`${job.tenant}: ${(err as Error).message}`));
    let runs = 0;
    q.process(async () => {
      runs++;
      throw new Error('boom');
    });
    q.enqueue({ kind: 'sync', tenant: 'a' });
    await q.idle();
    q.enqueue({ kind: 'sync', tenant: 'a' });
    await q.idle();
    expect(runs).toBe(2);
    expect(errors).toEqual(['a: boom', 'a: boom']);
  });
});

describe('Scheduler', () => {
  it('enqueues a first round per tenant at start and computes the next run from the pattern', () => {
    const jobs: Job[] = [];
    const s = new Scheduler(
      { tenants: ['a', 'b'], cron: '*/15 * * * *', retentionCron: '30 3 * * *' },
      { enqueue: (j) => (jobs.push(j), true), process: () => undefined, close: async () => undefined },
    );
    s.start(true);
    s.stop();
    expect(jobs).toEqual([{ kind: 'sync', tenant: 'a' }, { kind: 'sync', tenant: 'b' }]);
    expect(nextRunOf('*/15 * * * *', new Date('2026-11-24T10:07:00Z'))?.toISOString()).toBe('2026-11-24T10:15:00.000Z');
    expect(() => nextRunOf('every now and then')).toThrow();
  });
});
