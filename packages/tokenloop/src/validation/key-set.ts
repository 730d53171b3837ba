import { type CryptoKey, type JWK, type KeyObject, importJWK } from 'jose';
import { TokenloopError } from '../errors/errors.js';
import type { FetchLike } from '../http/http-client.js';
import { withRetry } from '../http/retry.js';
import { debug } from '../log/debug.js';

/** Asymmetric JWS algorithms tokenloop verifies; `none` and HS* never (S29). */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

const CURVE_OF: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

/** A provider's signing keys (its `jwks_uri`), fetched lazily, refreshed on rotation. */
export interface KeySet {
  /** Keys that may have signed a token with this header (S41, S43); refetches once on an unknown `kid` (S40). */
  candidates(
    header: { alg?: unknown; kid?: unknown },
    signal?: AbortSignal,
  ): Promise<Array<CryptoKey | KeyObject>>;
}

export interface KeySetOptions {
  fetch: FetchLike;
  /** Least time between two refetches caused by unknown keys (default 30 s). */
  cooldownMs?: number;
  /** Refetch keys older than this before use (default 10 minutes; rotation). */
  maxAgeMs?: number;
  now?: () => number;
}

/** Does this JWK fit the algorithm? kty / crv / use / alg / key_ops filters (S43). */
function fits(jwk: JWK, alg: string): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return false;
  if (alg.startsWith('RS') || alg.startsWith('PS')) return jwk.kty === 'RSA';
  if (alg.startsWith('ES')) return jwk.kty === 'EC' && jwk.crv === CURVE_OF[alg];
  if (alg === 'EdDSA' || alg === 'Ed25519') return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  return false;
}

/** Keep the usable entries of a JWKS; garbage and unknown key types are dropped, not fatal (S42). */
function usableKeys(body: unknown): JWK[] {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new TokenloopError('INVALID_RESPONSE', 'the JWKS has no "keys" array');
  return keys.filter(
    (k): k is JWK =>
      typeof k === 'object' &&
      k !== null &&
      !Array.isArray(k) &&
      typeof (k as JWK).kty === 'string' &&
      ['RSA', 'EC', 'OKP'].includes((k as JWK).kty!) &&
      !('d' in k),
  );
}

/**
 * Create a key set for one `jwks_uri`. Keys are fetched on first use (retried when safe, C7), re-fetched when
 * older than `maxAgeMs`, and once more (at most every `cooldownMs`) when a token names an unknown `kid` —
 * then an unknown `kid` is rejected (S40). A failed refresh keeps the keys already known.
 */
export function createKeySet(uri: string, options: KeySetOptions): KeySet {
  const cooldown = options.cooldownMs ?? 30_000;
  const maxAge = options.maxAgeMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  let keys: JWK[] | undefined;
  let fetchedAt = 0;
  let forcedAt = -Infinity;
  let inflight: Promise<JWK[]> | undefined;
  // Imported keys per JWK object of the current set and algorithm (a new set starts a new map).
  let imported = new WeakMap<JWK, Map<string, Promise<CryptoKey | KeyObject>>>();

  function load(signal?: AbortSignal): Promise<JWK[]> {
    inflight ??= (async () => {
      try {
        debug('discovery', `fetching JWKS ${uri}`);
        const response = await withRetry(
          () => options.fetch(uri, { headers: { accept: 'application/json' }, signal }),
          {},
          signal,
        );
        if (response.status !== 200) {
          throw new TokenloopError(
            response.status === 429 || response.status >= 500 ? 'PROVIDER_UNAVAILABLE' : 'INVALID_RESPONSE',
            `the JWKS endpoint answered HTTP ${response.status}`,
          );
        }
        let body: unknown;
        try {
          body = await response.json();
        } catch {
          throw new TokenloopError('INVALID_RESPONSE', 'the JWKS is not JSON');
        }
        keys = usableKeys(body);
        fetchedAt = now();
        imported = new WeakMap();
        return keys;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  async function current(signal?: AbortSignal): Promise<JWK[]> {
    if (!keys) return load(signal);
    if (now() - fetchedAt > maxAge) {
      try {
        return await load(signal);
      } catch (err) {
        debug('discovery', 'JWKS refresh failed; keeping the known keys', {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    return keys;
  }

  function importKey(jwk: JWK, alg: string): Promise<CryptoKey | KeyObject> {
    let byAlg = imported.get(jwk);
    if (!byAlg) imported.set(jwk, (byAlg = new Map()));
    let key = byAlg.get(alg);
    if (!key) {
      key = importJWK({ ...jwk, alg }, alg) as Promise<CryptoKey | KeyObject>;
      byAlg.set(alg, key);
    }
    return key;
  }

  function select(all: JWK[], alg: string, kid: string | undefined): JWK[] {
    return all.filter((k) => fits(k, alg) && (kid === undefined || k.kid === kid));
  }

  return {
    async candidates(header, signal) {
      const alg = typeof header.alg === 'string' ? header.alg : '';
      const kid = typeof header.kid === 'string' ? header.kid : undefined;
      let found = select(await current(signal), alg, kid);
      if (found.length === 0 && now() - forcedAt >= cooldown) {
        forcedAt = now();
        found = select(await load(signal), alg, kid);
      } else if (found.length === 0) {
        // Within the cooldown, another token's refetch may be under way or just done (concurrent tokens after a
        // rotation): use its keys rather than refuse on the ones read before it (S40).
        found = select(await (inflight ?? current(signal)), alg, kid);
      }
      if (found.length === 0) {
        throw new TokenloopError(
          'TOKEN_VALIDATION',
          kid === undefined
            ? `no ${alg} key in the provider's JWKS fits the token`
            : `the token's signing key (kid ${JSON.stringify(kid.slice(0, 64))}) is not in the provider's JWKS`,
        );
      }
      const out: Array<CryptoKey | KeyObject> = [];
      for (const jwk of found) {
        try {
          out.push(await importKey(jwk, alg));
        } catch {
          // A malformed key of the right type is skipped like any other garbage entry (S42).
        }
      }
      if (out.length === 0)
        throw new TokenloopError('TOKEN_VALIDATION', "no usable key in the provider's JWKS fits the token");
      return out;
    },
  };
}
