/**
 * The one error type providers and CRM adapters throw: a code the sync acts on, whether a retry
 * can help, and how long to wait first. Each adapter maps its SDK's errors to it in its own
 * `*-errors.ts`.
 */
export type SyncErrorCode = 'auth' | 'rate-limited' | 'transient' | 'invalid-cursor' | 'permission' | 'not-found' | 'bad-input';

export class SyncError extends Error {
  readonly code: SyncErrorCode;
  readonly retryable: boolean;
  /** Suggested wait before retrying, when the service said (or the code implies) one. */
  readonly retryAfterMs: number | null;
  /** HTTP status behind the error, when there was one. */
  readonly status: number | null;
  /**
   * The tenant setting to check, relative to the tenant (`mail.clientSecret`), when the service
   * refused a credential the configuration supplies; null when no setting can fix it.
   */
  readonly setting: string | null;

  constructor(
    code: SyncErrorCode,
    message: string,
    opts: { retryable?: boolean; retryAfterMs?: number | null; status?: number | null; setting?: string | null; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SyncError';
    this.code = code;
    this.retryable = opts.retryable ?? (code === 'rate-limited' || code === 'transient');
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.status = opts.status ?? null;
    this.setting = opts.setting ?? null;
  }
}

/** Whether `error` is a SyncError (of one of `codes`, when given). */
export function isSyncError(error: unknown, ...codes: SyncErrorCode[]): error is SyncError {
  return error instanceof SyncError && (codes.length === 0 || codes.includes(error.code));
}
