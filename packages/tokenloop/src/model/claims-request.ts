import { TokenloopError } from '../errors/errors.js';
import type { TokenClientOptions } from './client-options.js';

/** The longest claims request accepted (characters); Entra's challenges are a few hundred. */
export const MAX_CLAIMS_LENGTH = 16_384;

/**
 * S105: the one check of a claims request (OpenID Connect Core §5.5; Entra's claims challenges, CAE), wherever
 * tokenloop accepts one — sign-in (`beginAuthorization`) and token requests (`acquireTokenSilent`,
 * `acquireAppToken`). It must be the JSON object itself (a resource's `WWW-Authenticate` carries it base64url
 * encoded: decode it first), at most MAX_CLAIMS_LENGTH characters. Undefined or '' means none. The text is
 * sent exactly as given; the message never repeats it.
 */
export function checkClaims(claims: unknown): string | undefined {
  if (claims === undefined || claims === '') return undefined;
  const bad = (why: string) =>
    new TokenloopError('INVALID_ARGUMENT', `claims ${why}`, {
      remediation:
        "Pass the claims challenge as its JSON text: the `claims` of a resource's WWW-Authenticate header, base64-decoded (the Azure SDK's pipeline decodes it for you), or OAuthError.claims.",
    });
  if (typeof claims !== 'string') throw bad('must be a string (the JSON text of a claims request)');
  if (claims.length > MAX_CLAIMS_LENGTH) throw bad(`is longer than ${MAX_CLAIMS_LENGTH} characters`);
  let value: unknown;
  try {
    value = JSON.parse(claims);
  } catch {
    throw bad('is not JSON (a base64-encoded challenge must be decoded first)');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('must be a JSON object');
  return claims;
}

/**
 * S144: the `claims` parameter a request sends — the one place client capabilities are declared, as MSAL does:
 * with `clientCapabilities` (e.g. `['cp1']`, continuous access evaluation), `access_token.xms_cc.values` set to
 * them, merged into the request's claims (a resource's challenge, already checked by `checkClaims`); without,
 * the request's claims exactly as given.
 */
export function requestClaims(
  options: Pick<TokenClientOptions, 'clientCapabilities'>,
  claims: string | undefined,
): string | undefined {
  const capabilities = options.clientCapabilities ?? [];
  if (!capabilities.length) return claims;
  const request = (claims ? JSON.parse(claims) : {}) as Record<string, unknown>;
  const current = request.access_token;
  const accessToken =
    typeof current === 'object' && current !== null && !Array.isArray(current)
      ? (current as Record<string, unknown>)
      : {};
  return JSON.stringify({ ...request, access_token: { ...accessToken, xms_cc: { values: capabilities } } });
}
