/**
 * `Retry-After` in milliseconds: delta-seconds (fractional too, as Graph sends `2.128`) or an
 * HTTP date; null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** A throttling message that says how long the service asked to wait, so the failure says what to expect. */
export function withWait(message: string, retryAfterMs: number | null): string {
  return retryAfterMs === null ? message : `${message}: throttled, the service asks to wait ${Math.ceil(retryAfterMs / 1000)} s`;
}
