/**
 * `mailbridge classify` tries the thread rule offline (docs/rules.md "Threads"): within the files
 * it is given, a reply to a file imported in the same run inherits its records, whatever order
 * the files are read in (they are decided oldest first).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

const crm = {
  companyDomains: ['example-seller.com'],
  users: [{ id: 'u-alex', email: 'alex@example-seller.com' }],
  accounts: [{ id: 'a-acme', name: 'Acme', domains: ['acme.com'] }],
  contacts: [{ id: 'c-jane', emails: ['jane@acme.com'], accountId: 'a-acme' }],
  deals: [
    { id: 'd-renewal', accountId: 'a-acme', name: 'Renewal 2027', isClosed: false, createdDate: '2026-01-01', lastModified: '2026-03-01T00:00:00Z', ownerId: 'u-alex' },
  ],
};

const eml = (h: Record<string, string>) => `${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\nHi,\r\n\r\nSee below.\r\n\r\nRegards\r\n`;

const ORIGINAL = eml({
  From: 'Jane <jane@acme.com>',
  To: 'alex@example-seller.com',
  Subject: 'Renewal plan',
  Date: 'Mon, 13 Apr 2026 09:00:00 +0000',
  'Message-ID': '<plan@acme.com>',
});
// Jane forwarded the thread to a colleague at a partner the CRM does not know; he replies.
const FORWARDED_REPLY = eml({
  From: 'Kai <kai@acme-partner.example>',
  To: 'alex@example-seller.com',
  Subject: 'Re: Renewal plan',
  Date: 'Tue, 14 Apr 2026 09:00:00 +0000',
  'Message-ID': '<kai-1@acme-partner.example>',
  'In-Reply-To': '<plan@acme.com>',
  References: '<plan@acme.com>',
});
// Internal-only, though in the same thread: still rejected.
const INTERNAL_REPLY = eml({
  From: 'alex@example-seller.com',
  To: 'sam@example-seller.com',
  Subject: 'Re: Renewal plan',
  Date: 'Wed, 15 Apr 2026 09:00:00 +0000',
  'Message-ID': '<int-1@example-seller.com>',
  'In-Reply-To': '<kai-1@acme-partner.example>',
  References: '<plan@acme.com> <kai-1@acme-partner.example>',
});

describe('mailbridge classify: replies inherit their thread', () => {
  it('a reply read before its thread still inherits it; an internal reply is still rejected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailbridge-thread-'));
    writeFileSync(join(dir, 'crm.json'), JSON.stringify(crm));
    const mailDir = join(dir, 'mail');
    mkdirSync(mailDir);
    // File names sort the replies before the original: the date order decides, not the names.
    writeFileSync(join(mailDir, 'a-reply.eml'), FORWARDED_REPLY);
    writeFileSync(join(mailDir, 'b-internal.eml'), INTERNAL_REPLY);
    writeFileSync(join(mailDir, 'c-original.eml'), ORIGINAL);

    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'classify', '--crm', join(dir, 'crm.json'), '--mail', mailDir, '--json'], { cwd: root });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const byFile = new Map(lines.map((l) => [l.file, l]));
    expect(lines.map((l) => l.file)).toEqual(['a-reply.eml', 'b-internal.eml', 'c-original.eml']);
    expect(byFile.get('c-original.eml')).toMatchObject({ decision: 'import', accounts: ['a-acme'], deals: ['d-renewal'] });
    const reply = byFile.get('a-reply.eml')!;
    expect(reply).toMatchObject({ decision: 'import', reason: 'matched', contacts: ['c-jane'], accounts: ['a-acme'], deals: ['d-renewal'] });
    expect(reply.explanation).toContain('reply in thread of mid:plan@acme.com → account Acme, deal Renewal 2027, 1 contact');
    expect(reply.explanation).not.toContain('Renewal plan');
    expect(byFile.get('b-internal.eml')).toMatchObject({ decision: 'skip', reason: 'internal-only' });
  });
});
