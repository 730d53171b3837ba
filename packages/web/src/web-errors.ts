import { TokenloopError, isTransient } from 'tokenloop';

/**
 * S169: the web package's errors, one family rooted in the library's TokenloopError: a program tells them apart by
 * class, or by the library's codes (`err.code`) as it does the library's own errors.
 */

/** A configuration mistake, found when the app or API is set up (or at the first request, for metadata). */
export class WebAuthConfigError extends TokenloopError {
  override name = 'WebAuthConfigError';
  constructor(message: string, options?: { remediation?: string; cause?: unknown }) {
    super('CONFIGURATION', message, options);
  }
}

/** An access token the API does not accept; the message says why, never echoing the token. */
export class InvalidTokenError extends TokenloopError {
  override name = 'InvalidTokenError';
  constructor(message: string) {
    super('TOKEN_VALIDATION', message);
  }
}

/** Thrown by `getAccessToken` when the user must go through the provider again (consent, MFA, expired). */
export class SignInRequiredError extends TokenloopError {
  override name = 'SignInRequiredError';
  constructor(
    message: string,
    /** Where to send the browser: the login route with these scopes and the return target. */
    readonly loginUrl: string,
  ) {
    super('INTERACTION_REQUIRED', message);
  }
}

/**
 * S169: the one place the web package turns an error into an HTTP status. An API (RFC 6750): a token it does not
 * accept is 401, anything else (the issuer's metadata or keys unreachable) 503. The sign-in callback: a failure
 * the library calls transient is 502 (the provider, behind us, failed), anything else 400.
 */
export function httpStatusOf(err: unknown, at: 'api'): 401 | 503;
export function httpStatusOf(err: unknown, at: 'sign-in'): 400 | 502;
export function httpStatusOf(err: unknown, at: 'api' | 'sign-in'): number {
  if (at === 'api') return err instanceof InvalidTokenError ? 401 : 503;
  return isTransient(err) ? 502 : 400;
}
