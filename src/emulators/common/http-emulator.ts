/**
 * The HTTP shell every service emulator runs in: a real server on 127.0.0.1 that parses the
 * request, counts it by kind, applies injected faults, and serialises the handler's answer.
 * Service-specific behaviour (routes, envelopes, throttling) lives in the handler.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlan, type Fault } from './faults.js';
import { RequestCounters } from './request-counters.js';

export interface EmulatorRequest {
  method: string;
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json<T = unknown>(): T;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialised unless a Buffer or a string. */
  body?: unknown;
}

export type EmulatorHandler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

export interface RunningEmulator {
  url: string;
  port: number;
  counters: RequestCounters;
  faults: FaultPlan;
  close(): Promise<void>;
}

export interface HttpEmulatorOptions {
  name: string;
  handler: EmulatorHandler;
  port?: number;
  /** Request kind for counters and fault matching; defaults to `METHOD /path`. */
  classify?: (req: EmulatorRequest) => string;
  /** Key (e.g. a mailbox) whose in-flight requests are tracked for the concurrency proof. */
  concurrencyKey?: (req: EmulatorRequest) => string | undefined;
  /** Fills in the service's error envelope when a status fault carries no body. */
  faultBody?: (status: number, req: EmulatorRequest) => unknown;
  /** Headers the service puts on every answer with such a status, injected faults included (request ids, `Retry-After`, limit info); a rule's own win. */
  faultHeaders?: (status: number, body: unknown, req: EmulatorRequest) => Record<string, string> | undefined;
}

/** Builds the request view handlers see; also used by batch endpoints for their inner requests. */
export function makeEmulatorRequest(
  method: string,
  url: URL,
  headers: IncomingHttpHeaders,
  body: Buffer,
): EmulatorRequest {
  return {
    method: method.toUpperCase(),
    url,
    path: decodeURIComponent(url.pathname),
    query: url.searchParams,
    headers,
    body,
    json<T>(): T {
      return JSON.parse(body.toString('utf8') || 'null') as T;
    },
  };
}

/** Serialises a handler body: Buffers and strings go as they are, everything else as JSON. */
export function serializeBody(body: unknown): { bytes: Buffer; isJson: boolean } {
  if (body === undefined) return { bytes: Buffer.alloc(0), isJson: false };
  if (Buffer.isBuffer(body)) return { bytes: body, isJson: false };
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), isJson: false };
  return { bytes: Buffer.from(JSON.stringify(body), 'utf8'), isJson: true };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, answer: EmulatorResponse, truncate: boolean): void {
  const { bytes, isJson } = serializeBody(answer.body);
  const payload = truncate ? bytes.subarray(0, Math.floor(bytes.length / 2)) : bytes;
  const headers: Record<string, string> = { ...(answer.headers ?? {}) };
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  // A string body that is an HTML page (a gateway's error page) goes out as text/html.
  const isHtml = !isJson && /^\s*<(!doctype html|html)/i.test(bytes.subarray(0, 64).toString('utf8'));
  if (!hasType && payload.length > 0) headers['Content-Type'] = isJson ? 'application/json' : isHtml ? 'text/html' : 'text/plain';
  headers['Content-Length'] = String(payload.length);
  res.writeHead(answer.status, headers);
  res.end(payload);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts an emulator on 127.0.0.1 (random port unless given) and resolves once it listens. */
export async function startHttpEmulator(opts: HttpEmulatorOptions): Promise<RunningEmulator> {
  const counters = new RequestCounters();
  const faults = new FaultPlan();
  let closing = false;

  const server = createServer((raw, res) => {
    void (async () => {
      const body = await readBody(raw);
      const url = new URL(raw.url ?? '/', `http://${raw.headers.host ?? '127.0.0.1'}`);
      const req = makeEmulatorRequest(raw.method ?? 'GET', url, raw.headers, body);
      const kind = opts.classify?.(req) ?? `${req.method} ${req.path}`;
      counters.count(kind);
      const key = opts.concurrencyKey?.(req);
      if (key !== undefined) counters.enter(key);
      let left = false;
      const leave = () => {
        if (key !== undefined && !left) {
          left = true;
          counters.leave(key);
        }
      };
      res.on('close', leave);
      try {
        const fault: Fault | undefined = faults.take(req, kind);
        if (fault?.type === 'hang') return; // the socket stays open until the client or close() ends it
        if (fault?.type === 'status') {
          const body = fault.body ?? opts.faultBody?.(fault.status, req);
          const headers = { ...opts.faultHeaders?.(fault.status, body, req), ...fault.headers };
          send(res, { status: fault.status, headers, body }, false);
          return;
        }
        if (fault?.type === 'delay') await sleep(fault.ms);
        if (closing) return;
        const answer = await opts.handler(req);
        send(res, answer, fault?.type === 'truncate');
      } catch (error) {
        if (!res.headersSent) {
          send(res, { status: 500, body: { error: { code: 'EmulatorError', message: `${opts.name}: ${String(error)}` } } }, false);
        }
      } finally {
        if (res.writableEnded) leave();
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counters,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
