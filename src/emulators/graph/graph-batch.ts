/**
 * Graph JSON batching: at most 20 requests, unique ids, relative URLs, `dependsOn` with 424 on a
 * failed dependency, per-item throttling with an item-level `Retry-After` (none on the concurrency
 * throttle), request ids on every item, and responses in an
 * order different from the request's (clients must correlate by id).
 */
import { makeEmulatorRequest, type EmulatorRequest, type EmulatorResponse } from '../common/http-emulator.js';
import type { FaultPlan } from '../common/faults.js';
import type { RequestCounters } from '../common/request-counters.js';
import type { GraphApi } from './graph-api.js';
import type { GraphPrincipal } from './graph-auth.js';
import { CONCURRENCY_THROTTLE_CODE, graphError, graphFaultBody, graphFaultHeaders } from './graph-errors.js';
import type { MailboxThrottle } from './graph-throttle.js';

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

export interface BatchContext {
  api: GraphApi;
  throttle: MailboxThrottle;
  faults: FaultPlan;
  counters: RequestCounters;
  origin: string;
  principal: GraphPrincipal;
  latency: () => Promise<void>;
}

/** Outlook runs up to 4 items of a batch in parallel: that many slots of the mailbox are taken. */
const PARALLEL_ITEMS = 4;

function itemResponse(id: string, answer: EmulatorResponse): Record<string, unknown> {
  let body = answer.body;
  if (Buffer.isBuffer(body)) body = body.toString('base64');
  return { id, status: answer.status, headers: { 'Content-Type': 'application/json', ...(answer.headers ?? {}) }, body };
}

/** Serves `POST /v1.0/$batch`. */
export async function serveBatch(req: EmulatorRequest, ctx: BatchContext): Promise<EmulatorResponse> {
  let items: BatchItem[];
  try {
    items = (req.json<{ requests?: BatchItem[] }>()?.requests ?? []) as BatchItem[];
  } catch {
    return graphError(400, 'BadRequest', 'Invalid batch payload format.', req);
  }
  if (!Array.isArray(items) || items.length === 0) return graphError(400, 'BadRequest', 'Invalid batch payload format.', req);
  if (items.length > 20) return graphError(400, 'BadRequest', 'Number of requests in batch cannot exceed 20.', req);
  const ids = new Set(items.map((i) => String(i.id).toLowerCase()));
  if (ids.size !== items.length) return graphError(400, 'BadRequest', 'Batch request contains duplicate request ids.', req);

  const inner = items.map((item) => {
    const url = new URL(`${ctx.origin}/v1.0${item.url.startsWith('/') ? '' : '/'}${item.url}`);
    const innerReq = makeEmulatorRequest(item.method, url, { ...lowerKeys(item.headers ?? {}) }, Buffer.alloc(0));
    const path = innerReq.path.slice('/v1.0'.length);
    return { item, req: innerReq, path, route: ctx.api.route(path, ctx.principal) };
  });

  // Mailbox concurrency: the batch occupies up to 4 slots of each mailbox it touches.
  const perMailbox = new Map<string, number>();
  for (const i of inner) if (i.route.mailbox) perMailbox.set(i.route.mailbox, (perMailbox.get(i.route.mailbox) ?? 0) + 1);
  const admitted = new Map<string, number>();
  const overConcurrency = new Set<string>();
  for (const [mailbox, count] of perMailbox) {
    const slots = Math.min(PARALLEL_ITEMS, count);
    const gate = ctx.throttle.admit(mailbox, 0, slots);
    if (gate.ok) {
      admitted.set(mailbox, slots);
      for (let s = 0; s < slots; s++) ctx.counters.enter(mailbox);
    } else {
      overConcurrency.add(mailbox);
    }
  }

  const results = new Map<string, Record<string, unknown>>();
  try {
    await ctx.latency();
    for (const { item, req: innerReq, path, route } of inner) {
      ctx.counters.count(`batch:${route.kind}`);
      const failedDependency = (item.dependsOn ?? []).some((dep) => {
        const status = Number(results.get(dep)?.status ?? 0);
        return status === 0 || status >= 400;
      });
      if (failedDependency) {
        results.set(item.id, itemResponse(item.id, graphError(424, 'FailedDependency', 'Failed dependency.', innerReq)));
        continue;
      }
      const fault = ctx.faults.take(innerReq, route.kind);
      if (fault?.type === 'status') {
        const body = fault.body ?? graphFaultBody(fault.status);
        const headers = { ...graphFaultHeaders(fault.status, body, innerReq), ...fault.headers };
        results.set(item.id, itemResponse(item.id, { status: fault.status, headers, body }));
        continue;
      }
      if (route.mailbox && overConcurrency.has(route.mailbox)) {
        ctx.counters.count('throttled');
        results.set(item.id, itemResponse(item.id, graphError(429, CONCURRENCY_THROTTLE_CODE, 'Application is over its MailboxConcurrency limit.', innerReq)));
        continue;
      }
      if (route.mailbox) {
        const rate = ctx.throttle.admit(route.mailbox, 1, 0);
        if (!rate.ok && rate.reason === 'rate') {
          ctx.counters.count('throttled');
          results.set(item.id, itemResponse(item.id, graphError(429, 'TooManyRequests', 'Please retry again later.', innerReq, { 'Retry-After': String(rate.retryAfterSec) })));
          continue;
        }
      }
      results.set(item.id, itemResponse(item.id, ctx.api.serve(innerReq, path, ctx.principal, ctx.origin)));
    }
  } finally {
    for (const [mailbox, slots] of admitted) {
      ctx.throttle.release(mailbox, slots);
      for (let s = 0; s < slots; s++) ctx.counters.leave(mailbox);
    }
  }
  // Responses come back in reverse order: order is not guaranteed by the service.
  return { status: 200, body: { responses: [...results.values()].reverse() } };
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
