/**
 * `reassociated` where an admin reads it: `sync --once --json`, the job log and `status`, after
 * a deal closed in the CRM (dated two months back) moves the mail logged on it to the account.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastJsonLine, mailbridge, recentMail, startCliTenant, type CliTenant } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';

describe('re-association through the CLI', () => {
  let t: CliTenant;
  beforeEach(async () => {
    t = await startCliTenant([
      {
        address: ALEX,
        messages: [recentMail('inbox', 48, { From: 'Jane Doe <jane.doe@acme.com>', To: ALEX, Subject: 'Renewal pricing', 'Message-ID': '<renewal-ra@acme.com>' })],
      },
    ]);
  });
  afterEach(async () => {
    await t.close();
  });
  const env = () => ({ MAILBRIDGE_DB_KEY: t.key });

  it("sync --once --json, the job log and status report the round's reassociated", async () => {
    const first = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--quiet'], env());
    expect(first.code).toBe(0);
    expect(lastJsonLine(first.stdout)).toMatchObject({ reassociated: 0, totals: { imported: 1, reassociated: 0 } });
    expect(t.sf.control.emails()[0]!.record.RelatedToId).toBe('006-acme-renewal');

    t.sf.control.advanceClock(60_000);
    const closed = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
    t.sf.control.updateRecord('Opportunity', '006-acme-renewal', { IsClosed: true, StageName: 'Closed Lost', CloseDate: closed });
    const second = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--log-level', 'info'], env());
    expect(second.code, second.stderr).toBe(0);
    expect(lastJsonLine(second.stdout)).toMatchObject({ reassociated: 1, reassociation: { checked: 1, pending: 0, failed: 0 }, totals: { reassociated: 1 } });
    // The job log counts it, and names no address or subject.
    const logLine = second.stderr.split('\n').find((l) => l.includes('re-association'));
    expect(logLine).toContain('"reassociated":1');
    expect(logLine).not.toContain('jane.doe@acme.com');
    const emails = t.sf.control.emails();
    expect(emails).toHaveLength(1);
    expect(emails[0]!.record.RelatedToId).toBe('001-acme');

    const status = await mailbridge(['status', '--config', t.configFile, '--json'], env());
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/"lastRound":\{[^]*"reassociated":1/);
    const text = await mailbridge(['status', '--config', t.configFile], env());
    expect(text.stdout).toContain('1 re-associated');
  });
});
