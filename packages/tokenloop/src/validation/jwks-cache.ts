import type { JWK } from 'jose';
import type { FetchLike } from '../http/http-client.js';
import { debug } from '../log/debug.js';
import { fetchJwks } from './jwks-fetch.js';

/** The keys of one `jwks_uri` as last fetched, with one fetch at a time. */
export interface JwksCache {
  /** Fetch the keys now (joining a fetch under way). */
  load(signal?: AbortSignal): Promise<JWK[]>;
  /** The known keys; fetched first when there are none, refetched when older than `maxAgeMs`. */
  current(signal?: AbortSignal): Promise<JWK[]>;
  /** The fetch under way, if any. */
  inflight(): Promise<JWK[]> | undefined;
}

export interface JwksCachePolicy {
  maxAgeMs: number;
  now: () => number;
  /** Called with each newly fetched set. */
  onNewSet(): void;
}

/**
 * A cache of the keys at `uri`, fetched with `source.fetch`. A failed refresh of keys already known keeps them
 * (and is logged).
 */
export function jwksCache(uri: string, source: { fetch: FetchLike }, options: JwksCachePolicy): JwksCache {
  let keys: JWK[] | undefined;
  let fetchedAt = 0;
  let inflight: Promise<JWK[]> | undefined;

  function load(signal?: AbortSignal): Promise<JWK[]> {
    inflight ??= (async () => {
      try {
        keys = await fetchJwks(uri, source, signal);
        fetchedAt = options.now();
        options.onNewSet();
        return keys;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  async function current(signal?: AbortSignal): Promise<JWK[]> {
    if (!keys) return load(signal);
    if (options.now() - fetchedAt > options.maxAgeMs) {
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

  return { load, current, inflight: () => inflight };
}
