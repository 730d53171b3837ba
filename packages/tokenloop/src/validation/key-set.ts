import type { CryptoKey, JWK, KeyObject } from 'jose';
import { TokenloopError } from '../errors/errors.js';
import type { FetchLike } from '../http/http-client.js';
import { importedKeys } from './imported-keys.js';
import { fits } from './jwk-fit.js';
import { jwksCache } from './jwks-cache.js';

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

/**
 * Create a key set for one `jwks_uri`. Keys are fetched on first use (retried when safe, C7), re-fetched when
 * older than `maxAgeMs`, and once more (at most every `cooldownMs`) when a token names an unknown `kid` —
 * then an unknown `kid` is rejected (S40). A failed refresh keeps the keys already known.
 */
export function createKeySet(uri: string, options: KeySetOptions): KeySet {
  const cooldown = options.cooldownMs ?? 30_000;
  const now = options.now ?? Date.now;
  const imports = importedKeys();
  const jwks = jwksCache(uri, options, {
    maxAgeMs: options.maxAgeMs ?? 10 * 60_000,
    now,
    onNewSet: () => imports.reset(),
  });
  let forcedAt = -Infinity;

  /** The JWKs that fit `alg` and `kid`, refetched once (at most every `cooldown`) when none does (S40). */
  async function fitting(alg: string, kid: string | undefined, signal?: AbortSignal): Promise<JWK[]> {
    const found = select(await jwks.current(signal), alg, kid);
    if (found.length > 0) return found;
    if (now() - forcedAt >= cooldown) {
      forcedAt = now();
      return select(await jwks.load(signal), alg, kid);
    }
    // Within the cooldown, another token's refetch may be under way or just done (concurrent tokens after a
    // rotation): use its keys rather than refuse on the ones read before it (S40).
    return select(await (jwks.inflight() ?? jwks.current(signal)), alg, kid);
  }

  return {
    async candidates(header, signal) {
      const alg = typeof header.alg === 'string' ? header.alg : '';
      const kid = typeof header.kid === 'string' ? header.kid : undefined;
      const found = await fitting(alg, kid, signal);
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
          out.push(await imports.get(jwk, alg));
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

function select(all: JWK[], alg: string, kid: string | undefined): JWK[] {
  return all.filter((k) => fits(k, alg) && (kid === undefined || k.kid === kid));
}
