import { describe, expect, it } from 'vitest';
import { ActivityWriter, type PendingActivity } from '../../src/core/activity-writer.js';
import type { ActivityDraft, CrmAdapter, WriteOutcome } from '../../src/core/ports.js';
import { isSyncError } from '../../src/core/sync-error.js';
import { openDatabase } from '../../src/store/database.js';
import { SqliteSyncStore } from '../../src/store/sync-store.js';

function draft(key: string): ActivityDraft {
  return {
    key,
    direction: 'inbound',
    sentAt: '2026-11-20T10:00:00.000Z',
    from: { name: 'Jane', address: 'jane@acme.com' },
    to: [{ name: '', address: 'ana@ours.example' }],
    cc: [],
    subject: `Subject ${key}`,
    text: 'Hello',
    messageId: key,
    inReplyTo: null,
    references: [],
    contactIds: ['c1'],
    accountIds: ['a1'],
    leadIds: [],
    dealIds: [],
    userIds: [],
    ownerId: null,
    relatedToId: 'a1',
    explanation: 'contact jane@acme.com → account Acme',
  };
}

const item = (mailboxId: string, key: string): PendingActivity => ({ mailboxId, activity: draft(key), bcc: [] });

/** A CRM port whose writes wait until released, answering per key as told. */
class GatedCrm implements CrmAdapter {
  readonly kind = 'salesforce' as const;
  calls: string[][] = [];
  answer: (key: string) => WriteOutcome = (key) => ({ key, ok: true, crmId: `crm-${key}` });
  private release: (() => void) | null = null;
  hold = false;

  async *pullChanges() {}
  async writeActivities(batch: readonly ActivityDraft[]): Promise<WriteOutcome[]> {
    this.calls.push(batch.map((d) => d.key));
    if (this.hold) await new Promise<void>((r) => (this.release = r));
    return batch.map((d) => this.answer(d.key));
  }
  open(): void {
    this.hold = false;
    this.release?.();
  }
  async deleteActivities(): Promise<void> {}
  async moveActivities(): Promise<never[]> {
    return [];
  }
  limits() {
    return { dailyUsed: null, dailyMax: null };
  }
}

function setup(batchSize = 3) {
  const db = openDatabase({ path: ':memory:' });
  const store = new SqliteSyncStore(db);
  const crm = new GatedCrm();
  return { store, crm, writer: new ActivityWriter(crm, store, batchSize) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ActivityWriter', () => {
  it('merges pages queued during a write into full batches', async () => {
    const { crm, writer } = setup(3);
    crm.hold = true;
    const first = writer.submit([item('m1', 'a')]);
    await tick();
    const second = writer.submit([item('m2', 'b'), item('m2', 'c')]);
    const third = writer.submit([item('m3', 'd')]);
    crm.open();
    expect(await first).toEqual({ written: 1, duplicates: 0, rejected: 0 });
    expect(await second).toEqual({ written: 2, duplicates: 0, rejected: 0 });
    expect(await third).toEqual({ written: 1, duplicates: 0, rejected: 0 });
    expect(crm.calls).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('writes an email held by two mailboxes once and records both holders', async () => {
    const { crm, store, writer } = setup();
    crm.hold = true;
    const blocker = writer.submit([item('m0', 'x')]);
    await tick();
    const fromA = writer.submit([item('mA', 'same')]);
    const fromB = writer.submit([item('mB', 'same')]);
    crm.open();
    await blocker;
    expect(await fromA).toEqual({ written: 1, duplicates: 0, rejected: 0 });
    expect(await fromB).toEqual({ written: 0, duplicates: 1, rejected: 0 });
    expect(crm.calls.flat().filter((k) => k === 'same')).toHaveLength(1);
    expect(store.entry('same')?.holders).toEqual(['mA', 'mB']);
    // Later pages find it in the ledger.
    expect(await writer.submit([item('mC', 'same')])).toEqual({ written: 0, duplicates: 1, rejected: 0 });
    expect(store.entry('same')?.holders).toEqual(['mA', 'mB', 'mC']);
  });

  it('fails only the pages whose emails did not land, including followers of a failed email', async () => {
    const { crm, store, writer } = setup();
    crm.answer = (key) => (key === 'bad' ? { key, ok: false, error: 'UNABLE_TO_LOCK_ROW', retryable: true } : key === 'refused' ? { key, ok: false, error: 'INVALID_FIELD', retryable: false } : { key, ok: true, crmId: `crm-${key}` });
    crm.hold = true;
    const blocker = writer.submit([item('m0', 'x')]);
    await tick();
    const a = writer.submit([item('mA', 'ok-1'), item('mA', 'bad')]);
    const b = writer.submit([item('mB', 'ok-2'), item('mB', 'refused')]);
    const c = writer.submit([item('mC', 'bad')]);
    crm.open();
    await blocker;
    const [ra, rb, rc] = await Promise.allSettled([a, b, c]);
    expect(ra.status).toBe('rejected');
    expect(isSyncError((ra as PromiseRejectedResult).reason, 'transient')).toBe(true);
    expect(rb).toEqual({ status: 'fulfilled', value: { written: 1, duplicates: 0, rejected: 1 } });
    expect(rc.status).toBe('rejected');
    // What did land is recorded, so the retry of page A writes only the failed email.
    expect(store.hasImported('ok-1')).toBe(true);
    expect(store.hasImported('bad')).toBe(false);
  });

  it('passes a whole-call failure on to the pages it held', async () => {
    const { crm, writer } = setup();
    crm.writeActivities = async () => {
      throw new Error('socket hang up');
    };
    await expect(writer.submit([item('m1', 'a')])).rejects.toSatisfy((e: unknown) => isSyncError(e, 'transient'));
    // The queue keeps working after a failure.
    crm.writeActivities = async (batch) => batch.map((d) => ({ key: d.key, ok: true as const, crmId: 'id' }));
    expect(await writer.submit([item('m1', 'a')])).toEqual({ written: 1, duplicates: 0, rejected: 0 });
  });
});

describe('ActivityWriter with many workers on one database', () => {
  it('writes an email held by two mailboxes once when two workers handle them at the same moment', async () => {
    // Two writers (two workers) sharing one database, their CRM writes both held in flight:
    // the ledger claim lets only one of them send the email; the other mailbox becomes a holder.
    const db = openDatabase({ path: ':memory:' });
    const stores = [new SqliteSyncStore(db), new SqliteSyncStore(db)];
    const crms = [new GatedCrm(), new GatedCrm()];
    for (const crm of crms) crm.hold = true;
    const writers = stores.map((store, i) => new ActivityWriter(crms[i]!, store, 200));
    const first = writers[0]!.submit([item('mbx-1', 'same'), item('mbx-1', 'only-1')]);
    const second = writers[1]!.submit([item('mbx-2', 'same'), item('mbx-2', 'only-2')]);
    await tick();
    for (const crm of crms) crm.open();
    const [a, b] = await Promise.all([first, second]);
    const sent = crms.flatMap((c) => c.calls.flat());
    expect(sent.filter((k) => k === 'same')).toHaveLength(1);
    expect(sent.sort()).toEqual(['only-1', 'only-2', 'same']);
    expect(a.written + b.written).toBe(3);
    expect(a.duplicates + b.duplicates).toBe(1);
    expect(stores[0]!.entry('same')?.holders.sort()).toEqual(['mbx-1', 'mbx-2']);
  });
});
