import type { JWK } from 'jose';
import { TokenloopError } from '../errors/errors.js';
import { isUnavailableStatus } from '../errors/unavailable-status.js';
import type { FetchLike } from '../http/http-client.js';
import { withRetry } from '../http/retry.js';
import { debug } from '../log/debug.js';
import { usableKeys } from './jwk-fit.js';

/**
 * The usable keys (S42) of the JWKS at `uri`, fetched with `options.fetch` and retried when safe (C7). Another answer
 * than 200 with JSON is `TokenloopError('PROVIDER_UNAVAILABLE')` (429, 5xx) or `('INVALID_RESPONSE')`.
 */
export async function fetchJwks(
  uri: string,
  options: { fetch: FetchLike },
  signal?: AbortSignal,
): Promise<JWK[]> {
  debug('discovery', `fetching JWKS ${uri}`);
  const response = await withRetry(
    () => options.fetch(uri, { headers: { accept: 'application/json' }, signal }),
    {},
    signal,
  );
  if (response.status !== 200) {
    throw new TokenloopError(
      isUnavailableStatus(response.status) ? 'PROVIDER_UNAVAILABLE' : 'INVALID_RESPONSE',
      `the JWKS endpoint answered HTTP ${response.status}`,
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new TokenloopError('INVALID_RESPONSE', 'the JWKS is not JSON');
  }
  return usableKeys(body);
}
