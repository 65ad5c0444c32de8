/**
 * Google's JSON error envelope: `{error:{code,message,errors:[{domain,reason,message}],status}}`.
 */
import type { EmulatorResponse } from '../common/http-emulator.js';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** A Gmail API error response. */
export function gmailError(
  code: number,
  message: string,
  reason: string,
  domain = 'global',
  headers: Record<string, string> = {},
): EmulatorResponse {
  const extra = code === 401 ? { locationType: 'header', location: 'Authorization' } : {};
  return {
    status: code,
    headers,
    body: { error: { code, message, errors: [{ domain, reason, message, ...extra }], status: STATUS_NAMES[code] ?? 'UNKNOWN' } },
  };
}

/** Envelope for a bare status fault. */
export function gmailFaultBody(status: number): unknown {
  const byStatus: Record<number, [string, string, string]> = {
    401: ['Invalid Credentials', 'authError', 'global'],
    403: ['User Rate Limit Exceeded', 'userRateLimitExceeded', 'usageLimits'],
    404: ['Requested entity was not found.', 'notFound', 'global'],
    429: ['Too many concurrent requests for user', 'rateLimitExceeded', 'usageLimits'],
    500: ['Backend Error', 'backendError', 'global'],
    503: ['The service is currently unavailable.', 'backendError', 'global'],
  };
  const [message, reason, domain] = byStatus[status] ?? ['Unknown error', 'unknown', 'global'];
  return gmailError(status, message, reason, domain).body;
}
