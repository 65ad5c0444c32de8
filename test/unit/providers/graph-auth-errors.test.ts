/**
 * Microsoft sign-in and consent failures map to `auth` errors naming the setting to fix.
 * Codes from the Microsoft identity platform's AADSTS reference: 7000215 invalid client secret,
 * 700016 application not found in the directory, 90002 tenant not found, 65001 consent not
 * granted; Graph answers 403 `Authorization_RequestDenied` ("Insufficient privileges to complete
 * the operation.") when the application lacks a permission or its admin consent.
 */
import { ServerError } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { graphStatusError } from '../../../src/providers/graph/graph-errors.js';
import { msalError } from '../../../src/providers/graph/graph-tokens.js';

describe('Microsoft sign-in failures', () => {
  it.each([
    ['invalid_client', '7000215 - [2026-01-01 00:00:00Z]: AADSTS7000215: Invalid client secret provided.', 'mail.clientSecret'],
    ['unauthorized_client', "AADSTS700016: Application with identifier 'x' was not found in the directory.", 'mail.clientId'],
    ['invalid_request', "AADSTS90002: Tenant 'x' not found.", 'mail.tenantId'],
  ])('%s (%s) is auth naming %s, not retryable', (code, message, setting) => {
    // As MSAL's ResponseHandler builds it from the token endpoint's answer.
    const e = msalError(new ServerError(code, 'correlation-id', message));
    expect(e).toMatchObject({ code: 'auth', retryable: false, setting });
  });

  it('missing admin consent is auth without a setting', () => {
    expect(msalError(new ServerError('invalid_grant', 'correlation-id', 'AADSTS65001: The user or administrator has not consented.'))).toMatchObject({ code: 'auth', setting: null });
    expect(graphStatusError(403, 'Authorization_RequestDenied', {})).toMatchObject({ code: 'auth', retryable: false });
    expect(graphStatusError(403, 'ErrorAccessDenied', {})).toMatchObject({ code: 'permission' });
  });

  it('a network failure of the token request stays transient', () => {
    expect(msalError(new ServerError('network_error', 'correlation-id', 'Network request failed'))).toMatchObject({ code: 'transient', retryable: true });
  });
});
