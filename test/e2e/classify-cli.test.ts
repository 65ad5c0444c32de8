import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLE_CRM = join(root, 'examples/sample-crm.json');
const SAMPLE_MAIL = join(root, 'examples/sample-mailbox');

async function mailbridge(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const jsonLines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const tmp = () => mkdtempSync(join(tmpdir(), 'mailbridge-cli-'));

// DESIGN §5: the classify contract.
describe('mailbridge classify', () => {
  it('prints one JSON line per message with exactly the contract fields', async () => {
    const r = await mailbridge(['classify', '--crm', SAMPLE_CRM, '--mail', SAMPLE_MAIL, '--owner', 'alex@example-seller.com', '--json']);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(12);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['file', 'messageId', 'decision', 'reason', 'contacts', 'accounts', 'leads', 'deals', 'owner', 'explanation']);
    }
    const byFile = new Map(lines.map((l) => [l.file, l]));
    expect(byFile.get('01-jane-asks-about-renewal.eml')).toMatchObject({
      messageId: 'renewal-question-1@acme.com',
      decision: 'import',
      reason: 'matched',
      contacts: ['003-jane'],
      accounts: ['001-acme'],
      deals: ['006-acme-renewal'],
      owner: '005-alex',
    });
    // Sam owns the renewal and is in copy: the owner rule gives it to Sam.
    expect(byFile.get('02-alex-replies-with-sam.eml')).toMatchObject({ decision: 'import', owner: '005-sam' });
    expect(byFile.get('06-internal-forecast.eml')).toMatchObject({ decision: 'skip', reason: 'internal-only' });
    expect(byFile.get('09-blocked-partner.eml')).toMatchObject({ decision: 'skip', reason: 'blocklisted' });
    // The run goes on past a file that is not a message.
    expect(byFile.get('12-not-an-email.eml')).toMatchObject({ decision: 'skip', reason: 'unparseable', messageId: null });
  });

  it('a readable table and a summary without --json', async () => {
    const r = await mailbridge(['classify', '--crm', SAMPLE_CRM, '--mail', SAMPLE_MAIL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^decision\s+reason\s+file/m);
    expect(r.stdout).toMatch(/12 messages: .*matched/);
  });

  it('a bad snapshot: exit 2 and the bad field named', async () => {
    const dir = tmp();
    const bad = join(dir, 'crm.json');
    writeFileSync(bad, JSON.stringify({ companyDomains: ['x.com'], contacts: [{ id: 'c1', emails: 'not-a-list' }] }));
    const r = await mailbridge(['classify', '--crm', bad, '--mail', SAMPLE_MAIL, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('contacts[0].emails');
    // Under --json the error is the one line on stdout, naming the field.
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'bad-input', field: 'contacts[0].emails' } });
  });

  it('unreadable input files: exit 2', async () => {
    expect((await mailbridge(['classify', '--crm', '/nonexistent/crm.json', '--mail', SAMPLE_MAIL])).code).toBe(2);
    expect((await mailbridge(['classify', '--crm', SAMPLE_CRM, '--mail', '/nonexistent/mail'])).code).toBe(2);
    expect((await mailbridge(['classify', '--crm', SAMPLE_CRM])).code).toBe(2);
  });

  it('--blocklist adds to the snapshot and --company-domains replaces it', async () => {
    const dir = tmp();
    const blocklist = join(dir, 'block.json');
    writeFileSync(blocklist, JSON.stringify({ addresses: ['lee@initech.io'], domains: [], phrases: [] }));
    const blocked = jsonLines(
      (await mailbridge(['classify', '--crm', SAMPLE_CRM, '--mail', SAMPLE_MAIL, '--blocklist', blocklist, '--json'])).stdout,
    );
    expect(blocked.find((l) => l.file === '05-lead-asks-for-demo.eml')).toMatchObject({ reason: 'blocklisted' });

    const replaced = jsonLines(
      (await mailbridge(['classify', '--crm', SAMPLE_CRM, '--mail', SAMPLE_MAIL, '--company-domains', 'acme.com,example-seller.com', '--json'])).stdout,
    );
    expect(replaced.find((l) => l.file === '01-jane-asks-about-renewal.eml')).toMatchObject({ reason: 'internal-only' });
  });

  it('reads an mbox file', async () => {
    const dir = tmp();
    const mbox = join(dir, 'inbox.mbox');
    const message = (n: number, from: string) =>
      `From ${from} Tue Apr 14 09:00:00 2026\nMessage-ID: <m${n}@x>\nFrom: ${from}\nTo: alex@example-seller.com\nDate: Tue, 14 Apr 2026 09:00:00 +0000\nSubject: Note ${n}\n\nBody line\n>From the desk of Jane\n\n`;
    writeFileSync(mbox, message(1, 'jane.doe@acme.com') + message(2, 'someone@unknown-co.com'));
    const lines = jsonLines((await mailbridge(['classify', '--crm', SAMPLE_CRM, '--mail', mbox, '--json'])).stdout);
    expect(lines.map((l) => [l.file, l.reason])).toEqual([
      ['inbox.mbox#1', 'matched'],
      ['inbox.mbox#2', 'no-crm-match'],
    ]);
  });
});
