/**
 * Google's JSON error envelope: `{error:{code,message,errors:[{domain,reason,message}],status}}`.
 */
import type { Fault } from '../common/faults.js';
import type { EmulatorResponse } from '../common/http-emulator.js';

/**
 * The challenge Google APIs send with a 401 (RFC 6750 §3; observed on googleapis.com hosts:
 * `Bearer realm="https://accounts.google.com/", error="invalid_token"`).
 */
export const GOOGLE_WWW_AUTHENTICATE = 'Bearer realm="https://accounts.google.com/", error="invalid_token"';

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
    headers: code === 401 ? { 'WWW-Authenticate': GOOGLE_WWW_AUTHENTICATE, ...headers } : headers,
    body: { error: { code, message, errors: [{ domain, reason, message, ...extra }], status: STATUS_NAMES[code] ?? 'UNKNOWN' } },
  };
}

/**
 * How the live API says a user's quota is spent. Google documents the legacy 403
 * `userRateLimitExceeded`; clients written against live answers (2024–2026) meet the others
 * (API_NOTES §12.2: twentyhq/twenty#17850, google-api-ruby-client#20544, inbox-zero#379/#480,
 * gmail-cleaner#5). None carries a `Retry-After` header: the time, when any, is in the message.
 */
export const QUOTA_ERROR_MODES = ['legacy-403', 'retry-after-403', 'retry-after-429', 'per-minute-403', 'exhausted-429'] as const;
export type QuotaErrorMode = (typeof QUOTA_ERROR_MODES)[number];

/** The quota answer of one mode; `retryAt` is when the user's window frees up again. */
export function gmailQuotaError(mode: QuotaErrorMode, retryAt: Date): EmulatorResponse {
  const envelope = (code: number, message: string, itemMessage: string, domain: string) => ({
    status: code,
    headers: {},
    body: { error: { code, message, errors: [{ message: itemMessage, domain, reason: 'rateLimitExceeded' }], status: STATUS_NAMES[code] } },
  });
  switch (mode) {
    case 'legacy-403':
      return gmailError(403, 'User Rate Limit Exceeded', 'userRateLimitExceeded', 'usageLimits');
    case 'retry-after-403':
    case 'retry-after-429': {
      // Two spaces before "Retry", as the live text has them.
      const message = `User-rate limit exceeded.  Retry after ${retryAt.toISOString()}`;
      return envelope(mode === 'retry-after-403' ? 403 : 429, message, 'User-rate limit exceeded.', 'usageLimits');
    }
    case 'per-minute-403': {
      const message =
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'gmail.googleapis.com' for consumer 'project_number:100000000001'.";
      return envelope(403, message, message, 'usageLimits');
    }
    case 'exhausted-429':
      return envelope(429, 'Resource has been exhausted (e.g. check quota).', 'Resource has been exhausted (e.g. check quota).', 'global');
  }
}

/** A quota answer to inject as a fault. */
export function gmailQuotaFault(mode: QuotaErrorMode, retryAt: Date): Fault {
  const answer = gmailQuotaError(mode, retryAt);
  return { type: 'status', status: answer.status, body: answer.body };
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
