/**
 * Provider errors and `Retry-After` parsing.
 */
import { SyncError, type SyncErrorCode } from '../../core/sync-error.js';

// Providers throw the core's SyncError, so the sync can branch on its code (e.g. an expired
// cursor); the alias keeps provider code reading in its own terms.
export type ProviderErrorCode = SyncErrorCode;
export const ProviderError = SyncError;
export type ProviderError = SyncError;

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
