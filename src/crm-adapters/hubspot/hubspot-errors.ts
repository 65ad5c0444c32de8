/**
 * @hubspot/api-client errors → SyncError. The SDK throws `ApiException` with `code` (the HTTP
 * status), `body` (the error envelope, deserialised: `message` and `category` survive,
 * `policyName` does not) and `headers`. So the kind of 429 is read from the message:
 * "…daily limit." waits for the daily reset, "…secondly limit." (search) a second, anything
 * else (ten-secondly) the interval the headers give.
 */
import { SyncError } from '../../core/sync-error.js';

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

interface ApiExceptionLike {
  code?: unknown;
  body?: { message?: unknown; category?: unknown } | unknown;
  headers?: Record<string, string | undefined>;
  message?: unknown;
  name?: unknown;
}

/** Ms until the next midnight UTC, when HubSpot's daily allowance resets (account time zone ❓). */
export function msUntilDailyReset(now = Date.now()): number {
  const day = 86_400_000;
  return Math.floor(now / day) * day + day - now;
}

/**
 * Maps anything an SDK call threw. `dailyPauseMs` overrides the wait after a DAILY 429 (tests
 * shrink the daily window).
 */
export function toSyncError(error: unknown, dailyPauseMs?: number): SyncError {
  if (error instanceof SyncError) return error;
  const e = (error ?? {}) as ApiExceptionLike;
  const status = typeof e.code === 'number' ? e.code : null;
  const body = (typeof e.body === 'object' && e.body !== null ? e.body : {}) as { message?: unknown; category?: unknown };
  const message = typeof body.message === 'string' ? body.message : typeof e.message === 'string' ? e.message.split('\n')[0]! : String(error);
  const opts = { cause: error, status };
  if (status !== null) {
    if (status === 429) {
      if (/daily limit/i.test(message)) return new SyncError('rate-limited', `hubspot: ${message}`, { ...opts, retryAfterMs: dailyPauseMs ?? msUntilDailyReset() });
      if (/secondly limit/i.test(message) && !/ten_secondly/i.test(message)) return new SyncError('rate-limited', `hubspot: ${message}`, { ...opts, retryAfterMs: 1000 });
      const interval = Number(e.headers?.['x-hubspot-ratelimit-interval-milliseconds'] ?? 10_000);
      return new SyncError('rate-limited', `hubspot: ${message}`, { ...opts, retryAfterMs: Number.isFinite(interval) ? interval : 10_000 });
    }
    // The private app token is wrong, expired or revoked: no retry helps, the setting does.
    if (status === 401) return new SyncError('auth', `hubspot: ${message}`, { ...opts, retryable: false, setting: 'crm.accessToken' });
    if (status === 403) return new SyncError('permission', `hubspot: ${message}`, opts);
    if (status === 404) return new SyncError('not-found', `hubspot: ${message}`, opts);
    if (status >= 500) return new SyncError('transient', `hubspot: HTTP ${status}: ${message}`, { ...opts, retryAfterMs: 500 });
    if (status === 400 && /10,?000|paging beyond/i.test(message)) return new SyncError('invalid-cursor', `hubspot: ${message}`, opts);
    if (status >= 400) return new SyncError('bad-input', `hubspot: HTTP ${status}: ${message}`, opts);
  }
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return new SyncError('transient', `hubspot: ${e.code}`, { ...opts, retryAfterMs: 500 });
  // A cut-off or non-JSON body surfaces as a SyntaxError from the SDK's parser.
  if (error instanceof SyntaxError || e.name === 'ZodError' || e.name === 'FetchError' || /socket|terminated|Unexpected end/i.test(message)) {
    return new SyncError('transient', `hubspot: unreadable response: ${message.slice(0, 200)}`, { ...opts, retryAfterMs: 500 });
  }
  return new SyncError('transient', `hubspot: ${message.slice(0, 300)}`, { ...opts, retryAfterMs: 1000 });
}

/**
 * The message of a whole-batch refusal for a unique value already taken, or null. Live HubSpot
 * answers 409 (`CONFLICT` / `OBJECT_ALREADY_EXISTS`) or, for custom unique properties, 400
 * "… already has that value" instead of a per-input 207 item; either way nothing says which
 * inputs collided, so the writer reads the keys back.
 */
export function uniqueValueConflict(error: unknown): string | null {
  const mapped = toSyncError(error);
  const source = (mapped.cause ?? error) as ApiExceptionLike;
  const body = (typeof source.body === 'object' && source.body !== null ? source.body : {}) as { message?: unknown; category?: unknown };
  const message = typeof body.message === 'string' ? body.message : mapped.message;
  if (mapped.status === 409) return message;
  if (mapped.status === 400 && /already (has that value|exists)/i.test(message)) return message;
  return null;
}
