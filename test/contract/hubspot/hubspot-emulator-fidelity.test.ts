/**
 * Standing check: what the HubSpot emulator answers is validated against the response models
 * @hubspot/api-client generates from HubSpot's OpenAPI descriptions, read from the installed
 * package (required fields and their types), for every answer the product depends on. Headers
 * follow recorded live responses: `x-hubspot-correlation-id` on every answer and
 * `x-hubspot-auth-failure` (no `WWW-Authenticate`) on a 401 (hubspot-api-ruby#181,
 * hubspot-api-nodejs#148); the legacy `X-HubSpot-RateLimit-Secondly*` pair (API_NOTES §4.7);
 * 429 bodies with `policyName` (SECONDLY for search: HGData/mk-node-hubspot#84).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubspotEmulator, type RunningHubspotEmulator } from '../../../src/emulators/hubspot/hubspot-emulator.js';
import { smallSnapshot } from '../salesforce/crm-fixtures.js';
import { SdkModels } from './hubspot-sdk-models.js';

const emails = new SdkModels('crm/objects/emails');
const contacts = new SdkModels('crm/contacts');
const associations = new SdkModels('crm/associations/v4');
const owners = new SdkModels('crm/owners');
const pipelines = new SdkModels('crm/pipelines');
const meetings = new SdkModels('crm/objects/meetings');

let hs: RunningHubspotEmulator;

beforeAll(async () => {
  hs = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { tenSecondlyMax: 10_000, searchPerSecond: 1_000 } });
});
afterAll(() => hs.close());

async function call(method: string, path: string, body?: unknown, token = hs.credentials.accessToken) {
  const res = await fetch(`${hs.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
}

const email = (key: string, extra: Record<string, unknown> = {}) => ({
  properties: { hs_timestamp: '2026-03-01T10:00:00.000Z', hs_email_direction: 'EMAIL', mailbridge_key: key },
  associations: [{ to: { id: 'c-jane' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 198 }] }],
  ...extra,
});

describe('the model check itself', () => {
  it('reports a missing required field and a wrong type', () => {
    expect(pipelines.check({ results: [{ id: 'p', label: 'P', displayOrder: '0', archived: false, stages: [], updatedAt: '2026-01-01T00:00:00Z' }] }, 'CollectionResponsePipelineNoPaging')).toEqual([
      '$.results[0].createdAt: required by Pipeline, missing',
      '$.results[0].displayOrder: expected a number, got "0"',
    ]);
  });
});

describe('HubSpot emulator answers match @hubspot/api-client models', () => {
  it('batch create: 201 BatchResponseSimplePublicObject with numeric string ids', async () => {
    const res = await call('POST', '/crm/v3/objects/emails/batch/create', { inputs: [email('f-1'), email('f-2')] });
    expect(res.status).toBe(201);
    expect(emails.check(res.body, 'BatchResponseSimplePublicObject')).toEqual([]);
    for (const o of res.body.results as { id: string }[]) expect(o.id).toMatch(/^\d+$/);
  });

  it('batch create: 207 items are StandardErrors with errors[] and links', async () => {
    hs.control.setBatchConflictMode('partial-207');
    try {
      const res = await call('POST', '/crm/v3/objects/emails/batch/create', {
        inputs: [email('f-3'), email('f-4', { associations: [{ to: { id: '999' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 210 }] }] })],
      });
      expect(res.status).toBe(207);
      expect(emails.check(res.body, 'BatchResponseSimplePublicObjectWithErrors')).toEqual([]);
      expect(res.body.errors).toEqual([expect.objectContaining({ errors: [], links: {} })]);
    } finally {
      hs.control.setBatchConflictMode('reject-409');
    }
  });

  it('batch create: 409 and 400 refusals are Error envelopes whose correlation id is the header', async () => {
    const conflict = await call('POST', '/crm/v3/objects/emails/batch/create', { inputs: [email('f-1')] });
    expect(conflict.status).toBe(409);
    expect(emails.check(conflict.body, 'Error')).toEqual([]);
    expect(conflict.headers.get('x-hubspot-correlation-id')).toBe(conflict.body.correlationId);
    const unknown = await call('POST', '/crm/v3/objects/emails/batch/create', { inputs: [email('f-9', { properties: { hs_timestamp: '2026-03-01T10:00:00.000Z', nope: 'x' } })] });
    expect(unknown.status).toBe(400);
    expect(emails.check(unknown.body, 'Error')).toEqual([]);
  });

  it('batch read by the unique property and search', async () => {
    const read = await call('POST', '/crm/v3/objects/emails/batch/read', { idProperty: 'mailbridge_key', inputs: [{ id: 'f-1' }], properties: ['mailbridge_key'], propertiesWithHistory: [] });
    expect(read.status).toBe(200);
    expect(emails.check(read.body, 'BatchResponseSimplePublicObject')).toEqual([]);
    const search = await call('POST', '/crm/v3/objects/contacts/search', { filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '0' }] }], limit: 2, after: '0' });
    expect(search.status).toBe(200);
    expect(contacts.check(search.body, 'CollectionResponseWithTotalSimplePublicObjectForwardPaging')).toEqual([]);
    const archived = await call('GET', '/crm/v3/objects/contacts?archived=true&limit=10');
    expect(contacts.check(archived.body, 'CollectionResponseSimplePublicObjectWithAssociationsForwardPaging')).toEqual([]);
  });

  it('v4 associations: batch read 200 and 207, and the single read', async () => {
    const ok = await call('POST', '/crm/v4/associations/deals/contacts/batch/read', { inputs: [{ id: 'd-renewal' }] });
    expect(ok.status).toBe(200);
    expect(associations.check(ok.body, 'BatchResponsePublicAssociationMultiWithLabel')).toEqual([]);
    const partial = await call('POST', '/crm/v4/associations/deals/contacts/batch/read', { inputs: [{ id: 'd-renewal' }, { id: '424242' }] });
    expect(partial.status).toBe(207);
    expect(associations.check(partial.body, 'BatchResponsePublicAssociationMultiWithLabelWithErrors')).toEqual([]);
    const single = await call('GET', '/crm/v4/objects/deals/d-renewal/associations/contacts');
    expect(associations.check(single.body, 'CollectionResponseMultiAssociatedObjectWithLabelForwardPaging')).toEqual([]);
  });

  it('meetings (issue 15): batch create, update 200 and 207, and the v4 default associate', async () => {
    const meeting = (key: string) => ({
      properties: { hs_timestamp: '2026-03-10T14:00:00.000Z', hs_meeting_title: 'QBR', hs_meeting_outcome: 'SCHEDULED', mailbridge_key: key },
      associations: [{ to: { id: 'c-jane' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 200 }] }],
    });
    const created = await call('POST', '/crm/v3/objects/meetings/batch/create', { inputs: [meeting('m-1')] });
    expect(created.status).toBe(201);
    expect(meetings.check(created.body, 'BatchResponseSimplePublicObject')).toEqual([]);
    const id = (created.body.results as { id: string }[])[0]!.id;
    const updated = await call('POST', '/crm/v3/objects/meetings/batch/update', { inputs: [{ id, properties: { hs_meeting_outcome: 'CANCELED' } }] });
    expect(updated.status).toBe(200);
    expect(meetings.check(updated.body, 'BatchResponseSimplePublicObject')).toEqual([]);
    const partial = await call('POST', '/crm/v3/objects/meetings/batch/update', { inputs: [{ id, properties: {} }, { id: '424242', properties: {} }] });
    expect(partial.status).toBe(207);
    expect(meetings.check(partial.body, 'BatchResponseSimplePublicObjectWithErrors')).toEqual([]);
    const linked = await call('POST', '/crm/v4/associations/meetings/deals/batch/associate/default', { inputs: [{ from: { id }, to: { id: 'd-renewal' } }] });
    expect(linked.status).toBe(200);
    expect(associations.check(linked.body, 'BatchResponsePublicDefaultAssociation')).toEqual([]);
  });

  it('owners and pipelines carry their required fields', async () => {
    const o = await call('GET', '/crm/v3/owners?limit=100');
    expect(owners.check(o.body, 'CollectionResponsePublicOwnerForwardPaging')).toEqual([]);
    const p = await call('GET', '/crm/v3/pipelines/deals');
    expect(pipelines.check(p.body, 'CollectionResponsePipelineNoPaging')).toEqual([]);
  });

  it('a 401 is an Error envelope with x-hubspot-auth-failure and no WWW-Authenticate', async () => {
    const res = await call('GET', '/crm/v3/owners', undefined, 'pat-na1-wrong');
    expect(res.status).toBe(401);
    expect(emails.check(res.body, 'Error')).toEqual([]);
    expect(res.body.category).toBe('INVALID_AUTHENTICATION');
    expect(res.headers.get('x-hubspot-auth-failure')).toBe('401 Unauthorized');
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.headers.get('x-hubspot-correlation-id')).toBe(res.body.correlationId);
  });

  it('a 404 is an Error envelope', async () => {
    const res = await call('GET', '/crm/v3/objects/emails/123456789');
    expect(res.status).toBe(404);
    expect(emails.check(res.body, 'Error')).toEqual([]);
  });

  it('normal answers carry the rate-limit headers, the legacy secondly pair included', async () => {
    const res = await call('GET', '/crm/v3/owners');
    for (const h of ['daily', 'daily-remaining', 'interval-milliseconds', 'max', 'remaining', 'secondly', 'secondly-remaining']) {
      expect(res.headers.get(`x-hubspot-ratelimit-${h}`), h).toMatch(/^\d+$/);
    }
    expect(res.headers.get('x-hubspot-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('HubSpot emulator 429 bodies', () => {
  let limited: RunningHubspotEmulator;
  afterAll(() => limited?.close());

  it('ten-secondly and search-secondly refusals are Error envelopes with category RATE_LIMITS and policyName', async () => {
    limited = await startHubspotEmulator({ snapshot: smallSnapshot(), limits: { tenSecondlyMax: 1, searchPerSecond: 1 } });
    const get = (path: string, init: RequestInit = {}) =>
      fetch(`${limited.url}${path}`, { ...init, headers: { authorization: `Bearer ${limited.credentials.accessToken}`, 'content-type': 'application/json' } });
    expect((await get('/crm/v3/owners')).status).toBe(200);
    const window = await get('/crm/v3/owners');
    expect(window.status).toBe(429);
    const windowBody = (await window.json()) as Record<string, unknown>;
    expect(emails.check(windowBody, 'Error')).toEqual([]);
    expect(windowBody).toMatchObject({ category: 'RATE_LIMITS', policyName: 'TEN_SECONDLY_ROLLING', errorType: 'RATE_LIMIT' });
    const search = (n: number) => get('/crm/v3/objects/contacts/search', { method: 'POST', body: JSON.stringify({ limit: n }) });
    expect((await search(1)).status).toBe(200);
    const second = await search(1);
    expect(second.status).toBe(429);
    const secondBody = (await second.json()) as Record<string, unknown>;
    expect(emails.check(secondBody, 'Error')).toEqual([]);
    expect(secondBody).toMatchObject({ category: 'RATE_LIMITS', policyName: 'SECONDLY', message: 'You have reached your secondly limit.' });
  });
});
