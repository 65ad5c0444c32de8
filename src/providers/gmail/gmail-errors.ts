/**
 * gaxios / Google failures → SyncError. Google's envelope names the reason
 * (`error.errors[].reason`): rate reasons on 403 are throttling, not a permission problem.
 */
import { SyncError } from '../../core/sync-error.js';
import { parseRetryAfter, withWait } from '../common/retry-after.js';

const RATE_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'dailyLimitExceeded', 'quotaExceeded']);

function headerOf(headers: unknown, name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  if (headers && typeof headers === 'object') {
    const hit = Object.entries(headers as Record<string, string>).find(([k]) => k.toLowerCase() === name);
    return hit ? String(hit[1]) : null;
  }
  return null;
}

/**
 * Google's token endpoint refusing a credential the configuration supplies: the OAuth client
 * (`invalid_client`: "The OAuth client was not found." or a wrong secret), the service account
 * key (`invalid_grant` "Invalid JWT Signature."), or domain-wide delegation not authorised for
 * the service account (`unauthorized_client`), which is granted in the Admin console.
 */
function credentialRefused(reason: string | null, description: string): { setting: string | null; what: string } | null {
  if (reason === 'invalid_client') return { setting: 'mail.oauthClient.clientSecret', what: 'the OAuth client id or secret was refused' };
  if (reason === 'invalid_grant' && /JWT|signature|issuer|audience/i.test(description)) {
    return { setting: 'mail.serviceAccountFile', what: 'the service account key was refused' };
  }
  if (reason === 'unauthorized_client') return { setting: null, what: 'domain-wide delegation is not authorised for the service account (Admin console)' };
  return null;
}

/**
 * The wait a quota message states: "User-rate limit exceeded.  Retry after 2026-09-11T20:00:00.000Z"
 * (403 or 429, no `Retry-After` header; API_NOTES §12.2). Null when the message names no time.
 */
export function retryAfterFromMessage(message: unknown, now: number = Date.now()): number | null {
  if (typeof message !== 'string') return null;
  const match = /retry after\s+(\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2}))/i.exec(message);
  if (!match) return null;
  const at = Date.parse(match[1]!);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Maps a status, Google error body and headers (also used for batch parts). */
export function googleStatusError(status: number, body: unknown, headers: unknown, cause?: unknown, now: number = Date.now()): SyncError {
  const error = (body as { error?: unknown } | null)?.error;
  const reason =
    typeof error === 'string' ? error : ((error as { errors?: { reason?: string }[] } | undefined)?.errors?.[0]?.reason ?? null);
  const stated = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : null;
  const retryAfterMs = parseRetryAfter(headerOf(headers, 'retry-after'), now) ?? retryAfterFromMessage(stated, now);
  const message = `google ${status}${reason ? ` ${reason}` : ''}`;
  if (status === 401 || reason === 'invalid_grant' || reason === 'unauthorized_client' || reason === 'invalid_client') {
    const description = String((body as { error_description?: unknown } | null)?.error_description ?? '');
    const credential = credentialRefused(reason, description);
    return new SyncError('auth', credential ? `${message}: ${credential.what}` : message, { status, retryable: false, setting: credential?.setting ?? null, cause });
  }
  if (status === 429 || (status === 403 && reason && RATE_REASONS.has(reason))) {
    return new SyncError('rate-limited', withWait(message, retryAfterMs), { status, retryAfterMs, cause });
  }
  // Calendar: a sync token the service no longer accepts (`fullSyncRequired`, `updatedMinTooLongAgo`).
  if (status === 410) return new SyncError('invalid-cursor', message, { status, cause });
  if (status === 403) return new SyncError('permission', message, { status, cause });
  if (status === 404) return new SyncError('not-found', message, { status, cause });
  if (status >= 500 || status < 200) return new SyncError('transient', message, { status, retryAfterMs, cause });
  return new SyncError('bad-input', message, { status, cause });
}

/** Any error thrown around a Gmail call. */
export function toProviderError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  const e = error as { status?: number; response?: { status?: number; data?: unknown; headers?: unknown } };
  const status = e.response?.status ?? e.status;
  if (typeof status === 'number') {
    let body = e.response?.data ?? null;
    // Calls made with responseType 'text' (batches) carry the envelope unparsed.
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        body = null;
      }
    }
    return googleStatusError(status, body, e.response?.headers, error);
  }
  // Timeouts, resets, truncated bodies (zod rejects them at the edge): try again.
  return new SyncError('transient', error instanceof Error ? `${error.name}: ${error.message}` : String(error), { cause: error });
}
