/**
 * A credential the configuration supplies and the service refuses is an `auth` error naming the
 * setting to fix, raised at once (no transient retries), for every service, through the real
 * SDKs against the emulators. What the real services answer, reproduced by the emulators:
 * - Google token endpoint: a wrong OAuth client → 401 `{"error":"invalid_client","error_description":
 *   "The OAuth client was not found."}`; a service-account assertion signed with another key →
 *   400 `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}` (Google's OAuth 2.0
 *   server-to-server documentation, "invalid_grant" troubleshooting).
 * - Salesforce token endpoint, client credentials flow: wrong consumer secret → 400
 *   `{"error":"invalid_client","error_description":"invalid client credentials"}`; unknown
 *   consumer key → `invalid_client_id`.
 * - HubSpot: a wrong private-app token → 401, category INVALID_AUTHENTICATION.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncError } from '../../../src/core/sync-error.js';
import { HubspotAdapter } from '../../../src/crm-adapters/hubspot/hubspot-adapter.js';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startHubspotEmulator, type RunningHubspotEmulator } from '../../../src/emulators/hubspot/hubspot-emulator.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import type { GmailEmulator } from '../../../src/emulators/gmail/gmail-emulator.js';
import { smallSnapshot } from '../salesforce/crm-fixtures.js';
import { providerFor, startSeededGmail } from '../gmail/gmail-harness.js';

async function refusal(work: () => Promise<unknown>): Promise<SyncError> {
  try {
    await work();
  } catch (err) {
    if (err instanceof SyncError) return err;
    throw err;
  }
  throw new Error('expected the call to be refused');
}

async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const item of iterable) void item;
}

describe('refused credentials name their setting', () => {
  let sf: RunningSalesforceEmulator;
  let hs: RunningHubspotEmulator;
  let gmail: GmailEmulator;
  beforeAll(async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot() });
    hs = await startHubspotEmulator({ snapshot: smallSnapshot() });
    gmail = await startSeededGmail({ mailboxes: 1, messagesPerMailbox: 2 });
  });
  afterAll(async () => {
    await sf.close();
    await hs.close();
    await gmail.close();
  });

  it('Salesforce: a wrong consumer secret or key', async () => {
    const c = sf.credentials;
    const wrongSecret = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: 'not-the-secret' });
    const e = await refusal(() => drain(wrongSecret.pullChanges(null)));
    expect(e).toMatchObject({ code: 'auth', retryable: false, setting: 'crm.clientSecret' });
    expect(e.message).toMatch(/invalid_client/);
  });

  it('HubSpot: a wrong private app token', async () => {
    const adapter = new HubspotAdapter({ accessToken: 'pat-wrong', basePath: hs.credentials.basePath, share: 1, tenSecondlyMax: 10_000 });
    try {
      const e = await refusal(() => drain(adapter.pullChanges(null)));
      expect(e).toMatchObject({ code: 'auth', retryable: false, setting: 'crm.accessToken' });
    } finally {
      await adapter.close();
    }
  });

  it('Gmail company mode: a service account key that is not the registered one', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const provider = providerFor(gmail, {
      serviceAccount: { ...gmail.serviceAccount, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    });
    try {
      const [mailbox] = await provider.listMailboxes();
      const e = await refusal(() => drain(provider.scan(mailbox!, 'inbox', null, { since: new Date('2020-01-01T00:00:00Z') })));
      expect(e).toMatchObject({ code: 'auth', retryable: false, setting: 'mail.serviceAccountFile' });
    } finally {
      await provider.close();
    }
  });
});
