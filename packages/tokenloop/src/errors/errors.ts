import type { ErrorClass, ErrorCode, ErrorReason } from './codes.js';

/**
 * The base of every error tokenloop throws on purpose. `code` is stable and discriminates; `message` is one
 * line a person can read (its wording may change: never match it); `remediation` (when known) says what to do
 * about it. `reason` (when set) says what it is about in a word a program can match, and `origin` the server it
 * is about. Messages never contain tokens, secrets or Authorization headers.
 */
export class TokenloopError extends Error {
  override name = 'TokenloopError';
  readonly code: ErrorCode;
  readonly remediation: string | undefined;
  readonly reason: ErrorReason | undefined;
  /** The origin (`https://host:port`) of the server the error is about, with `reason` `tls-*` or `https-required`. */
  readonly origin: string | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; remediation?: string; reason?: ErrorReason; origin?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.remediation = options?.remediation;
    this.reason = options?.reason;
    this.origin = options?.origin;
  }
}

/** Details of an OAuth 2.0 error response (RFC 6749 §5.2), with Entra's extra members when present. */
export interface OAuthErrorDetails {
  error: string;
  error_description?: string | undefined;
  /** HTTP status of the response (0 for errors delivered to a redirect URI). */
  status: number;
  /** Entra: the AADSTS numbers from `error_codes` (or parsed from the description). */
  aadsts?: number[] | undefined;
  suberror?: string | undefined;
  /** Entra: a claims challenge to send back on the next authorization request. */
  claims?: string | undefined;
  trace_id?: string | undefined;
  correlation_id?: string | undefined;
}

/**
 * The provider answered with an OAuth error. `errorClass` says how to handle it (sign in again, consent, MFA,
 * fix the configuration, retry later), `remediation` says it in one line, `reason` (when set) names the case
 * (e.g. `not-tenant-member` for AADSTS50020).
 *
 * @example
 * ```ts
 * import { OAuthError } from 'tokenloop';
 * declare const err: unknown;
 * if (err instanceof OAuthError && err.errorClass === 'consent_required') {
 *   // send the user through interactive sign-in with the missing scopes
 * }
 * ```
 */
export class OAuthError extends TokenloopError {
  override name = 'OAuthError';
  readonly error: string;
  readonly error_description: string | undefined;
  readonly status: number;
  readonly aadsts: number[];
  readonly suberror: string | undefined;
  readonly claims: string | undefined;
  readonly correlationId: string | undefined;
  readonly errorClass: ErrorClass;
  constructor(
    details: OAuthErrorDetails,
    errorClass: ErrorClass,
    remediation: string | undefined,
    reason?: ErrorReason,
  ) {
    const first = details.error_description?.split(/\r?\n/)[0]?.trim();
    super('OAUTH_ERROR', first ? `${details.error}: ${first}` : details.error, {
      ...(remediation === undefined ? {} : { remediation }),
      ...(reason === undefined ? {} : { reason }),
    });
    this.error = details.error;
    this.error_description = details.error_description;
    this.status = details.status;
    this.aadsts = details.aadsts ?? [];
    this.suberror = details.suberror;
    this.claims = details.claims;
    this.correlationId = details.correlation_id;
    this.errorClass = errorClass;
  }
}

/**
 * S206: an Entra authority named tenant A, and the provider's token is for tenant B (its `tid`): the account is
 * not one of A's, so the token is refused (code `TOKEN_VALIDATION`). `tokenTenant` is the account's own tenant,
 * where it can sign in; `authorityTenant` the one the authority names.
 */
export class TenantMismatchError extends TokenloopError {
  override name = 'TenantMismatchError';
  constructor(
    readonly tokenTenant: string,
    readonly authorityTenant: string,
  ) {
    super(
      'TOKEN_VALIDATION',
      `the token is for tenant ${tokenTenant}, not for tenant ${authorityTenant} that the authority names: the account is not a member of ${authorityTenant}`,
      {
        remediation: `Sign the account in at its own tenant (${tokenTenant}) or at organizations, or use an account of tenant ${authorityTenant}.`,
      },
    );
  }
}

/**
 * S186: the provider's error classes only a new sign-in can fix (the grant or the user's account needs the user:
 * interaction, consent, MFA, an expired grant, a blocked user). The one list: silent renewal turns them into
 * INTERACTION_REQUIRED, the CLI exits 4 for them, whichever flow met them.
 */
const SIGN_IN_CLASSES: ReadonlySet<ErrorClass> = new Set<ErrorClass>([
  'interaction_required',
  'consent_required',
  'mfa_required',
  'expired_grant',
  'user_blocked',
]);

/**
 * True when only a new sign-in can help: the grant needs the user (INTERACTION_REQUIRED), no signed-in account
 * matches (ACCOUNT_NOT_FOUND), or the provider said so (an `OAuthError` of a sign-in class, S186). The one
 * "needs sign-in" rule: web sends the user to sign in, the Azure credential says it is unavailable, silent
 * renewal asks for a sign-in, the CLI exits 4.
 */
export function needsSignIn(err: unknown): err is TokenloopError {
  if (err instanceof OAuthError) return SIGN_IN_CLASSES.has(err.errorClass);
  return (
    err instanceof TokenloopError && (err.code === 'INTERACTION_REQUIRED' || err.code === 'ACCOUNT_NOT_FOUND')
  );
}

/** True for failures that say nothing about the grant itself: never delete tokens because of them (C5). */
export function isTransient(err: unknown): boolean {
  if (err instanceof OAuthError) return err.errorClass === 'transient';
  return err instanceof TokenloopError && (err.code === 'NETWORK' || err.code === 'PROVIDER_UNAVAILABLE');
}
