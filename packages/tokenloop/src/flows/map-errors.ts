import * as oauth from 'oauth4webapi';
import { oauthErrorDetailsFromBody, toOAuthError } from '../errors/classify.js';
import { OAuthError, TokenloopError } from '../errors/errors.js';
import { isUnavailableStatus } from '../errors/unavailable-status.js';
import { parseRetryAfter } from '../http/retry.js';

/**
 * Before oauth4webapi reads a non-2xx response: a 429 / 5xx is the provider being unavailable (transient:
 * tokens are kept, C5), not a protocol violation — an OAuth error body is classified, anything else reported
 * as PROVIDER_UNAVAILABLE with the Retry-After hint.
 */
export async function assertNotUnavailable(response: Response): Promise<void> {
  if (response.ok || !isUnavailableStatus(response.status)) return;
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    body = undefined;
  }
  // An OAuth error body on 429 / 5xx (e.g. temporarily_unavailable): classified here, as oauth4webapi only
  // reads error bodies on 4xx.
  let retryAfterMs: number | undefined;
  try {
    retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  } catch {
    retryAfterMs = undefined;
  }
  const when = retryAfterMs === undefined ? 'shortly' : `in ${Math.ceil(retryAfterMs / 1000)} s`;
  const details = oauthErrorDetailsFromBody(body, response.status);
  if (details) {
    const err = toOAuthError(details);
    // The provider said how long to wait: the remediation says it too.
    if (retryAfterMs === undefined || err.errorClass !== 'transient') throw err;
    throw new OAuthError(
      { ...details, aadsts: err.aadsts },
      err.errorClass,
      `The provider asks to wait: try again ${when}.`,
      err.reason,
    );
  }
  throw new TokenloopError('PROVIDER_UNAVAILABLE', `the provider answered HTTP ${response.status}`, {
    remediation: `Try again ${when}.`,
  });
}

const VALIDATION_CODES: ReadonlySet<string> = new Set([
  oauth.JWT_CLAIM_COMPARISON,
  oauth.JWT_TIMESTAMP_CHECK,
  oauth.JSON_ATTRIBUTE_COMPARISON,
  oauth.KEY_SELECTION,
]);

/**
 * The one place where oauth4webapi's errors become tokenloop's: OAuth error responses are classified
 * (AADSTS advice, C5 transient vs. grant errors), claim failures become TOKEN_VALIDATION, malformed responses
 * INVALID_RESPONSE. tokenloop's own errors pass through. Messages never include tokens.
 */
export function mapProtocolError(err: unknown): TokenloopError {
  if (err instanceof TokenloopError) return err;
  if (err instanceof oauth.ResponseBodyError) {
    const details = oauthErrorDetailsFromBody(err.cause, err.status);
    if (details) return toOAuthError(details);
    return new TokenloopError(
      'INVALID_RESPONSE',
      `the provider answered HTTP ${err.status} without a usable error`,
    );
  }
  if (err instanceof oauth.AuthorizationResponseError) {
    const params = Object.fromEntries(err.cause.entries());
    const details = oauthErrorDetailsFromBody(params, 0);
    if (details) return toOAuthError(details);
    return new TokenloopError('CALLBACK', 'the authorization response carried an invalid error');
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    // RFC 6749 §5.2: a 401 to client_secret_basic carries the OAuth error in the challenge (invalid_client).
    for (const challenge of err.cause) {
      const details = oauthErrorDetailsFromBody(challenge.parameters, err.status);
      if (details) return toOAuthError(details);
    }
    return new TokenloopError('OAUTH_ERROR', `the server refused the request (HTTP ${err.status})`, {
      remediation: 'Check the client credentials, or sign in again.',
    });
  }
  if (err instanceof oauth.OperationProcessingError) {
    if (err.code !== undefined && VALIDATION_CODES.has(err.code)) {
      return new TokenloopError(
        'TOKEN_VALIDATION',
        `the provider's response failed validation: ${err.message}`,
      );
    }
    return new TokenloopError('INVALID_RESPONSE', `the provider's response is invalid: ${err.message}`);
  }
  if (err instanceof oauth.UnsupportedOperationError) {
    return new TokenloopError(
      'INVALID_RESPONSE',
      `the provider's response uses something unsupported: ${err.message}`,
    );
  }
  if (err instanceof TypeError) {
    return new TokenloopError('INVALID_ARGUMENT', err.message);
  }
  if (err instanceof Error && err.name === 'AbortError') return new TokenloopError('CANCELLED', 'cancelled');
  return new TokenloopError('INVALID_RESPONSE', err instanceof Error ? err.message : 'unexpected failure');
}
