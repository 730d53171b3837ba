import { createLocalJWKSet, createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import type { EmulatorContext } from '../context.js';
import { IssuerFetchError } from '../errors/issuer-fetch-error.js';
import { boundedFetch, ISSUER_FETCH_LIMITS, isLoopbackUrl } from './bounded-fetch.js';
import { localIssuerJwks, localIssuerName } from './local-issuer.js';

/**
 * How long an issuer's discovery answer is reused, how long a failure is (S159: a negative cache, so that a
 * failing or slow issuer is not asked again by every request), and how many issuers are kept.
 */
const CACHE = { ttlMs: 10 * 60_000, failureTtlMs: 30_000, entries: 100 } as const;

/** An issuer's key set, pending or settled; `expiresAt` is set once it settles (a pending one is shared). */
interface Entry {
  keys: Promise<JWTVerifyGetKey>;
  expiresAt: number;
}

const cache = new WeakMap<EmulatorContext, Map<string, Entry>>();

/**
 * S135: the keys of an issuer a federated identity credential of the app declares (the caller has matched the
 * assertion's `iss` against them: nothing else reaches here). The emulator's own CI issuers (S137) are answered
 * from memory; any other must be on this machine, and its OIDC discovery document and JWKS are fetched through
 * boundedFetch (loopback, no redirects, bounded time and size), the JWKS from the issuer's own origin only.
 * S159: one fetch per issuer at a time: concurrent requests share the pending discovery (and its JWKS set,
 * whose fetches jose shares too); a failure is answered from memory for 30 s.
 */
export function issuerKeySet(ctx: EmulatorContext, issuer: string): Promise<JWTVerifyGetKey> {
  if (localIssuerName(ctx, issuer) !== undefined)
    return localIssuerJwks(ctx).then((jwks) => createLocalJWKSet(jwks));
  let byIssuer = cache.get(ctx);
  if (!byIssuer) cache.set(ctx, (byIssuer = new Map()));
  const hit = byIssuer.get(issuer);
  if (hit && Date.now() < hit.expiresAt) return hit.keys;
  const entry: Entry = { keys: discover(issuer), expiresAt: Number.POSITIVE_INFINITY };
  // discover() is bounded in time (boundedFetch), so a pending entry always settles.
  void entry.keys.then(
    () => (entry.expiresAt = Date.now() + CACHE.ttlMs),
    () => (entry.expiresAt = Date.now() + CACHE.failureTtlMs),
  );
  byIssuer.delete(issuer);
  if (byIssuer.size >= CACHE.entries) byIssuer.delete(byIssuer.keys().next().value!);
  byIssuer.set(issuer, entry);
  return entry.keys;
}

async function discover(issuer: string): Promise<JWTVerifyGetKey> {
  let base: URL;
  try {
    base = new URL(issuer);
  } catch {
    throw new IssuerFetchError('the issuer is not a URL');
  }
  if (!isLoopbackUrl(base))
    throw new IssuerFetchError(`the emulator fetches from loopback issuers only, not ${base.origin}`);
  const res = await boundedFetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
    headers: { accept: 'application/json' },
  });
  if (res.status !== 200)
    throw new IssuerFetchError(`the issuer's discovery document answered HTTP ${res.status}`);
  let doc: unknown;
  try {
    doc = await res.json();
  } catch {
    throw new IssuerFetchError("the issuer's discovery document is not JSON");
  }
  const d = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  // OpenID Connect Discovery 1.0 §4.3: the document names exactly the issuer it was fetched for.
  if (d.issuer !== issuer) throw new IssuerFetchError("the discovery document's issuer differs");
  if (typeof d.jwks_uri !== 'string') throw new IssuerFetchError('the discovery document has no jwks_uri');
  let jwksUri: URL;
  try {
    jwksUri = new URL(d.jwks_uri);
  } catch {
    throw new IssuerFetchError("the discovery document's jwks_uri is not a URL");
  }
  if (jwksUri.origin !== base.origin)
    throw new IssuerFetchError("the discovery document's jwks_uri is not on the issuer's origin");
  return createRemoteJWKSet(jwksUri, {
    timeoutDuration: ISSUER_FETCH_LIMITS.timeoutMs,
    cacheMaxAge: CACHE.ttlMs,
    [customFetch]: boundedFetch,
  });
}
