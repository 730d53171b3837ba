import { createHash } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, errors as joseErrors } from 'jose';
import { clockToleranceSeconds } from './clock-tolerance.js';
import { TokenloopError } from '../errors/errors.js';
import { ASYMMETRIC_ALGORITHMS, type KeySet } from './key-set.js';

/** What an ID token is checked against (OpenID Connect Core §3.1.3.7, checklist S25–S36). */
export interface IdTokenExpectations {
  keys: KeySet;
  /** The issuer this token must carry, given its claims (Entra `{tenantid}` rule, S18); may throw. */
  expectedIssuer: (claims: Record<string, unknown>) => string;
  clientId: string;
  /** Algorithms allowed (default RS256 only); symmetric and `none` are always refused (S29). */
  algorithms?: readonly string[] | undefined;
  /** The nonce sent in the authorization request (S31). */
  nonce?: string | undefined;
  /** The `max_age` sent in the authorization request (S32). */
  maxAge?: number | undefined;
  /** Leeway for time claims in seconds (default 60, at most 300) (S30). */
  clockToleranceSeconds?: number | undefined;
  /** Hybrid / implicit responses: the access token (at_hash) and the code (c_hash) to bind (S34). */
  accessToken?: string | undefined;
  code?: string | undefined;
  /** Refreshed tokens: the claims of the account's earlier ID token; iss, sub, aud (and tid, oid) must match (S36). */
  previous?:
    | {
        iss: string;
        sub: string;
        aud?: string | string[] | undefined;
        tid?: string | undefined;
        oid?: string | undefined;
      }
    | undefined;
  now?: number;
  signal?: AbortSignal | undefined;
}

const fail = (message: string) => new TokenloopError('TOKEN_VALIDATION', `ID token rejected: ${message}`);

/** The left half of the hash that goes with a JWS algorithm, base64url (OIDC Core §3.2.2.9 / §3.3.2.11). */
function halfHash(alg: string, value: string): string {
  const bits = /(\d{3})$/.exec(alg)?.[1] ?? '256';
  const name = alg === 'EdDSA' || alg === 'Ed25519' ? 'sha512' : `sha${bits}`;
  const digest = createHash(name).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

const audiences = (aud: unknown): string[] | undefined =>
  typeof aud === 'string'
    ? [aud]
    : Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string')
      ? aud
      : undefined;

/**
 * Verify an ID token's signature with the provider's keys and check its claims. Returns the claims, or
 * throws `TOKEN_VALIDATION` naming the failed check. Nothing is fetched except the provider's JWKS.
 */
export async function validateIdToken(
  idToken: string,
  x: IdTokenExpectations,
): Promise<Record<string, unknown>> {
  // S215: the expectations first — an out-of-range leeway is a configuration error, never clamped.
  const tolerance = clockToleranceSeconds(x.clockToleranceSeconds);
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(idToken);
  } catch {
    throw fail('not a JWS');
  }
  if (idToken.split('.').length !== 3) throw fail('not a compact JWS');
  const alg = header.alg;
  const allowed = (x.algorithms ?? ['RS256']).filter((a) =>
    (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a),
  );
  if (typeof alg !== 'string' || !allowed.includes(alg)) {
    throw fail(`algorithm ${JSON.stringify(alg)} is not allowed (expected ${allowed.join(', ') || 'RS256'})`);
  }
  // Keys come only from the issuer's jwks_uri: embedded jwk / jku / x5u are ignored (S46).
  const keys = await x.keys.candidates(header, x.signal);
  let payload: Uint8Array | undefined;
  let other: string | undefined;
  for (const key of keys) {
    try {
      payload = (await compactVerify(idToken, key, { algorithms: [alg] })).payload;
      break;
    } catch (err) {
      // A key that does not fit (wrong size, damaged) is skipped like a key that does not verify (S41, S42).
      if (!(err instanceof joseErrors.JWSSignatureVerificationFailed))
        other ??= err instanceof Error ? err.message : 'invalid JWS';
    }
  }
  if (!payload && other && keys.length === 1) throw fail(other);
  if (!payload) throw fail('bad signature');
  let claims: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(payload));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    claims = parsed as Record<string, unknown>;
  } catch {
    throw fail('the payload is not a JSON object');
  }
  checkClaims(claims, x, alg, tolerance);
  return claims;
}

function checkClaims(
  claims: Record<string, unknown>,
  x: IdTokenExpectations,
  alg: string,
  tolerance: number,
): void {
  const now = Math.floor((x.now ?? Date.now()) / 1000);
  if (typeof claims.iss !== 'string') throw fail('no iss');
  const expected = x.expectedIssuer(claims);
  if (claims.iss !== expected)
    throw fail(`issuer ${JSON.stringify(claims.iss)} is not ${JSON.stringify(expected)}`); // S25
  const aud = audiences(claims.aud);
  if (!aud || !aud.includes(x.clientId)) throw fail('the audience is not this client'); // S26
  if (aud.some((a) => a !== x.clientId)) throw fail('the audience includes another, untrusted party'); // S26
  if (claims.azp !== undefined && claims.azp !== x.clientId) throw fail('azp is not this client'); // S27
  if (aud.length > 1 && claims.azp === undefined) throw fail('several audiences and no azp'); // S27
  if (typeof claims.sub !== 'string' || claims.sub === '') throw fail('no sub'); // S33
  if (typeof claims.exp !== 'number') throw fail('no exp');
  if (typeof claims.iat !== 'number') throw fail('no iat'); // S30
  if (now > claims.exp + tolerance) throw fail('expired'); // S30
  if (claims.iat > now + tolerance) throw fail('issued in the future (check the clock)');
  if (typeof claims.nbf === 'number' && claims.nbf > now + tolerance) throw fail('not yet valid (nbf)');
  if (x.nonce !== undefined && claims.nonce !== x.nonce) throw fail('nonce mismatch'); // S31
  if (x.maxAge !== undefined) {
    if (typeof claims.auth_time !== 'number') throw fail('max_age was requested but auth_time is missing'); // S32
    if (claims.auth_time + x.maxAge + tolerance < now) throw fail('the sign-in is older than max_age');
  }
  if (
    x.accessToken !== undefined &&
    claims.at_hash !== undefined &&
    claims.at_hash !== halfHash(alg, x.accessToken)
  )
    throw fail('at_hash mismatch'); // S34
  if (x.code !== undefined && claims.c_hash !== halfHash(alg, x.code)) throw fail('c_hash mismatch'); // S34
  const p = x.previous;
  if (p) {
    // S36: a refreshed ID token must describe the same user at the same issuer for the same client.
    if (claims.iss !== p.iss || claims.sub !== p.sub)
      throw fail('the refreshed ID token is for another user or issuer');
    if (p.tid !== undefined && claims.tid !== p.tid)
      throw fail('the refreshed ID token is for another tenant');
    if (p.oid !== undefined && claims.oid !== p.oid)
      throw fail('the refreshed ID token is for another object id');
    const before = audiences(p.aud);
    if (before && (before.length !== aud.length || before.some((a) => !aud.includes(a))))
      throw fail('the refreshed ID token has another audience');
  }
}
