/**
 * Issue 11: a CRM snapshot with `"closeDate": "not-a-date"` was accepted silently, and only the
 * first error of a snapshot was reported. Dates are validated; every problem is listed; exit 2.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, SnapshotError } from '../../src/core/snapshot.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

const deal = (over: Record<string, unknown>) => ({
  id: 'd1', accountId: 'a1', name: 'Deal', isClosed: true, closeDate: '2026-03-01', createdDate: '2026-01-01',
  lastModified: '2026-03-01T10:00:00Z', ownerId: null, contactRoles: [], ...over,
});
const snapshot = {
  companyDomains: ['example-seller.com'],
  accounts: [{ id: 'a1', name: 'Acme', domains: ['acme.com'] }],
  contacts: [{ id: 'c1', emails: 'jane@acme.com', accountId: 'a1' }],
  deals: [deal({ closeDate: 'not-a-date' }), deal({ id: 'd2', createdDate: 'yesterday' }), deal({ id: 'd3', lastModified: '2026-02-30T00:00:00Z' })],
};

describe('CRM snapshot validation', () => {
  it('accepts days and ISO date-times, open deals without a close date', () => {
    const s = parseSnapshot({ deals: [deal({}), deal({ id: 'd2', isClosed: false, closeDate: null, createdDate: '2026-01-01T08:00:00.000+01:00' })] });
    expect(s.deals.map((d) => d.closeDate)).toEqual(['2026-03-01', null]);
  });

  it('names every bad field, the first as the field', () => {
    let err: unknown;
    try {
      parseSnapshot(snapshot, 'crm.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SnapshotError);
    const e = err as SnapshotError;
    expect(e.field).toBe('contacts[0].emails');
    for (const field of ['contacts[0].emails', 'deals[0].closeDate', 'deals[1].createdDate', 'deals[2].lastModified']) {
      expect(e.message).toContain(`crm.json: ${field}:`);
    }
    expect(e.message).toMatch(/4 problems/);
    expect(e.message).toMatch(/deals\[0\]\.closeDate: not a date/);
  });

  it('mailbridge classify exits 2 naming the bad date', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-snapshot-'));
    const crm = join(dir, 'crm.json');
    writeFileSync(crm, JSON.stringify({ ...snapshot, contacts: [] }));
    const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'classify', '--crm', crm, '--mail', join(root, 'examples/sample-mailbox')], { cwd: root }).then(
      (ok) => ({ code: 0, ...ok }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('deals[0].closeDate');
    expect(r.stderr).toContain('deals[1].createdDate');
  });
});
