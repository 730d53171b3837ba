import {
  type JWTPayload,
  type JWTVerifyOptions,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
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
import {
  ASYMMETRIC_ALGORITHMS,
  type KeySet,
  clockToleranceSeconds,
  createKeySet,
} from 'tokenloop/validation';
import { HTTP_OPTION_KEYS, type OptionKeys, checkOptionKeys } from '../option-keys.js';
import { tenantPolicy } from '../tenant-policy.js';
import { InvalidTokenError, WebAuthConfigError } from '../web-errors.js';
import { notAnAccessToken } from './token-kind.js';

type VerifyKey = Awaited<ReturnType<KeySet['candidates']>>[number];

/** An accepted tenant's issuers: v2, and v1 unless refused (S64: the personal-account tenant's). */
interface TenantIssuers {
  v2: string;
  v1?: string;
  refusedV1?: string;
}

/** What a verifier knows once the issuer's metadata is loaded. */
interface Loaded {
  server: Server;
  keys: KeySet;
  /** The accepted tenants' issuers, by tenant id (lower case). */
  table: Map<string, TenantIssuers>;
  /** Whether the table lists every accepted tenant (else `acceptAnyTenant`: filled as tokens come). */
  listed: boolean;
  /** jwtVerify's options per accepted algorithm. */
  options: Map<string, JWTVerifyOptions>;
}

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
/** acceptAnyTenant: how many tenants' issuers are kept before the table starts over. */
const MAX_UNLISTED_TENANTS = 1024;
/** How many protected headers of verified tokens are kept, read, before the memo starts over. */
const MAX_KNOWN_HEADERS = 16;
const ASYMMETRIC: ReadonlySet<string> = new Set(ASYMMETRIC_ALGORITHMS);

/** Made only when refused: an error captures a stack, which costs more than the whole check (bench). */
const otherTenant = () => new InvalidTokenError('the token comes from a tenant that is not accepted');

type ProtectedHeader = ReturnType<typeof decodeProtectedHeader>;

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
  // S215: the library's rule, refused with the web's configuration error (never clamped).
  const tolerance = clockToleranceSeconds(o.clockToleranceSeconds, bearerConfigError);
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
  let state: Promise<Loaded> | undefined;
  /** The loaded state, once it is (a request then awaits nothing before the keys). */
  let known: Loaded | undefined;
  /**
   * The protected headers of tokens that passed, read, by their encoded form: a token of a known header is not
   * decoded a second time before jwtVerify (which reads it again itself, as it does for every caller). Only
   * verified headers are kept, at most MAX_KNOWN_HEADERS; a header read anew is checked as before.
   */
  const knownHeaders = new Map<string, ProtectedHeader>();
  // Metadata and keys are loaded once; a failed load is forgotten so that the next request tries again.
  const ready = () =>
    (state ??= discover(authority, {
      fetch: fetchMetadata,
      allowedTenants: o.allowedTenants,
      dangerouslyAllowInsecureHttp: insecure,
      onRetry: o.http?.onRetry,
    })
      .then((server): Loaded => {
        if (typeof server.as.jwks_uri !== 'string')
          throw bearerConfigError('the issuer publishes no jwks_uri');
        return (known = loaded(server, createKeySet(server.as.jwks_uri, { fetch: fetchJwks })));
      })
      .catch((err: unknown) => {
        state = undefined;
        throw err;
      }));

  /**
   * What is fixed once the issuer's metadata is known, so that a request parses its token once (in jwtVerify)
   * and computes no issuer: the tenant table (each accepted tenant's v2 and v1 issuer, S60, S61, S64) and
   * jwtVerify's options per algorithm, whose `issuer` is every issuer an accepted token may carry (S168) —
   * left out only where the tenants are not listed (`acceptAnyTenant`), where the tenant table alone decides.
   */
  function loaded(server: Server, keys: KeySet): Loaded {
    const table = new Map<string, TenantIssuers>();
    let issuer: string | string[] | undefined;
    if (!tenants || authority.kind !== 'entra') issuer = server.expectedIssuer({});
    else {
      const multi = authority.tenantKind === 'organizations' || authority.tenantKind === 'common';
      const listed = multi ? o.allowedTenants : server.tenantId === undefined ? [] : [server.tenantId];
      if (listed) {
        // S60, S61, S64: the same tenant rule decides which listed tenants are accepted at all.
        for (const t of listed) {
          const tid = tenants.tenantOf(server, { tid: t });
          const issuers = tid === undefined ? undefined : tenantIssuers(server, tid);
          if (tid !== undefined && issuers) table.set(tid, issuers);
        }
        issuer = [...table.values()].flatMap((i) => (i.v1 === undefined ? [i.v2] : [i.v2, i.v1]));
      }
    }
    const options = new Map<string, JWTVerifyOptions>();
    for (const alg of algorithms)
      options.set(alg, {
        algorithms: [alg],
        ...(issuer === undefined ? {} : { issuer }),
        audience: audiences,
        clockTolerance: tolerance,
        requiredClaims: ['exp'],
      });
    return { server, keys, table, listed: issuer !== undefined, options };
  }

  /** A tenant's issuers (S64: a personal-account tenant's v1 issuer is refused), or undefined when it has none. */
  function tenantIssuers(server: Server, tid: string): TenantIssuers | undefined {
    if (authority.kind !== 'entra') return undefined;
    let v2: string;
    try {
      v2 = server.expectedIssuer({ tid });
    } catch {
      return undefined;
    }
    const v1 = entraV1Issuer(authority, tid);
    // S64: Entra issues personal-account tokens for APIs as v2 only.
    return tid === CONSUMERS_TENANT_ID ? { v2, refusedV1: v1 } : { v2, v1 };
  }

  /**
   * The tenant table's word on signed claims (S60, S61, S64): the token's tenant is accepted and its issuer is
   * that tenant's v2 or v1 issuer (which one fixes the access-token markers, S48); else why not. Asked once the
   * signature holds, before any other claim's refusal is told.
   */
  function tenantVerdict(state: Loaded, claims: JWTPayload): 'v1' | 'v2' | InvalidTokenError {
    const tid = tenants!.tenantOf(state.server, claims);
    if (tid === undefined) return otherTenant();
    let issuers = state.table.get(tid);
    if (!issuers && !state.listed) {
      // acceptAnyTenant: a tenant's issuers are made when its first signed token comes, and kept (bounded).
      issuers = tenantIssuers(state.server, tid);
      if (issuers) {
        if (state.table.size >= MAX_UNLISTED_TENANTS) state.table.clear();
        state.table.set(tid, issuers);
      }
    }
    if (!issuers) return otherTenant();
    const iss = claims.iss;
    if (iss === issuers.v2) return 'v2';
    if (issuers.v1 !== undefined && iss === issuers.v1) return 'v1';
    if (issuers.refusedV1 !== undefined && iss === issuers.refusedV1) return otherTenant(); // S64
    return new InvalidTokenError('the token has another issuer');
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

  /**
   * Signed by one of the issuer's keys for this header, and the registered claims hold (S168: jose's jwtVerify,
   * which parses the payload once); then the tenant table (S60, S61, S64). A claim refusal is told tenant first,
   * then issuer, then jose's own, as for a token whose claims are all read before any is refused.
   */
  async function verifiedClaims(
    state: Loaded,
    token: string,
    alg: string,
    candidates: VerifyKey[],
  ): Promise<{ claims: JWTPayload; version: 'v1' | 'v2' | 'generic' }> {
    const options = state.options.get(alg)!;
    const entra = tenants !== undefined && authority.kind === 'entra';
    for (const key of candidates) {
      let claims: JWTPayload;
      try {
        claims = (await jwtVerify(token, key, options)).payload;
      } catch (err) {
        // The signature held but the claims did not: a tenant refusal first, as before any other claim.
        if (err instanceof joseErrors.JWTClaimValidationFailed || err instanceof joseErrors.JWTExpired) {
          const verdict = entra ? tenantVerdict(state, err.payload) : undefined;
          throw verdict instanceof InvalidTokenError ? verdict : refusalOf(err);
        }
        if (err instanceof joseErrors.JWTInvalid)
          throw new InvalidTokenError('the token payload is not a JSON object');
        if (!(err instanceof joseErrors.JOSEError) && !(err instanceof TypeError)) throw err;
        continue;
      }
      if (!entra) return { claims, version: 'generic' };
      const version = tenantVerdict(state, claims);
      if (version instanceof InvalidTokenError) throw version;
      return { claims, version };
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
      const encodedHeader = token.slice(0, dot1);
      let header = knownHeaders.get(encodedHeader);
      if (header === undefined) {
        try {
          header = decodeProtectedHeader(token);
        } catch {
          throw new InvalidTokenError('the token is malformed');
        }
      }
      if (typeof header.alg !== 'string' || !algorithms.includes(header.alg))
        throw new InvalidTokenError('the token uses an algorithm that is not accepted');
      const loadedState = known ?? (await ready());
      let candidates;
      try {
        candidates = await loadedState.keys.candidates(header);
      } catch (err) {
        if (err instanceof TokenloopError && err.code === 'TOKEN_VALIDATION')
          throw new InvalidTokenError('the token was not signed by a key of the issuer');
        throw err;
      }
      const { claims, version } = await verifiedClaims(loadedState, token, header.alg, candidates);
      // S48: only an access token passes, never an ID token addressed to the same client.
      const notAccess = notAnAccessToken(
        claims,
        header,
        version === 'generic'
          ? { kind: 'generic', allowUntyped: o.allowUntypedAccessTokens === true }
          : { kind: 'entra', version },
      );
      if (notAccess) throw new InvalidTokenError(notAccess);
      if (!knownHeaders.has(encodedHeader)) {
        if (knownHeaders.size >= MAX_KNOWN_HEADERS) knownHeaders.clear();
        knownHeaders.set(encodedHeader, Object.freeze(header));
      }
      return claims;
    },
  };
}
