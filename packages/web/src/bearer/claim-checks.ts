import { type JWTVerifyOptions, errors as joseErrors } from 'jose';
import { InvalidTokenError } from '../web-errors.js';
import type { VerifierConfig } from './access-token-options.js';

/**
 * The registered claims' checks, done by jose's jwtVerify (S168): its options, fixed once the issuers are known,
 * and its refusals in the verifier's words (S47, S49: never echoing the token).
 */

/**
 * jwtVerify's options per accepted algorithm: that algorithm only (S46), the issuers an accepted token may carry
 * (left out where the tenant table alone decides), the audience (S47), exp required with a bounded leeway (S49).
 */
export function jwtVerifyOptions(
  config: VerifierConfig,
  issuer: string | string[] | undefined,
): Map<string, JWTVerifyOptions> {
  const options = new Map<string, JWTVerifyOptions>();
  for (const alg of config.algorithms)
    options.set(alg, {
      algorithms: [alg],
      ...(issuer === undefined ? {} : { issuer }),
      audience: config.audiences,
      clockTolerance: config.tolerance,
      requiredClaims: ['exp'],
    });
  return options;
}

/** What jose's claim checks said, in the verifier's words. */
export function refusalOf(err: unknown): InvalidTokenError {
  if (err instanceof joseErrors.JWTExpired) return new InvalidTokenError('the token has expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return new InvalidTokenError('the token has another issuer');
    if (err.claim === 'aud') return new InvalidTokenError('the token is for another audience');
    if (err.claim === 'exp') return new InvalidTokenError('the token has expired');
    if (err.claim === 'nbf') return new InvalidTokenError('the token is not valid yet');
    return new InvalidTokenError(`the token's ${err.claim} claim is invalid`);
  }
  return new InvalidTokenError('the token payload is not a JSON object');
}
