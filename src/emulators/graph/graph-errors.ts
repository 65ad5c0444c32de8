/**
 * Graph's error envelope: `{error:{code,message,innerError:{date,request-id,client-request-id}}}`
 * plus the `request-id` header, as every Graph error carries them.
 */
import type { Fault } from '../common/faults.js';
import type { EmulatorRequest, EmulatorResponse } from '../common/http-emulator.js';

let requestSerial = 0;

/** A deterministic-format request id (GUID-shaped, sequential within the process). */
export function nextRequestId(): string {
  requestSerial += 1;
  const hex = requestSerial.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/**
 * The challenge Graph sends with every 401 (Microsoft identity platform docs, "Microsoft Graph
 * returns HTTP 401 … WWW-Authenticate header specifies the authorization URI").
 */
export const GRAPH_WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

/** The code of the mailbox-concurrency throttle: the one 429 that carries no `Retry-After`. */
export const CONCURRENCY_THROTTLE_CODE = 'ApplicationThrottled';

/** A Graph error response with the exact envelope. */
export function graphError(
  status: number,
  code: string,
  message: string,
  req?: EmulatorRequest,
  headers: Record<string, string> = {},
): EmulatorResponse {
  const requestId = nextRequestId();
  const clientRequestId = String(req?.headers['client-request-id'] ?? requestId);
  return {
    status,
    headers: {
      'request-id': requestId,
      'client-request-id': clientRequestId,
      ...(status === 401 ? { 'WWW-Authenticate': GRAPH_WWW_AUTHENTICATE } : {}),
      ...headers,
    },
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': clientRequestId },
      },
    },
  };
}

/** The envelope a bare status fault gets when the test gave no body. */
export function graphFaultBody(status: number): unknown {
  const byStatus: Record<number, [string, string]> = {
    401: ['InvalidAuthenticationToken', 'Access token has expired or is not yet valid.'],
    403: ['ErrorAccessDenied', 'Access is denied. Check credentials and try again.'],
    404: ['ErrorItemNotFound', 'The specified object was not found in the store.'],
    410: ['SyncStateNotFound', 'The sync state generation is not found.'],
    429: ['TooManyRequests', 'Please retry again later.'],
    500: ['InternalServerError', 'An internal server error occurred.'],
    503: ['ServiceUnavailable', 'Service Unavailable'],
    504: ['GatewayTimeout', 'Gateway Timeout'],
  };
  const [code, message] = byStatus[status] ?? ['UnknownError', ''];
  return graphError(status, code, message).body;
}

/**
 * Headers a bare status fault gets, as the real answer would carry them: the request ids, the
 * 401 challenge, and on a 429 a whole-second `Retry-After`, except on the concurrency throttle,
 * which Graph answers without one (API_NOTES §1.9, §12.3).
 */
export function graphFaultHeaders(status: number, body: unknown, req?: EmulatorRequest): Record<string, string> {
  const requestId = nextRequestId();
  const headers: Record<string, string> = {
    'request-id': requestId,
    'client-request-id': String(req?.headers['client-request-id'] ?? requestId),
  };
  if (status === 401) headers['WWW-Authenticate'] = GRAPH_WWW_AUTHENTICATE;
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  if (status === 429 && code !== CONCURRENCY_THROTTLE_CODE) headers['Retry-After'] = '1';
  return headers;
}

/** A throttling fault to inject: the rate limit (`Retry-After` in whole seconds) or the concurrency gate (none). */
export function graphThrottleFault(kind: 'rate' | 'concurrency', retryAfterSec = 1): Fault {
  if (kind === 'concurrency') {
    return { type: 'status', status: 429, body: graphError(429, CONCURRENCY_THROTTLE_CODE, 'Application is over its MailboxConcurrency limit.').body };
  }
  return { type: 'status', status: 429, headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSec))) } };
}
