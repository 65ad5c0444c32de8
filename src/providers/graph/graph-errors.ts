/**
 * Graph SDK failures → SyncError. The SDK throws `GraphError` with the HTTP status (or -1 for
 * network, timeout and unreadable-body failures), the envelope's `code` and the response headers.
 */
import { GraphError } from '@microsoft/microsoft-graph-client';
import { SyncError } from '../../core/sync-error.js';
import { parseRetryAfter, withWait } from '../common/retry-after.js';

function header(headers: unknown, name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  if (headers && typeof headers === 'object') {
    const found = Object.entries(headers as Record<string, string>).find(([k]) => k.toLowerCase() === name);
    return found?.[1] ?? null;
  }
  return null;
}

/** Maps a status, envelope code and headers (also used for `$batch` items). */
export function graphStatusError(status: number, code: string | null, headers: unknown, cause?: unknown): SyncError {
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'));
  const message = `graph ${status}${code ? ` ${code}` : ''}`;
  // A 2xx whose body could not be read (truncated JSON) is as transient as a dropped connection.
  if (status < 300 || code === 'SyntaxError') return new SyncError('transient', message, { status, cause });
  if (status === 401) return new SyncError('auth', message, { status, retryable: false, cause });
  // Graph's answer when the application lacks a permission or admin consent (not one mailbox).
  if (status === 403 && code === 'Authorization_RequestDenied') {
    return new SyncError('auth', `${message}: the application lacks a permission or admin consent`, { status, retryable: false, cause });
  }
  if (status === 403) return new SyncError('permission', message, { status, cause });
  if (status === 404) return new SyncError('not-found', message, { status, cause });
  if (status === 410 || code === 'SyncStateNotFound' || code === 'syncStateNotFound') {
    return new SyncError('invalid-cursor', message, { status, cause });
  }
  if (status === 429) return new SyncError('rate-limited', withWait(message, retryAfterMs), { status, retryAfterMs, cause });
  if (status >= 500) return new SyncError('transient', message, { status, retryAfterMs, cause });
  return new SyncError('bad-input', message, { status, cause });
}

/** Any error thrown around a Graph SDK call. */
export function toProviderError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  if (error instanceof GraphError) return graphStatusError(error.statusCode, error.code, error.headers, error);
  // Timeouts, connection resets and truncated JSON are all worth another try.
  return new SyncError('transient', error instanceof Error ? `${error.name}: ${error.message}` : String(error), { cause: error });
}
