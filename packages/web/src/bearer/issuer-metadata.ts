import type { JWTVerifyOptions } from 'jose';
import { type Server, createHttpFetch, discover } from 'tokenloop';
import { type KeySet, createKeySet } from 'tokenloop/validation';
import { type VerifierConfig, bearerConfigError } from './access-token-options.js';
import { jwtVerifyOptions } from './claim-checks.js';
import { type TenantTable, acceptedIssuers } from './tenant-table.js';

/** What a verifier knows once the issuer's metadata is loaded. */
export interface Loaded extends TenantTable {
  keys: KeySet;
  /** jwtVerify's options per accepted algorithm. */
  options: Map<string, JWTVerifyOptions>;
}

/** The issuer's metadata and keys, loaded once for a verifier. */
export interface IssuerMetadata {
  /** The loaded state, once it is (a request then awaits nothing before the keys). */
  loaded: Loaded | undefined;
  /** Loads it once; a failed load is forgotten so that the next request tries again. */
  load(): Promise<Loaded>;
}

/**
 * The issuer's metadata found by the library's discovery (S168) and its keys from its `jwks_uri` only (S46),
 * both through the library's one HTTP client (S62, S63: no redirects, https off loopback, size cap, timeout,
 * proxy from the environment).
 */
export function issuerMetadata(config: VerifierConfig): IssuerMetadata {
  const fetchJwks = createHttpFetch({ timeoutMs: 10_000, ...config.http });
  const fetchMetadata = createHttpFetch(config.http);
  let pending: Promise<Loaded> | undefined;
  const metadata: IssuerMetadata = {
    loaded: undefined,
    load: () =>
      (pending ??= discover(config.authority, {
        fetch: fetchMetadata,
        allowedTenants: config.allowedTenants,
        dangerouslyAllowInsecureHttp: config.insecure,
        onRetry: config.http?.onRetry,
      })
        .then((server): Loaded => {
          if (typeof server.as.jwks_uri !== 'string')
            throw bearerConfigError('the issuer publishes no jwks_uri');
          const keys = createKeySet(server.as.jwks_uri, { fetch: fetchJwks });
          return (metadata.loaded = loadedState(config, server, keys));
        })
        .catch((err: unknown) => {
          pending = undefined;
          throw err;
        })),
  };
  return metadata;
}

/**
 * What is fixed once the issuer's metadata is known, so that a request parses its token once (in jwtVerify)
 * and computes no issuer: the tenant table (each accepted tenant's v2 and v1 issuer, S60, S61, S64) and
 * jwtVerify's options per algorithm, whose `issuer` is every issuer an accepted token may carry (S168).
 */
function loadedState(config: VerifierConfig, server: Server, keys: KeySet): Loaded {
  const { table, issuer } = acceptedIssuers(config, server);
  return { server, keys, table, listed: issuer !== undefined, options: jwtVerifyOptions(config, issuer) };
}
