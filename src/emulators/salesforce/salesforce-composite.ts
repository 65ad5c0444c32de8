/**
 * `POST /services/data/vXX.X/composite` (REST API guide, "Composite"): up to 25 subrequests in
 * order, one API call. A subrequest may name an earlier one's result as `@{referenceId.field}`.
 * With `allOrNone: true` the whole request is one transaction: the first failure rolls back
 * every change made so far, and every other subrequest answers `PROCESSING_HALTED`. Supported
 * subrequests: sObject create (POST), update (PATCH) and delete (DELETE) by id.
 */
import { findObject } from './salesforce-schema.js';
import type { SalesforceStore, SfWriteError } from './salesforce-store.js';
import { applyOne, deleteOne, rollBack, type ItemFault, type SaveResult, type Undo } from './salesforce-writes.js';

export const COMPOSITE_MAX_SUBREQUESTS = 25;

export interface CompositeSubrequest {
  method?: string;
  url?: string;
  referenceId?: string;
  body?: Record<string, unknown>;
}

export interface CompositeAnswer {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const HALTED = { errorCode: 'PROCESSING_HALTED', message: 'The transaction was rolled back since another operation in the same transaction failed.' };
const errorBody = (e: SfWriteError) => [{ errorCode: e.statusCode, message: e.message, fields: e.fields ?? [] }];

/** `@{ref.id}` → the id an earlier subrequest returned; unknown references stay as they are (and fail as ids). */
function substitute(value: string, results: ReadonlyMap<string, Record<string, unknown>>): string {
  return value.replace(/@\{([^.}]+)\.([^}]+)\}/g, (whole, ref: string, field: string) => {
    const hit = results.get(ref)?.[field];
    return typeof hit === 'string' ? hit : whole;
  });
}

function substituteBody(body: Record<string, unknown>, results: ReadonlyMap<string, Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? substitute(v, results) : v]));
}

type Outcome = { status: number; body: unknown; ok: boolean; result?: Record<string, unknown> };

function fromSave(r: SaveResult, okStatus: number, okBody: (r: SaveResult) => unknown): Outcome {
  if (r.success) return { status: okStatus, body: okBody(r), ok: true, result: { id: r.id } };
  const first = r.errors[0]!;
  const status = first.statusCode === 'INVALID_CROSS_REFERENCE_KEY' || first.statusCode === 'ENTITY_IS_DELETED' ? 404 : 400;
  return { status, body: errorBody(first), ok: false };
}

function runOne(store: SalesforceStore, sub: CompositeSubrequest, results: ReadonlyMap<string, Record<string, unknown>>, undo: Undo[], itemFault?: ItemFault): Outcome {
  const url = substitute(sub.url ?? '', results).replace(/^\/services\/data\/v[\d.]+/, '');
  const method = (sub.method ?? '').toUpperCase();
  const collection = /^\/sobjects\/([^/]+)\/?$/.exec(url);
  const one = /^\/sobjects\/([^/]+)\/([^/]+)$/.exec(url);
  const notFound: Outcome = { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }], ok: false };
  if (collection && method === 'POST') {
    if (!findObject(collection[1]!)) return notFound;
    const record = { ...substituteBody(sub.body ?? {}, results), attributes: { type: collection[1]! } };
    return fromSave(applyOne(store, { kind: 'create', record }, undo, itemFault), 201, (r) => ({ id: r.id, success: true, errors: [] }));
  }
  if (one && method === 'PATCH') {
    if (!findObject(one[1]!)) return notFound;
    const record = { ...substituteBody(sub.body ?? {}, results), Id: one[2]!, attributes: { type: one[1]! } };
    return fromSave(applyOne(store, { kind: 'update', record }, undo, itemFault), 204, () => null);
  }
  if (one && method === 'DELETE') return fromSave(deleteOne(store, one[2]!, undo), 204, () => null);
  return { status: 405, body: [{ errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${method}' not allowed for ${sub.url ?? ''}` }], ok: false };
}

/** Runs the subrequests in order; see the file comment for `allOrNone`. */
export function applyComposite(store: SalesforceStore, subrequests: readonly CompositeSubrequest[], allOrNone: boolean, itemFault?: ItemFault): CompositeAnswer[] {
  const undo: Undo[] = [];
  const results = new Map<string, Record<string, unknown>>();
  const answers: CompositeAnswer[] = [];
  let failed = false;
  for (const sub of subrequests) {
    const referenceId = sub.referenceId ?? '';
    if (failed && allOrNone) {
      answers.push({ body: [HALTED], httpHeaders: {}, httpStatusCode: 400, referenceId });
      continue;
    }
    const out = runOne(store, sub, results, undo, itemFault);
    if (out.ok && out.result) results.set(referenceId, out.result);
    if (!out.ok) failed = true;
    answers.push({ body: out.body, httpHeaders: {}, httpStatusCode: out.status, referenceId });
  }
  if (failed && allOrNone) {
    rollBack(store, undo);
    // The failed subrequest keeps its own error; everything else was rolled back.
    return answers.map((a) => (a.httpStatusCode < 300 ? { body: [HALTED], httpHeaders: {}, httpStatusCode: 400, referenceId: a.referenceId } : a));
  }
  return answers;
}
