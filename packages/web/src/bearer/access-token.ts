import { InvalidTokenError } from '../web-errors.js';
import { type AccessTokenOptions, type VerifierConfig, verifierConfig } from './access-token-options.js';
import { type IssuerMetadata, issuerMetadata } from './issuer-metadata.js';
import { keyLookupError, verifiedClaims } from './signed-claims.js';
import { type KnownHeaders, encodedHeaderOf, protectedHeader, rememberHeader } from './token-header.js';
import { notAnAccessToken } from './token-kind.js';

export { InvalidTokenError };
export { type AccessTokenOptions, bearerConfigError } from './access-token-options.js';

export interface AccessTokenVerifier {
  /** The verified claims, or InvalidTokenError saying why (never echoing the token). */
  verify(token: string): Promise<Record<string, unknown>>;
}

/** What one verifier holds: its checked options, the issuer's metadata and keys, the verified headers. */
interface Verifier {
  config: VerifierConfig;
  metadata: IssuerMetadata;
  headers: KnownHeaders;
}

/**
 * Verify access tokens issued to your API: signature with keys from the issuer's `jwks_uri` only (never from
 * `jku`, `x5u` or an embedded `jwk`, S46), fetched through the library's one HTTP client (S62, S63); issuer
 * (Entra v1 `https://STS/{tid}/` and v2 `…/{tid}/v2.0`) and tenant (S60, S61, S64), audience (S47), times
 * with a bounded leeway (S49), and the markers of an access token — an ID token is refused (S48). S168: the
 * registered claims are checked by jose's jwtVerify, the metadata found by the library's discovery.
 */
export function createAccessTokenVerifier(o: AccessTokenOptions): AccessTokenVerifier {
  const config = verifierConfig(o);
  const verifier: Verifier = { config, metadata: issuerMetadata(config), headers: new Map() };
  return { verify: (token) => verifyAccessToken(verifier, token) };
}

/**
 * One request: the token's shape and header (algorithm), the issuer's keys for it, the signature and claims
 * (tenant first), then the access-token markers (S48). Awaits the metadata only until it is loaded.
 */
async function verifyAccessToken(v: Verifier, token: string): Promise<Record<string, unknown>> {
  const encoded = encodedHeaderOf(token);
  const header = protectedHeader(v.headers, encoded, token);
  if (typeof header.alg !== 'string' || !v.config.algorithms.includes(header.alg))
    throw new InvalidTokenError('the token uses an algorithm that is not accepted');
  const state = v.metadata.loaded ?? (await v.metadata.load());
  let candidates;
  try {
    candidates = await state.keys.candidates(header);
  } catch (err) {
    throw keyLookupError(err);
  }
  const { claims, kind } = await verifiedClaims(v.config, state, token, header.alg, candidates);
  // S48: only an access token passes, never an ID token addressed to the same client.
  const notAccess = notAnAccessToken(claims, header, kind);
  if (notAccess) throw new InvalidTokenError(notAccess);
  rememberHeader(v.headers, encoded, header);
  return claims;
}
