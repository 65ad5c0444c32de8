/**
 * Issue 11: a tenant's `freeMail.add` / `freeMail.remove` reach the sync's decisions, end to
 * end (config file, Graph and Salesforce emulators, the real `mailbridge sync --once`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastJsonLine, mailbridge, recentMail, startCliTenant, type CliTenant } from '../helpers/cli-tenant.js';

const ALEX = 'alex@example-seller.com';

describe('freeMail in the configuration', () => {
  let t: CliTenant;
  beforeEach(async () => {
    t = await startCliTenant([
      {
        address: ALEX,
        messages: [
          // globex.com is an account's domain: matched by domain unless the tenant calls it free mail.
          recentMail('inbox', 5, { From: 'Ann <ann@globex.com>', To: ALEX, Subject: 'From Globex', 'Message-ID': '<fm-1@globex.com>' }),
          // A contact of Globex writes from gmail.com: a stranger there matches Globex only when
          // the tenant removes gmail.com from free mail.
          recentMail('inbox', 4, { From: 'Lou <lou.stranger@gmail.com>', To: ALEX, Subject: 'From Gmail', 'Message-ID': '<fm-2@gmail.com>' }),
        ],
      },
    ]);
  });
  afterEach(async () => {
    await t.close();
  });

  it('add makes a domain free mail, remove makes it match by domain again', async () => {
    const config = JSON.parse(readFileSync(t.configFile, 'utf8')) as { tenants: Record<string, unknown>[] };
    config.tenants[0]!.freeMail = { add: ['globex.com'], remove: ['gmail.com'] };
    writeFileSync(t.configFile, JSON.stringify(config), { mode: 0o600 });

    const r = await mailbridge(['sync', '--once', '--config', t.configFile, '--json', '--quiet'], { MAILBRIDGE_DB_KEY: t.key });
    expect(r.stderr).toBe('');
    expect(lastJsonLine(r.stdout)).toMatchObject({ totals: { imported: 1, skipped: { 'no-crm-match': 1 } } });
    expect(t.sf.control.emails().map((e) => e.record.Subject)).toEqual(['From Gmail']);
  });
});
