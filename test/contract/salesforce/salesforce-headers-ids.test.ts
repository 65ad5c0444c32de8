/**
 * Small fidelity points of the Salesforce emulator:
 * - every record it creates has an 18-character id whose last three characters are the
 *   case-safe checksum of the first fifteen (the algorithm of the CASESAFEID formula function);
 * - `Sforce-Limit-Info: api-usage=N/M` on every authenticated REST answer, errors and the
 *   403 limit errors included (REST API Developer Guide, "Limit Info Header"; jsforce parses it
 *   into `conn.limitInfo`);
 * - a 401 as recorded from the live service in jsforce#1301: a JSON error array, no
 *   `WWW-Authenticate`, no limit header, and no request-id header (none is sent).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceAdapter } from '../../../src/crm-adapters/salesforce/salesforce-adapter.js';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { isCaseSafeId } from '../../../src/emulators/salesforce/salesforce-ids.js';
import { draft, smallSnapshot } from './crm-fixtures.js';

describe('Salesforce emulator ids and headers', () => {
  let sf: RunningSalesforceEmulator;

  beforeEach(async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot(), dailyLimit: 6 });
  });
  afterEach(() => sf.close());

  const api = (path: string, init: RequestInit = {}, token = sf.credentials.accessToken) =>
    fetch(`${sf.url}/services/data/v62.0${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

  it('gives every created record a case-safe 18-character id', async () => {
    const c = sf.credentials;
    const adapter = new SalesforceAdapter({ loginUrl: c.loginUrl, clientId: c.clientId, clientSecret: c.clientSecret });
    const outcomes = await adapter.writeActivities([draft(1), draft(2)]);
    const ids = sf.control.emails().flatMap((e) => [String(e.record.Id), ...e.relations.map((r) => String(r.Id))]);
    expect(ids).toHaveLength(6);
    expect(outcomes.map((o) => (o as { crmId: string }).crmId)).toEqual(ids.filter((id) => id.startsWith('02s')));
    for (const id of ids) expect(isCaseSafeId(id), id).toBe(true);
    // Enough records that the counter reaches letters, whose case the suffix must encode.
    const contacts = Array.from({ length: 40 }, (_, i) => sf.control.createRecord('Contact', { Name: `New ${i}`, Email: `new${i}@acme.co.uk` }));
    for (const id of contacts) expect(isCaseSafeId(id), id).toBe(true);
  });

  it('sends Sforce-Limit-Info on successes, errors, injected faults and the limit error', async () => {
    const limit = (res: Response) => res.headers.get('sforce-limit-info');
    const ok = await api('/query?q=' + encodeURIComponent('SELECT Id FROM Contact'));
    expect(ok.status).toBe(200);
    expect(limit(ok)).toBe('api-usage=1/6');
    const bad = await api('/query?q=' + encodeURIComponent('SELECT FROM'));
    expect(bad.status).toBe(400);
    expect(limit(bad)).toBe('api-usage=2/6');
    const missing = await api('/sobjects/Nope/describe');
    expect(missing.status).toBe(404);
    expect(limit(missing)).toMatch(/^api-usage=\d+\/6$/);
    sf.control.addFault({ kind: 'limits', fault: { type: 'status', status: 503 } });
    const injected = await api('/limits');
    expect(injected.status).toBe(503);
    expect(limit(injected)).toMatch(/^api-usage=\d+\/6$/);
    while ((await api('/limits')).status === 200);
    const spent = await api('/limits');
    expect(spent.status).toBe(403);
    expect(await spent.json()).toEqual([{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]);
    expect(limit(spent)).toBe('api-usage=6/6');
  });

  it('answers a bad token with 401 INVALID_SESSION_ID and no WWW-Authenticate', async () => {
    const res = await api('/limits', {}, 'not-a-token');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual([{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.headers.get('sforce-limit-info')).toBeNull();
  });
});
