/**
 * Standing fidelity check: what the Salesforce emulator answers has the shapes jsforce 3 declares
 * for the REST resources (types read from the installed `jsforce` package, nothing vendored).
 * Each zod schema below is checked by the compiler with `satisfies z.ZodType<JsforceType>`, so a
 * schema cannot accept anything the jsforce type forbids; at run time the emulator's answers
 * must parse. Strict objects where jsforce's type is complete: an unexpected key fails too.
 *
 * Known deviations of jsforce's typings from the service, named here rather than hidden:
 * - collection save errors carry `statusCode` (REST API Developer Guide, sObject Collections
 *   examples), where jsforce's `SaveError` says `errorCode` (that is the shape of error bodies);
 * - a failed update in a collection names the record's `id` (same guide), where jsforce types
 *   `id?: undefined` on failures;
 * - describe: the emulator serves the subset of `DescribeSObjectResult` and `Field` the product
 *   reads (listed in docs/emulators.md), checked against a `Pick` of jsforce's types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Connection,
  type DeletedResult,
  type DescribeSObjectResult,
  type Field,
  type OrganizationLimitsInfo,
  type QueryResult,
  type Record as SfRecord,
  type SaveError,
  type SaveResult,
  type TokenResponse,
  type UpdatedResult,
  type UpsertResult,
} from 'jsforce';
import { startSalesforceEmulator, type RunningSalesforceEmulator } from '../../../src/emulators/salesforce/salesforce-emulator.js';
import { smallSnapshot } from './crm-fixtures.js';

const id18 = z.string().regex(/^[0-9A-Za-z-]{3,18}$/);
/** Salesforce datetimes on the wire: `2026-03-01T10:22:03.000+0000`. */
const sfDatetime = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

const errorBody = z.array(z.strictObject({ errorCode: z.string(), message: z.string(), fields: z.array(z.string()).optional() })) satisfies z.ZodType<SaveError[]>;

const record = z.looseObject({ Id: id18, attributes: z.looseObject({ type: z.string(), url: z.string().startsWith('/services/data/v') }) }) satisfies z.ZodType<SfRecord>;
const queryResult = z.strictObject({
  totalSize: z.number().int().nonnegative(),
  done: z.boolean(),
  nextRecordsUrl: z.string().regex(/^\/services\/data\/v[\d.]+\/query\/[^/]+$/).optional(),
  records: z.array(record),
}) satisfies z.ZodType<QueryResult<SfRecord>>;

/** A collection save error as the REST API sends it (`statusCode`, see the header). */
type RestSaveError = Omit<SaveError, 'errorCode'> & { statusCode: string };
const restSaveError = z.looseObject({ statusCode: z.string(), message: z.string(), fields: z.array(z.string()) }) satisfies z.ZodType<RestSaveError>;
type RestSaveFailure = Omit<Extract<SaveResult, { success: false }>, 'errors' | 'id'> & { id?: string; errors: RestSaveError[] };
const saveFailure = z.strictObject({ success: z.literal(false), id: id18.optional(), errors: z.array(restSaveError).min(1) }) satisfies z.ZodType<RestSaveFailure>;
const saveResults = z.array(
  z.union([z.strictObject({ success: z.literal(true), id: id18, errors: z.tuple([]) }), saveFailure]),
) satisfies z.ZodType<(Extract<SaveResult, { success: true }> | RestSaveFailure)[]>;
const upsertResults = z.array(
  z.union([z.strictObject({ success: z.literal(true), id: id18, created: z.boolean(), errors: z.tuple([]) }), saveFailure]),
) satisfies z.ZodType<(Extract<UpsertResult, { success: true }> | RestSaveFailure)[]>;

const describeField = z.looseObject({
  name: z.string(),
  label: z.string(),
  type: z.enum(['id', 'reference', 'string', 'textarea', 'email', 'phone', 'url', 'picklist', 'boolean', 'datetime', 'date']),
  length: z.number().int(),
  createable: z.boolean(),
  updateable: z.boolean(),
  nillable: z.boolean(),
  externalId: z.boolean(),
  unique: z.boolean(),
  idLookup: z.boolean(),
}) satisfies z.ZodType<Pick<Field, 'name' | 'label' | 'type' | 'length' | 'createable' | 'updateable' | 'nillable' | 'externalId' | 'unique' | 'idLookup'>>;
const describeResult = z.looseObject({
  name: z.string(),
  label: z.string(),
  keyPrefix: z.string().length(3),
  queryable: z.boolean(),
  createable: z.boolean(),
  updateable: z.boolean(),
  deletable: z.boolean(),
  fields: z.array(describeField).min(1),
}) satisfies z.ZodType<Pick<DescribeSObjectResult, 'name' | 'label' | 'keyPrefix' | 'queryable' | 'createable' | 'updateable' | 'deletable'> & { fields: unknown[] }>;

const limits = z.record(z.string(), z.strictObject({ Max: z.number().int(), Remaining: z.number().int() })) satisfies z.ZodType<OrganizationLimitsInfo>;
const updated = z.strictObject({ ids: z.array(id18), latestDateCovered: sfDatetime }) satisfies z.ZodType<UpdatedResult>;
const deleted = z.strictObject({
  deletedRecords: z.array(z.strictObject({ id: id18, deletedDate: sfDatetime })),
  earliestDateAvailable: sfDatetime,
  latestDateCovered: sfDatetime,
}) satisfies z.ZodType<DeletedResult>;
const token = z.strictObject({
  token_type: z.literal('Bearer'),
  scope: z.string(),
  id: z.string().url(),
  access_token: z.string().min(1),
  signature: z.string(),
  issued_at: z.string().regex(/^\d+$/),
  instance_url: z.string().url(),
}) satisfies z.ZodType<TokenResponse>;

