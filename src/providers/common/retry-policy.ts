/**
 * Retrying one API call: `Retry-After` when the service gives one (never sooner; a wait longer
 * than `maxDelayMs` ends the call instead), else exponential backoff with full jitter; only
 * errors the mapper marked retryable are retried.
 */
import { SyncError } from '../../core/sync-error.js';

export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Source of randomness for jitter (injectable for tests). */
  random?: () => number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 60_000 };

/**
 * Whether the service asked for a longer wait than a call may spend waiting. Retrying sooner
 * than asked is throttled again (and still counted), so such a call gives up at once and the
 * error, with its `retryAfterMs`, tells the caller when the mailbox may go on.
 */
export function waitsTooLong(error: SyncError, opts: RetryOptions): boolean {
  return error.retryAfterMs !== null && error.retryAfterMs > opts.maxDelayMs;
}

/** Delay before retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, error: SyncError, opts: RetryOptions): number {
  if (error.retryAfterMs !== null) return error.retryAfterMs;
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
  const random = opts.random ?? Math.random;
  // Half fixed, half random: spreads retries out without ever retrying instantly.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `attempt` until it succeeds, fails with a non-retryable error, or attempts run out.
 * `onRetry` sees each retryable failure first (to pause the mailbox on a `Retry-After`).
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  toError: (error: unknown) => SyncError,
  opts: RetryOptions,
  onRetry?: (error: SyncError, delayMs: number) => void,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (raw) {
      const error = toError(raw);
      if (!error.retryable || n >= opts.maxAttempts || waitsTooLong(error, opts)) throw error;
      const delay = backoffDelay(n, error, opts);
      onRetry?.(error, delay);
      await sleep(delay);
    }
  }
}
