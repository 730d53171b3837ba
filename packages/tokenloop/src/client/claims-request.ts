import { TokenloopError } from '../errors/errors.js';

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
