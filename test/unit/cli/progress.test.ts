/**
 * Progress lines on a pipe are throttled, but the last state of each throttled counter is
 * always printed: a round's final CRM totals and each mailbox's last page are never lost.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../src/cli/progress.js';

function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { out: out as unknown as NodeJS.WriteStream, lines: () => text.trim().split('\n') };
}

describe('progress lines', () => {
  it('print the final CRM totals even when the batches came faster than the throttle', () => {
    const c = capture();
    const p = createProgress({ out: c.out });
    for (let b = 1; b <= 6; b++) p.onProgress({ event: 'crm', tenant: 'acme', batches: b, records: 2 });
    p.onProgress({ event: 'mailboxes', tenant: 'acme', total: 1 });
    p.stop();
    const crm = c.lines().filter((l) => l.includes('CRM:'));
    expect(crm.at(-1)).toBe('[acme] CRM: 12 records loaded (6 batches)');
    // The totals come before the mailbox phase starts.
    expect(c.lines().indexOf(crm.at(-1)!)).toBeLessThan(c.lines().indexOf('[acme] 1 mailboxes to sync'));
  });

  it('print the last page of a mailbox before its result, and any pending line at stop', () => {
    const c = capture();
    const p = createProgress({ out: c.out, json: true });
    for (let n = 1; n <= 3; n++) p.onProgress({ event: 'page', tenant: 'acme', mailbox: 'a@x.example', folder: 'inbox', scanned: n * 10, imported: n });
    p.onProgress({ event: 'crm', tenant: 'acme', batches: 1, records: 5 });
    p.onProgress({ event: 'crm', tenant: 'acme', batches: 2, records: 5 });
    p.stop();
    const events = c.lines().map((l) => (JSON.parse(l) as { progress: Record<string, unknown> }).progress);
    expect(events.filter((e) => e.event === 'page').at(-1)).toMatchObject({ scanned: 30, imported: 3 });
    expect(events.filter((e) => e.event === 'crm').at(-1)).toMatchObject({ batches: 2 });
  });
});
