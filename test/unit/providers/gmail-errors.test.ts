/**
 * Google's quota answers → SyncError: the time a "Retry after" message states becomes the wait
 * (API_NOTES §12.2; twentyhq/twenty#17850, googleapis/google-api-ruby-client#20544), and a
 * scope 403 stays a permission error.
 */
import { describe, expect, it } from 'vitest';
import { googleStatusError, retryAfterFromMessage } from '../../../src/providers/gmail/gmail-errors.js';

const NOW = Date.parse('2026-09-11T19:45:00.000Z');
const body = (code: number, message: string, reason: string) => ({ error: { code, message, errors: [{ message, domain: 'usageLimits', reason }] } });

describe('googleStatusError', () => {
  it('reads the time of "Retry after" on 403 and 429 as the wait', () => {
    for (const status of [403, 429]) {
      const e = googleStatusError(status, body(status, 'User-rate limit exceeded.  Retry after 2026-09-11T20:00:00.000Z', 'rateLimitExceeded'), {}, undefined, NOW);
      expect(e.code).toBe('rate-limited');
      expect(e.retryAfterMs).toBe(15 * 60_000);
    }
  });

  it('a time already past means no wait; no time means backoff (null)', () => {
    expect(retryAfterFromMessage('User-rate limit exceeded.  Retry after 2026-09-11T19:00:00Z', NOW)).toBe(0);
    expect(googleStatusError(429, body(429, 'Resource has been exhausted (e.g. check quota).', 'rateLimitExceeded'), {}, undefined, NOW).retryAfterMs).toBeNull();
  });

  it('a header wins over the message; a scope 403 is a permission error', () => {
    const e = googleStatusError(429, body(429, 'User-rate limit exceeded.  Retry after 2026-09-11T20:00:00Z', 'rateLimitExceeded'), { 'Retry-After': '3' }, undefined, NOW);
    expect(e.retryAfterMs).toBe(3000);
    expect(googleStatusError(403, body(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions'), {}).code).toBe('permission');
  });

  it("Calendar's 410 fullSyncRequired is an invalid cursor (restart from the window), not bad input", () => {
    // Body from the Calendar errors guide (API_NOTES §9.1).
    const gone = { error: { errors: [{ domain: 'calendar', reason: 'fullSyncRequired', message: 'Sync token is no longer valid, a full sync is required.' }], code: 410 } };
    expect(googleStatusError(410, gone, {}).code).toBe('invalid-cursor');
  });
});
