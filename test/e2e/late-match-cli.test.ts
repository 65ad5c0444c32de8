/**
 * `lateMatched` where an admin reads it: `sync --once --json`, the job log and `status --json`,
 * after a contact added in the CRM late-matches mail the first round rejected.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastJsonLine, mailbridge, recentMail, startCliTenant, type CliTenant } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';
const PAT = 'pat@wayne-ent.example';

describe('late matching through the CLI', () => {
  let t: CliTenant;
  beforeEach(async () => {
    t = await startCliTenant([
      {
        address: ALEX,
        messages: [
          recentMail('inbox', 48, { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Subject: 'Renewal pricing', 'Message-ID': '<renewal-lm@acme.com>' }),
          recentMail('inbox', 24, { From: `Pat Lee <${PAT}>`, To: ALEX, Subject: 'Wayne pilot question', 'Message-ID': '<pilot-lm@wayne-ent.example>' }),
        ],
      },
    ]);
  });
  afterEach(async () => {
    await t.close();
  });
  const env = () => ({ MAILBRIDGE_DB_KEY: t.key });

  it('sync --once --json, the job log and status report the round\'s lateMatched', async () => {
    const first = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--quiet'], env());
    expect(first.code).toBe(0);
    expect(lastJsonLine(first.stdout)).toMatchObject({ lateMatched: 0, totals: { imported: 1, lateMatched: 0, skipped: { 'no-crm-match': 1 } } });

    t.sf.control.advanceClock(60_000);
    t.sf.control.createRecord('Contact', { Name: 'Pat Lee', Email: PAT });
    const second = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--log-level', 'info'], env());
    expect(second.code).toBe(0);
    expect(lastJsonLine(second.stdout)).toMatchObject({ lateMatched: 1, lateMatch: { queries: 1, pendingKeys: 0 }, totals: { lateMatched: 1 } });
    // The job log counts it, and names neither the key nor the mail.
    const logLine = second.stderr.split('\n').find((l) => l.includes('late matching'));
    expect(logLine).toContain('"lateMatched":1');
    expect(second.stderr).not.toContain(PAT);
    expect(t.sf.control.emails().map((e) => e.record.Subject).sort()).toEqual(['Renewal pricing', 'Wayne pilot question']);

    const status = await mailbridge(['status', '--config', t.configFile, '--json'], env());
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/"lastRound":\{[^]*"lateMatched":1/);
    const text = await mailbridge(['status', '--config', t.configFile], env());
    expect(text.stdout).toContain('1 late-matched');
  });
});
