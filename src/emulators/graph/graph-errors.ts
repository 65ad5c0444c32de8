/**
 * Graph's error envelope: `{error:{code,message,innerError:{date,request-id,client-request-id}}}`
 * plus the `request-id` header, as every Graph error carries them.
 */
import type { EmulatorRequest, EmulatorResponse } from '../common/http-emulator.js';

let requestSerial = 0;

/** A deterministic-format request id (GUID-shaped, sequential within the process). */
export function nextRequestId(): string {
  requestSerial += 1;
  const hex = requestSerial.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

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
    headers: { 'request-id': requestId, 'client-request-id': clientRequestId, ...headers },
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
