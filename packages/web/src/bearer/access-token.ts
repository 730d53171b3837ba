import { type JWTPayload, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import {
  CONSUMERS_TENANT_ID,
  type HttpOptions,
  type Server,
  TokenloopError,
  createHttpFetch,
  discover,
  entraV1Issuer,
  resolveAuthority,
} from 'tokenloop';
import { ASYMMETRIC_ALGORITHMS, type KeySet, createKeySet } from 'tokenloop/validation';
import { HTTP_OPTION_KEYS, type OptionKeys, checkOptionKeys } from '../option-keys.js';
import { tenantPolicy } from '../tenant-policy.js';
import { InvalidTokenError, WebAuthConfigError } from '../web-errors.js';
import { notAnAccessToken } from './token-kind.js';

type VerifyKey = Awaited<ReturnType<KeySet['candidates']>>[number];

/** How an API checks the access tokens it receives. */
export interface AccessTokenOptions {
  /** Entra authority of the API's tenant (or `organizations` / `common` for multi-tenant APIs), or... */
  authority?: string;
  /** ...any OpenID provider's issuer. */
  issuer?: string;
  /** The API's identifiers tokens must be addressed to: its client id and/or App ID URI (S47). */
  audience: string | string[];
  /**
   * Entra: accept tokens from these tenants (ids) only, whatever the token version (S61). A multi-tenant
   * authority (`organizations`, `common`) needs this or `acceptAnyTenant`.
   */
  allowedTenants?: string[];
  /**
   * Entra `organizations` / `common`: accept tokens from every tenant — your API then decides by `tid` (S61).
   * `common` includes personal Microsoft accounts (v2 tokens only, S64); `organizations` never does.
   */
  acceptAnyTenant?: boolean;
  /**
   * Generic issuers only: also accept JWT access tokens without the RFC 9068 header `typ: at+jwt`, told apart
   * from ID tokens by their claims alone (S48). Only for providers that do not type their access tokens, and
   * only when `audience` names no client that receives ID tokens from that provider.
   */
  allowUntypedAccessTokens?: boolean;
  /** Leeway for exp / nbf in seconds (default 60, at most 300) (S49). */
  clockToleranceSeconds?: number;
  /** Accepted algorithms (default RS256); symmetric ones and `none` never (S46). */
  algorithms?: string[];
  http?: HttpOptions;
}

export { InvalidTokenError };

/** S96: the keys `createAccessTokenVerifier` knows. */
const ACCESS_TOKEN_KEYS: OptionKeys<AccessTokenOptions> = {
  authority: true,
  issuer: true,
  audience: true,
  allowedTenants: true,
  acceptAnyTenant: true,
  allowUntypedAccessTokens: true,
  clockToleranceSeconds: true,
  algorithms: true,
  http: true,
};

/** The bearer side's configuration error (start-up), of the web package's one family (S169). */
export const bearerConfigError = (message: string, remediation?: string) =>
  new WebAuthConfigError(message, remediation ? { remediation } : {});

const MAX_TOKEN_LENGTH = 16 * 1024;
const ASYMMETRIC: ReadonlySet<string> = new Set(ASYMMETRIC_ALGORITHMS);

export interface AccessTokenVerifier {
  /** The verified claims, or InvalidTokenError saying why (never echoing the token). */
  verify(token: string): Promise<Record<string, unknown>>;
}

/**
 * Verify access tokens issued to your API: signature with keys from the issuer's `jwks_uri` only (never from
 * `jku`, `x5u` or an embedded `jwk`, S46), fetched through the library's one HTTP client (S62, S63); issuer
 * (Entra v1 `https://STS/{tid}/` and v2 `…/{tid}/v2.0`) and tenant (S60, S61, S64), audience (S47), times
 * with a bounded leeway (S49), and the markers of an access token — an ID token is refused (S48). S168: the
 * registered claims are checked by jose's jwtVerify, the metadata found by the library's discovery.
 */
export function createAccessTokenVerifier(o: AccessTokenOptions): AccessTokenVerifier {
  // S96: an option it does not know (a typo, one of another function) stops start-up.
  checkOptionKeys(o, ACCESS_TOKEN_KEYS, 'createAccessTokenVerifier', bearerConfigError);
  checkOptionKeys(o?.http, HTTP_OPTION_KEYS, 'createAccessTokenVerifier http', bearerConfigError);
  const audiences = Array.isArray(o.audience) ? o.audience : [o.audience];
  if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || !a))
    throw bearerConfigError('audience must name the API (client id or App ID URI)');
  const algorithms = (o.algorithms ?? ['RS256']).filter((a) => ASYMMETRIC.has(a));
  if (algorithms.length === 0) throw bearerConfigError('algorithms must list asymmetric JWS algorithms');
  const tolerance = Math.min(Math.max(o.clockToleranceSeconds ?? 60, 0), 300);
  if (o.allowUntypedAccessTokens !== undefined && typeof o.allowUntypedAccessTokens !== 'boolean')
    throw bearerConfigError('allowUntypedAccessTokens must be true or false');
  const insecure = o.http?.dangerouslyAllowInsecureHttp === true;
  const authority = resolveAuthority(o.authority ? { authority: o.authority } : { issuer: o.issuer! }, {
    dangerouslyAllowInsecureHttp: insecure,
  });
  // S61: fails here, at start-up, when the tenants are not named.
  const tenants = tenantPolicy(authority, o, {
    subject: 'API',
    admits: 'accepts tokens from',
    fail: bearerConfigError,
  });
  if (authority.kind === 'entra' && o.allowUntypedAccessTokens !== undefined)
    throw bearerConfigError(
      'allowUntypedAccessTokens is for generic issuers: Entra access tokens are told apart by their own claims',
    );
  // S62, S63: the keys come through the library's one HTTP client (no redirects, https off loopback, size cap,
  // timeout, proxy from the environment).
  const fetchJwks = createHttpFetch({ timeoutMs: 10_000, ...o.http });
  const fetchMetadata = createHttpFetch(o.http);
  let state: Promise<{ server: Server; keys: KeySet }> | undefined;
  // Metadata and keys are loaded once; a failed load is forgotten so that the next request tries again.
  const ready = () =>
    (state ??= discover(authority, {
      fetch: fetchMetadata,
      allowedTenants: o.allowedTenants,
      dangerouslyAllowInsecureHttp: insecure,
      onRetry: o.http?.onRetry,
    })
      .then((server) => {
        if (typeof server.as.jwks_uri !== 'string')
          throw bearerConfigError('the issuer publishes no jwks_uri');
        return { server, keys: createKeySet(server.as.jwks_uri, { fetch: fetchJwks }) };
      })
      .catch((err: unknown) => {
        state = undefined;
        throw err;
      }));

  /**
   * The issuers a token with these claims may carry, checked against its tenant (S60, S61, S64): for Entra the
   * accepted tenant's v2 issuer and its v1 issuer (which one it carries fixes the access-token markers, S48);
   * else the issuer's own. A refusal is returned, not thrown: it is told only once the signature holds.
   */
  function acceptedIssuers(
    server: Server,
    claims: JWTPayload,
  ): { v2: string; v1?: string | undefined } | InvalidTokenError {
    if (!tenants || authority.kind !== 'entra') return { v2: server.expectedIssuer(claims) };
    // Made only when refused: an error captures a stack, which costs more than the whole check (bench).
    const otherTenant = () => new InvalidTokenError('the token comes from a tenant that is not accepted');
    const tid = tenants.tenantOf(server, claims);
    if (tid === undefined) return otherTenant();
    let v2: string;
    try {
      v2 = server.expectedIssuer({ ...claims, tid });
    } catch {
      return otherTenant();
    }
    const v1 = entraV1Issuer(authority, tid);
    // S64: Entra issues personal-account tokens for APIs as v2 only.
    if (tid === CONSUMERS_TENANT_ID) return claims.iss === v1 ? otherTenant() : { v2 };
    return { v2, v1 };
  }

  /** What jose's claim checks said, in the verifier's words (S47, S49: never echoing the token). */
  function refusalOf(err: unknown): InvalidTokenError {
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

  /** Signed by one of the issuer's keys for this header, and the registered claims hold (S168: jose's jwtVerify). */
  async function verifiedClaims(
    token: string,
    alg: string,
    candidates: VerifyKey[],
    issuers: { v2: string; v1?: string | undefined } | InvalidTokenError,
  ): Promise<JWTPayload> {
    for (const key of candidates) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [alg],
          ...(issuers instanceof InvalidTokenError
            ? {}
            : { issuer: issuers.v1 ? [issuers.v2, issuers.v1] : issuers.v2 }),
          audience: audiences,
          clockTolerance: tolerance,
          requiredClaims: ['exp'],
        });
        if (issuers instanceof InvalidTokenError) throw issuers;
        return payload;
      } catch (err) {
        if (err instanceof InvalidTokenError) throw err;
        const claimsRefused =
          err instanceof joseErrors.JWTClaimValidationFailed ||
          err instanceof joseErrors.JWTExpired ||
          err instanceof joseErrors.JWTInvalid;
        // The signature held but the claims did not: a tenant refusal first, as before any other claim.
        if (claimsRefused) throw issuers instanceof InvalidTokenError ? issuers : refusalOf(err);
        if (!(err instanceof joseErrors.JOSEError) && !(err instanceof TypeError)) throw err;
      }
    }
    throw new InvalidTokenError('the token signature is invalid');
  }

  return {
    async verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('the token is too large');
      const dot1 = token.indexOf('.');
      const dot2 = token.indexOf('.', dot1 + 1);
      if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0)
        throw new InvalidTokenError('the token is not a signed JWT');
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw new InvalidTokenError('the token is malformed');
      }
      if (typeof header.alg !== 'string' || !algorithms.includes(header.alg))
        throw new InvalidTokenError('the token uses an algorithm that is not accepted');
      const { server, keys } = await ready();
      let candidates;
      try {
        candidates = await keys.candidates(header);
      } catch (err) {
        if (err instanceof TokenloopError && err.code === 'TOKEN_VALIDATION')
          throw new InvalidTokenError('the token was not signed by a key of the issuer');
        throw err;
      }
      // The issuers this token may carry, from its claims as they are: told only once its signature holds.
      let issuers: { v2: string; v1?: string | undefined } | InvalidTokenError;
      try {
        issuers = acceptedIssuers(server, decodeJwt(token));
      } catch {
        issuers = new InvalidTokenError('the token payload is not a JSON object');
      }
      const claims = await verifiedClaims(token, header.alg, candidates, issuers);
      const version =
        authority.kind !== 'entra' || !tenants
          ? 'generic'
          : !(issuers instanceof InvalidTokenError) && claims.iss === issuers.v2
            ? 'v2'
            : 'v1';
      // S48: only an access token passes, never an ID token addressed to the same client.
      const notAccess = notAnAccessToken(
        claims,
        header,
        version === 'generic'
          ? { kind: 'generic', allowUntyped: o.allowUntypedAccessTokens === true }
          : { kind: 'entra', version },
      );
      if (notAccess) throw new InvalidTokenError(notAccess);
      return claims;
    },
  };
}
