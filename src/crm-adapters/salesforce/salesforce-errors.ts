/**
 * jsforce errors → SyncError. jsforce turns the first element of Salesforce's error array into
 * an `HttpApiError` whose `errorCode` is the array's `errorCode` (or `ERROR_HTTP_<status>` when
 * the body was not an error array), and network failures into Node errors with a `code`.
 *
 * Example: a 403 `[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]`
 * → `SyncError('rate-limited', retryable, retryAfterMs = the daily pause)`.
 */
import { SyncError } from '../../core/sync-error.js';

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/** Whether the error is Salesforce saying the (daily or concurrent) request allocation is spent. */
export function isRequestLimitExceeded(error: unknown): boolean {
  return (error as { errorCode?: unknown })?.errorCode === 'REQUEST_LIMIT_EXCEEDED';
}

/** Whether a queryMore failed because its locator expired (the error or the one it wraps). */
export function isExpiredQueryLocator(error: unknown): boolean {
  const code = (e: unknown) => (e as { errorCode?: unknown })?.errorCode;
  return code(error) === 'INVALID_QUERY_LOCATOR' || code((error as { cause?: unknown })?.cause) === 'INVALID_QUERY_LOCATOR';
}

/**
 * Maps anything a jsforce call threw. `dailyPauseMs` is the wait suggested when the daily
 * allocation is spent (Salesforce sends no reset time: its window is rolling);
 * `concurrentPauseMs` the first backoff step when too many long-running requests run at once.
 */
export function toSyncError(error: unknown, dailyPauseMs = 15 * 60_000, concurrentPauseMs = 5_000): SyncError {
  if (error instanceof SyncError) return error;
  const e = error as { errorCode?: unknown; code?: unknown; message?: unknown; name?: unknown };
  const code = typeof e?.errorCode === 'string' ? e.errorCode : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const opts = { cause: error };
  // The token endpoint's OAuth answer (jsforce keeps `error` as the error's name): a wrong
  // consumer key or secret is `invalid_client` / `invalid_client_id`, a refused JWT or user
  // `invalid_grant`; the SOAP login answers INVALID_LOGIN.
  const oauth = typeof e?.name === 'string' ? e.name : '';
  if (oauth === 'invalid_client' || oauth === 'invalid_client_id' || code === 'INVALID_LOGIN' || oauth === 'invalid_grant') {
    const setting = oauth === 'invalid_client_id' ? 'crm.clientId' : oauth === 'invalid_grant' ? 'crm.privateKeyFile' : 'crm.clientSecret';
    return new SyncError('auth', `salesforce: login refused (${oauth || code}: ${message})`, { ...opts, retryable: false, setting });
  }
  switch (code) {
    case 'REQUEST_LIMIT_EXCEEDED':
      // Too many long-running requests at once: transient, unlike the spent daily allocation.
      if (/ConcurrentRequests/i.test(message)) return new SyncError('transient', `salesforce: ${message}`, { ...opts, retryAfterMs: concurrentPauseMs });
      return new SyncError('rate-limited', `salesforce: ${message}`, { ...opts, retryAfterMs: dailyPauseMs });
    case 'INVALID_SESSION_ID':
    case 'INVALID_AUTH_HEADER':
      return new SyncError('auth', `salesforce: ${message}`, opts);
    case 'INSUFFICIENT_ACCESS':
    case 'INSUFFICIENT_ACCESS_OR_READONLY':
    case 'API_DISABLED_FOR_ORG':
    case 'API_CURRENTLY_DISABLED':
      return new SyncError('permission', `salesforce: ${message}`, opts);
    case 'NOT_FOUND':
    case 'ENTITY_IS_DELETED':
      return new SyncError('not-found', `salesforce: ${message}`, opts);
    case 'INVALID_QUERY_LOCATOR':
    case 'INVALID_REPLICATION_DATE':
      return new SyncError('invalid-cursor', `salesforce: ${message}`, opts);
    case 'MALFORMED_QUERY':
    case 'INVALID_FIELD':
    case 'INVALID_TYPE':
    case 'JSON_PARSER_ERROR':
    case 'STRING_TOO_LONG':
    case 'EXCEEDED_ID_LIMIT':
      return new SyncError('bad-input', `salesforce: ${message}`, opts);
    case 'SERVER_UNAVAILABLE':
    case 'UNABLE_TO_LOCK_ROW':
    case 'QUERY_TIMEOUT':
      return new SyncError('transient', `salesforce: ${message}`, { ...opts, retryAfterMs: 1000 });
  }
  const status = /^ERROR_HTTP_(\d{3})$/.exec(code)?.[1];
  if (status) {
    const n = Number(status);
    if (n === 401) return new SyncError('auth', `salesforce: HTTP ${n}`, opts);
    if (n === 403) return new SyncError('permission', `salesforce: HTTP ${n}`, opts);
    if (n === 404) return new SyncError('not-found', `salesforce: HTTP ${n}`, opts);
    if (n === 429 || n === 420) return new SyncError('rate-limited', `salesforce: HTTP ${n}`, { ...opts, retryAfterMs: 1000 });
    if (n >= 500) return new SyncError('transient', `salesforce: HTTP ${n}`, { ...opts, retryAfterMs: 1000 });
    return new SyncError('bad-input', `salesforce: HTTP ${n}: ${message}`, opts);
  }
  if (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) return new SyncError('transient', `salesforce: ${e.code}`, { ...opts, retryAfterMs: 500 });
  // A body that is not the JSON Salesforce always sends (cut off mid-way, an HTML proxy page).
  if (e?.name === 'ZodError' || /fetch failed|socket|terminated|Unexpected end/i.test(message)) {
    return new SyncError('transient', `salesforce: unreadable response: ${message.slice(0, 200)}`, { ...opts, retryAfterMs: 500 });
  }
  return new SyncError('transient', `salesforce: ${message.slice(0, 300)}`, { ...opts, retryAfterMs: 1000 });
}
