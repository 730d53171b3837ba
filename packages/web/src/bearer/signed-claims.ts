import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { TokenloopError } from 'tokenloop';
import type { KeySet } from 'tokenloop/validation';
import { InvalidTokenError } from '../web-errors.js';
import type { VerifierConfig } from './access-token-options.js';
import { refusalOf } from './claim-checks.js';
import type { Loaded } from './issuer-metadata.js';
import { tenantVerdict } from './tenant-table.js';
import type { notAnAccessToken } from './token-kind.js';

export type VerifyKey = Awaited<ReturnType<KeySet['candidates']>>[number];

/** Whose token it is, as the access-token markers need to know it (S48). */
export type IssuerKind = Parameters<typeof notAnAccessToken>[2];

/** Made once: a request that passes allocates no kind. */
const ENTRA_V1: IssuerKind = Object.freeze({ kind: 'entra', version: 'v1' });
const ENTRA_V2: IssuerKind = Object.freeze({ kind: 'entra', version: 'v2' });

/**
 * Why the issuer's keys could not be asked for a token of this header: not signed by a key of the issuer (a
 * refusal), else the error itself (the keys could not be fetched). Sync, so that a request awaits the keys once.
 */
export function keyLookupError(err: unknown): unknown {
  return err instanceof TokenloopError && err.code === 'TOKEN_VALIDATION'
    ? new InvalidTokenError('the token was not signed by a key of the issuer')
    : err;
}

/**
 * Signed by one of the issuer's keys for this header, and the registered claims hold (S168: jose's jwtVerify,
 * which parses the payload once); then the tenant table (S60, S61, S64). A claim refusal is told tenant first,
 * then issuer, then jose's own, as for a token whose claims are all read before any is refused.
 */
export async function verifiedClaims(
  config: VerifierConfig,
  state: Loaded,
  token: string,
  alg: string,
  candidates: VerifyKey[],
): Promise<{ claims: JWTPayload; kind: IssuerKind }> {
  const options = state.options.get(alg)!;
  const { entra } = config;
  for (const key of candidates) {
    let claims: JWTPayload;
    try {
      claims = (await jwtVerify(token, key, options)).payload;
    } catch (err) {
      // The signature held but the claims did not: a tenant refusal first, as before any other claim.
      if (err instanceof joseErrors.JWTClaimValidationFailed || err instanceof joseErrors.JWTExpired) {
        const verdict = entra ? tenantVerdict(entra, state, err.payload) : undefined;
        throw verdict instanceof InvalidTokenError ? verdict : refusalOf(err);
      }
      if (err instanceof joseErrors.JWTInvalid)
        throw new InvalidTokenError('the token payload is not a JSON object');
      if (!(err instanceof joseErrors.JOSEError) && !(err instanceof TypeError)) throw err;
      continue;
    }
    if (!entra) return { claims, kind: config.generic };
    const version = tenantVerdict(entra, state, claims);
    if (version instanceof InvalidTokenError) throw version;
    return { claims, kind: version === 'v1' ? ENTRA_V1 : ENTRA_V2 };
  }
  throw new InvalidTokenError('the token signature is invalid');
}
