import { type AuthoritySpec, type ResolvedAuthority, resolveAuthority } from '../authority/authority.js';
import type { ServerCache } from '../authority/server-cache.js';
import { DEFAULT_REFRESH_AHEAD_MS } from '../cache/freshness.js';
import { type AccountRecord, type CachedAccessToken, recordKey } from '../model/account-record.js';
import { resourceOf, resourceScopes } from '../cache/resource.js';
import type { CacheStore } from '../model/cache-store.js';
import { memoryStore } from '../cache/stores/memory-store.js';
import type { FetchLike } from '../http/http-client.js';
import { type AuthResult, toAuthResult } from './auth-result.js';
import type { GrantContext } from '../model/grant-context.js';
import type { TokenClientOptions } from '../model/client-options.js';

/** What every part of a client shares: its options, authority, store and the lazily loaded network side. */
export interface ClientContext {
  readonly options: TokenClientOptions;
  readonly authority: ResolvedAuthority;
  readonly clientId: string;
  readonly store: CacheStore;
  readonly refreshAheadMs: number;
  /** Microsoft Graph's host in this cloud (scopes without a resource are Graph's on Entra). */
  readonly graphHost: string;
  /** The fetch with proxy support and the discovery cache, loaded on first use. */
  network(): Promise<{ fetch: FetchLike; servers: ServerCache }>;
  /** The client's JWKS caches by jwks_uri. */
  readonly keySets: GrantContext['keySets'];
}

/** The options, checked, made into a client's shared context (`checkClientOptions` first). */
export function createClientContext(options: TokenClientOptions): ClientContext {
  const insecure = options.http?.dangerouslyAllowInsecureHttp === true;
  const authority = resolveAuthority(
    { authority: options.authority, issuer: options.issuer, endpoints: options.endpoints } as AuthoritySpec,
    { dangerouslyAllowInsecureHttp: insecure },
  );
  return {
    options,
    authority,
    clientId: options.clientId,
    store: options.cache ?? memoryStore(),
    refreshAheadMs:
      options.refreshAheadSeconds === undefined
        ? DEFAULT_REFRESH_AHEAD_MS
        : options.refreshAheadSeconds * 1000,
    graphHost:
      authority.kind === 'entra'
        ? (authority.cloud?.graphHost ?? 'graph.microsoft.com')
        : 'graph.microsoft.com',
    network: lazyNetwork(options, insecure),
    keySets: new Map(),
  };
}

/**
 * The network side (fetch with proxy support, discovery cache) is loaded on first use: a cached token never
 * needs it, and programs such as `tokenloop token` start faster without it.
 */
function lazyNetwork(options: TokenClientOptions, insecure: boolean): ClientContext['network'] {
  let network: Promise<{ fetch: FetchLike; servers: ServerCache }> | undefined;
  return () =>
    (network ??= Promise.all([import('../http/http-client.js'), import('../authority/server-cache.js')]).then(
      ([{ createHttpFetch }, { createServerCache }]) => {
        const fetch = createHttpFetch(options.http);
        const servers = createServerCache({
          fetch,
          allowedTenants: options.allowedTenants,
          dangerouslyAllowInsecureHttp: insecure,
          onRetry: options.http?.onRetry,
        });
        return { fetch, servers };
      },
    ));
}

/** The grants, loaded only when one runs (grant-binding.ts). */
export const grants = () => import('./grant-binding.js');

/** Everything a grant needs, for one call. */
export async function grantContext(c: ClientContext, signal?: AbortSignal): Promise<GrantContext> {
  const { fetch, servers } = await c.network();
  const { options, authority, keySets } = c;
  return { options, authority, server: await servers.get(authority, signal), servers, fetch, keySets };
}

/** The record key of one of this client's accounts. */
export function keyOf(c: ClientContext, homeAccountId: string): string {
  return recordKey(c.authority.environment, c.clientId, homeAccountId);
}

/** Scopes as the cache matches them (`resourceScopes` with this authority's kind and Graph host). */
export function normalizeScopes(c: ClientContext, scopes: readonly string[]): string[] {
  return resourceScopes(scopes, c.authority.kind, c.graphHost);
}

/** The scopes of one token request, worked out once: the resource, the scopes to match, the scopes to send. */
export interface ScopeRequest {
  resource: string;
  matchScopes: string[];
  requestScopes: readonly string[];
}

export function scopeRequest(c: ClientContext, scopes: readonly string[]): ScopeRequest {
  return {
    resource: resourceOf(scopes, c.authority.kind, c.graphHost),
    matchScopes: normalizeScopes(c, scopes),
    requestScopes: scopes,
  };
}

/** S109: every result says when this client's cache will renew its token (`refreshOn`). */
export function resultOf(
  c: ClientContext,
  record: AccountRecord,
  token: CachedAccessToken,
  fromCache: boolean,
  appOnly = false,
  idTokenClaims?: Record<string, unknown>,
): AuthResult {
  return toAuthResult(record, token, fromCache, appOnly, c.refreshAheadMs, idTokenClaims);
}
