import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { smallSnapshot } from './crm-fixtures.js';

describe('Salesforce emulator replication resources through jsforce', () => {
  let sf: RunningSalesforceEmulator;
  let conn: Connection;

  beforeAll(async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot() });
    const c = sf.credentials;
    conn = new Connection({ instanceUrl: c.instanceUrl, accessToken: c.accessToken, version: c.apiVersion });
  });
  afterAll(() => sf.close());

  it('getUpdated and getDeleted report changes inside the window, at minute granularity', async () => {
    // Seeded rows are stamped "now": start a couple of minutes later (jsforce drops milliseconds).
    sf.control.advanceClock(120_000);
    const start = new Date(sf.control.now());
    sf.control.advanceClock(60_000);
    sf.control.updateRecord('Contact', 'c-jane', { Phone: '+44 20 9999' });
    sf.control.deleteRecord('c-hank');
    sf.control.advanceClock(120_000);
    const end = new Date(sf.control.now());
    const updated = await conn.sobject('Contact').updated(start, end);
    expect(updated.ids).toEqual(['c-jane']);
    const deleted = await conn.sobject('Contact').deleted(start, end);
    expect(deleted.deletedRecords.map((r) => r.id)).toEqual(['c-hank']);
    expect(Date.parse(deleted.latestDateCovered.replace('+0000', 'Z')) % 60_000).toBe(0);
  });

  it('refuses a getDeleted window older than 15 days', async () => {
    const start = new Date(sf.control.now() - 16 * 86_400_000);
    await expect(conn.sobject('Contact').deleted(start, new Date(sf.control.now()))).rejects.toMatchObject({ errorCode: 'INVALID_REPLICATION_DATE' });
  });

  it('answers malformed SOQL with MALFORMED_QUERY and reports usage in Sforce-Limit-Info', async () => {
    await expect(conn.query("SELECT Id FROM Contact WHERE Email = 'unterminated")).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
    await conn.query('SELECT Id FROM Contact LIMIT 1');
    expect(conn.limitInfo.apiUsage?.limit).toBe(100_000);
    expect(conn.limitInfo.apiUsage?.used).toBeGreaterThan(0);
  });
});