describe('Salesforce emulator answers have the shapes jsforce 3 declares', () => {
  let sf: RunningSalesforceEmulator;
  let conn: Connection;

  beforeAll(async () => {
    sf = await startSalesforceEmulator({ snapshot: smallSnapshot(), pageSize: 200 });
    conn = new Connection({ version: sf.credentials.apiVersion, instanceUrl: sf.credentials.instanceUrl, accessToken: sf.credentials.accessToken });
    for (let i = 0; i < 250; i++) sf.control.createRecord('Contact', { Name: `Filler ${i}`, Email: `filler${i}@acme.co.uk` });
  });
  afterAll(() => sf.close());

  /** The raw JSON of a REST call made through jsforce's transport. */
  const raw = (url: string, init: { method?: 'GET' | 'POST' | 'PATCH'; body?: string } = {}) =>
    conn.request({ method: init.method ?? 'GET', url, body: init.body, headers: { 'content-type': 'application/json' } });
  /** The raw error body of a failing REST call (jsforce turns it into an exception). */
  const rawError = async (path: string, token = sf.credentials.accessToken) => {
    const res = await fetch(`${sf.url}/services/data/v62.0${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.ok).toBe(false);
    return res.json();
  };

  it('token: TokenResponse', async () => {
    const res = await fetch(`${sf.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sf.credentials.clientId, client_secret: sf.credentials.clientSecret }),
    });
    token.parse(await res.json());
  });

  it('query, queryMore and queryAll: QueryResult of records with attributes', async () => {
    const first = queryResult.parse(await raw(`/query?q=${encodeURIComponent('SELECT Id, Name, Email, SystemModstamp FROM Contact ORDER BY Id')}`));
    expect(first.done).toBe(false);
    const more = queryResult.parse(await raw(first.nextRecordsUrl!));
    expect(first.records.length + more.records.length).toBe(first.totalSize);
    queryResult.parse(await raw(`/queryAll?q=${encodeURIComponent('SELECT Id, IsDeleted FROM Account')}`));
    // jsforce's own query path reads the same answers.
    const viaJsforce = await conn.query<SfRecord>('SELECT Id FROM Account');
    expect(viaJsforce.records.length).toBe(viaJsforce.totalSize);
  });

  it('collection create, update and upsert: SaveResult / UpsertResult per record', async () => {
    const created = saveResults.parse(
      await raw('/composite/sobjects', {
        method: 'POST',
        body: JSON.stringify({
          allOrNone: false,
          records: [
            { attributes: { type: 'Contact' }, Name: 'Shape One', Email: 'shape1@acme.co.uk' },
            { attributes: { type: 'Contact' }, Nope__c: 'x' },
          ],
        }),
      }),
    );
    expect(created.map((r) => r.success)).toEqual([true, false]);
    const id = (created[0] as { id: string }).id;
    saveResults.parse(
      await raw('/composite/sobjects', {
        method: 'PATCH',
        body: JSON.stringify({ allOrNone: false, records: [{ attributes: { type: 'Contact' }, Id: id, Name: 'Shape Two' }] }),
      }),
    );
    const upserted = upsertResults.parse(
      await raw('/composite/sobjects/EmailMessage/Mailbridge_Key__c', {
        method: 'PATCH',
        body: JSON.stringify({ allOrNone: false, records: [{ attributes: { type: 'EmailMessage' }, Mailbridge_Key__c: 'shape-1', Status: '3' }] }),
      }),
    );
    expect(upserted[0]).toMatchObject({ success: true, created: true });
    sf.control.addItemFault({ error: 'UNABLE_TO_LOCK_ROW' });
    sf.control.addItemFault({ error: 'DUPLICATES_DETECTED' });
    const injected = saveResults.parse(
      await raw('/composite/sobjects', {
        method: 'POST',
        body: JSON.stringify({ allOrNone: false, records: [1, 2].map((n) => ({ attributes: { type: 'Contact' }, Name: `Locked ${n}` })) }),
      }),
    );
    expect(injected.map((r) => (r.success ? 'ok' : r.errors[0]!.statusCode))).toEqual(['UNABLE_TO_LOCK_ROW', 'DUPLICATES_DETECTED']);
  });

  it('describe: the DescribeSObjectResult and Field subset', async () => {
    for (const object of ['EmailMessage', 'EmailMessageRelation', 'Contact', 'Account', 'Opportunity']) {
      describeResult.parse(await raw(`/sobjects/${object}/describe`));
    }
  });

  it('limits, getUpdated and getDeleted: OrganizationLimitsInfo, UpdatedResult, DeletedResult', async () => {
    expect(limits.parse(await conn.limits()).DailyApiRequests).toBeDefined();
    const start = new Date(sf.control.now() - 86_400_000);
    sf.control.deleteRecord('c-hank');
    // The replication windows end on the last whole minute.
    sf.control.advanceClock(120_000);
    const end = new Date(sf.control.now());
    updated.parse(await conn.sobject('Contact').updated(start, end));
    const gone = deleted.parse(await conn.sobject('Contact').deleted(start, end));
    expect(gone.deletedRecords.map((r) => r.id)).toContain('c-hank');
  });

  it('errors: the JSON array jsforce turns into HttpApiError', async () => {
    errorBody.parse(await rawError(`/query?q=${encodeURIComponent('SELECT FROM')}`));
    errorBody.parse(await rawError('/sobjects/Nope/describe'));
    errorBody.parse(await rawError('/limits', 'expired-token'));
    errorBody.parse(await rawError(`/query/0r8EMU000000009999-200`));
    sf.control.addFault({ kind: 'limits', fault: { type: 'status', status: 503 } });
    errorBody.parse(await rawError('/limits'));
  });
});
