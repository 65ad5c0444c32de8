/**
 * The Salesforce session kept between jobs. Each token request is a login, and Salesforce allows
 * 3,600 logins per user per hour (help.salesforce.com, "Login Rate Limits" / article 000381578);
 * a worker pool opens the tenant's adapter anew for every mailbox job, so without a kept session
 * thousands of mailboxes every 15 minutes would pass it. Adapters sharing one session store (the
 * tenant's encrypted secrets) log in once; a 401 mints a new token, kept for the next job; a
 * session obtained with other credentials is never used.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { MemoryTokenStore } from '../../../src/providers/common/token-store.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { draft, smallSnapshot } from './crm-fixtures.js';

describe('Salesforce session kept between jobs', () => {
  let sf: RunningSalesforceEmulator;
  let sessions: MemoryTokenStore;
  const adapter = (over: { clientSecret?: string } = {}) => {
    const c = sf.credentials;
    return new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret, retryBaseMs: 20, sessionStore: sessions, ...over });
  };

  beforeEach(async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot() });
    sessions = new MemoryTokenStore();
  });
  afterEach(() => sf.close());

  it('logs in once for many jobs, and again only when Salesforce ends the session', async () => {
    for (let job = 1; job <= 5; job++) expect((await adapter().writeActivities([draft(job)]))[0]).toMatchObject({ ok: true });
    expect(sf.counters.get('oauth')).toBe(1);

    sf.control.expireTokens();
    expect((await adapter().writeActivities([draft(6)]))[0]).toMatchObject({ ok: true });
    expect((await adapter().writeActivities([draft(7)]))[0]).toMatchObject({ ok: true });
    // The job that met the 401 logged in again and kept the new session for the next one.
    expect(sf.counters.get('oauth')).toBe(2);
    expect(sf.control.emails()).toHaveLength(7);
  });

  it('never uses a session obtained with other credentials: a wrong new secret is refused at once', async () => {
    await adapter().writeActivities([draft(1)]);
    await expect(adapter({ clientSecret: 'rotated-but-wrong' }).verifyAccess()).rejects.toMatchObject({ code: 'auth' });
    expect(sf.counters.get('oauth')).toBe(2);
  });

  it('doctor checks the credentials with a new token, not the kept session', async () => {
    await adapter().writeActivities([draft(1)]);
    await adapter().checkCredentials();
    expect(sf.counters.get('oauth')).toBe(2);
  });
});
