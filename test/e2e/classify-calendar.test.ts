/**
 * `mailbridge classify --calendar` end to end: the CLI reads the hand-written exports in
 * test/fixtures/calendar (two calendars holding the same QBR, a recurring series with an EXDATE
 * and a moved occurrence, one event per skip reason, and a file that is not iCalendar).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(root, 'test/fixtures/calendar');
const CRM = join(FIXTURES, 'crm.json');
const EXPORTS = join(FIXTURES, 'exports');

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

describe('mailbridge classify --calendar', () => {
  it('one JSON line per occurrence: the mail fields plus start and end, every rule exercised', async () => {
    const r = await mailbridge(['classify', '--crm', CRM, '--calendar', EXPORTS, '--owner', 'ann@seller.example', '--webinar-attendees', '3', '--json']);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['file', 'messageId', 'decision', 'reason', 'contacts', 'accounts', 'leads', 'deals', 'owner', 'explanation', 'start', 'end']);
    }
    const byKey = new Map(lines.map((l) => [l.messageId, l]));
    const reasons = Object.fromEntries(lines.filter((l) => l.messageId).map((l) => [l.messageId, l.reason]));
    expect(reasons).toEqual({
      'weekly-globex@seller.example#2026-11-03T15:00:00.000Z': 'matched',
      'standup-1@seller.example': 'internal-only',
      'dentist-1@seller.example': 'private',
      'cancelled-1@seller.example': 'cancelled',
      'qbr-acme-2026q4@seller.example': 'matched',
      'ooo-1@seller.example': 'out-of-office',
      'declined-1@seller.example': 'declined-by-all',
      'webinar-1@events.example': 'automated',
      // The occurrence of 11-17 moved to 11-18 keeps its series key; 11-10 is an EXDATE.
      'weekly-globex@seller.example#2026-11-17T15:00:00.000Z': 'matched',
      'hr-1@seller.example': 'blocklisted',
      'coffee-1@seller.example': 'no-crm-match',
      'weekly-globex@seller.example#2026-11-24T15:00:00.000Z': 'matched',
    });
    // Exported from two calendars, decided once. Europe/Paris 15:00 in November is 14:00 UTC.
    expect(lines.filter((l) => l.messageId === 'qbr-acme-2026q4@seller.example')).toHaveLength(1);
    expect(byKey.get('qbr-acme-2026q4@seller.example')).toMatchObject({
      decision: 'import',
      contacts: ['C-jane'],
      accounts: ['A-acme'],
      deals: ['D-acme'],
      owner: 'U-ann',
      start: '2026-11-10T14:00:00.000Z',
      end: '2026-11-10T15:00:00.000Z',
    });
    expect(byKey.get('weekly-globex@seller.example#2026-11-17T15:00:00.000Z')).toMatchObject({ start: '2026-11-18T20:00:00.000Z' });
    const broken = lines.find((l) => l.reason === 'unparseable');
    expect(broken).toMatchObject({ decision: 'skip', messageId: null, start: null, end: null });
    expect(String(broken?.file)).toMatch(/broken\.ics$/);
  });

  it('one file, and the table with a summary without --json', async () => {
    const r = await mailbridge(['classify', '--crm', CRM, '--calendar', join(EXPORTS, 'ben.ics')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2026-11-10T14:00:00.000Z');
    expect(r.stdout).toMatch(/1 message: 1 matched/);
  });

  it('bad input: exit 2 naming what is wrong', async () => {
    const none = await mailbridge(['classify', '--crm', CRM, '--calendar', join(FIXTURES, 'missing.ics'), '--json']);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout)).toMatchObject({ error: { code: 'bad-input' } });
    const both = await mailbridge(['classify', '--crm', CRM, '--calendar', EXPORTS, '--mail', EXPORTS]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--mail <path> or --calendar <path>');
    const days = await mailbridge(['classify', '--crm', CRM, '--calendar', EXPORTS, '--days-ahead', 'soon']);
    expect(days.code).toBe(2);
    expect(days.stderr).toContain('--days-ahead');
  });
});
