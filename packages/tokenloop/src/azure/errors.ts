import type { ErrorCode } from '../errors/codes.js';
import { OAuthError, TokenloopError } from '../errors/errors.js';

/**
 * The credential cannot be used at all — nobody signed in, the sign-in must be renewed, no profile, another
 * tenant — so that a chain of credentials (the Azure SDK's ChainedTokenCredential, DefaultAzureCredential)
 * moves on to the next one, as it does on this name (S107). `cause` is the tokenloop error.
 */
export class CredentialUnavailableError extends Error {
  override name = 'CredentialUnavailableError';
}

/** The provider's error, in the Azure SDK's `ErrorResponse` shape. */
export interface AzureErrorResponse {
  error: string;
  errorDescription: string;
  errorCodes?: number[] | undefined;
  correlationId?: string | undefined;
}

/**
 * Getting the token failed although the credential is usable: the provider refused or failed, the network,
 * an invalid answer (S107). As the Azure SDK's AuthenticationError: `statusCode` (the provider's HTTP status,
 * 0 when there is none to report) and `errorResponse`. `cause` is the tokenloop error.
 */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
  readonly statusCode: number;
  readonly errorResponse: AzureErrorResponse;
  constructor(
    statusCode: number,
    errorResponse: AzureErrorResponse,
    options?: { cause?: unknown; message?: string },
  ) {
    super(
      options?.message ?? `${errorResponse.error}: ${errorResponse.errorDescription}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.statusCode = statusCode;
    this.errorResponse = errorResponse;
  }
}

type AzureKind = 'unavailable' | 'authentication' | 'abort' | 'caller';

/**
 * S107: which Azure error each tokenloop error code becomes — the one table (a new code does not compile until
 * it is placed). `caller`: a mistake of the calling program (bad scopes, bad claims) stays a TokenloopError.
 */
export const AZURE_ERROR_KINDS: Readonly<Record<ErrorCode, AzureKind>> = {
  INVALID_ARGUMENT: 'caller',
  CONFIGURATION: 'unavailable',
  NETWORK: 'authentication',
  PROVIDER_UNAVAILABLE: 'authentication',
  INVALID_RESPONSE: 'authentication',
  OAUTH_ERROR: 'authentication',
  TOKEN_VALIDATION: 'authentication',
  CALLBACK: 'authentication',
  INTERACTION_REQUIRED: 'unavailable',
  CANCELLED: 'abort',
  TIMEOUT: 'authentication',
  CACHE: 'unavailable',
  UNSAFE_FILE: 'unavailable',
  ACCOUNT_NOT_FOUND: 'unavailable',
};

/** What a person should do when the credential is unavailable for want of a sign-in, when the caller knows. */
export interface SignInHint {
  /** e.g. 'run `tokenloop login`'. */
  remediation: string;
}

function withRemediation(message: string, remediation: string | undefined): string {
  return remediation ? `${message} — ${remediation}` : message;
}

/** The error a cancelled `getToken` rejects with: named `AbortError`, as the Azure SDK expects (S108). */
export function abortError(): Error {
  return new DOMException('getToken was cancelled', 'AbortError');
}

/**
 * S107: the one mapping from what tokenloop throws to what the Azure SDK expects. Messages are the library's
 * (never a token or a secret) with its remediation, prefixed `tokenloop: `; a sign-in hint replaces the
 * remediation of the codes that mean "sign in" (nobody signed in, sign-in to renew).
 */
export function toAzureError(err: unknown, signIn?: SignInHint): unknown {
  if (err instanceof CredentialUnavailableError || err instanceof AuthenticationError) return err;
  if ((err as { name?: unknown } | null)?.name === 'AbortError') return err;
  if (!(err instanceof TokenloopError)) return err; // a bug, not an outcome: as it is
  const kind = AZURE_ERROR_KINDS[err.code];
  const signInCode = err.code === 'ACCOUNT_NOT_FOUND' || err.code === 'INTERACTION_REQUIRED';
  const remediation = signInCode && signIn ? signIn.remediation : err.remediation;
  const message = `tokenloop: ${withRemediation(err.message, remediation)}`;
  switch (kind) {
    case 'caller':
      return err;
    case 'abort':
      return abortError();
    case 'unavailable':
      return new CredentialUnavailableError(message, { cause: err });
    case 'authentication': {
      const oauth = err instanceof OAuthError ? err : undefined;
      return new AuthenticationError(
        oauth?.status ?? 0,
        {
          error: oauth?.error ?? err.code.toLowerCase(),
          errorDescription: withRemediation(oauth?.error_description ?? err.message, err.remediation),
          ...(oauth?.aadsts.length ? { errorCodes: oauth.aadsts } : {}),
          ...(oauth?.correlationId ? { correlationId: oauth.correlationId } : {}),
        },
        { cause: err, message },
      );
    }
  }
}
