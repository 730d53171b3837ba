import { AsyncLocalStorage } from 'node:async_hooks';
import { TokenloopError } from '../../errors/errors.js';

/**
 * A queue per key: `run(key, fn)` starts `fn` once every earlier call for the same key has settled, so
 * callers in one process take turns instead of all polling a cross-process lock. Keys without waiters are
 * forgotten. A call made from inside `fn` for the same key would wait for itself forever; it fails at once
 * with `TokenloopError('INVALID_ARGUMENT')` instead.
 *
 * @example
 * ```ts
 * const run = keyedQueue();
 * await Promise.all([run('a', first), run('a', second)]); // second starts after first settles
 * ```
 */
export function keyedQueue(): <T>(key: string, fn: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<void>>();
  const holding = new AsyncLocalStorage<ReadonlySet<string>>();
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const held = holding.getStore();
    if (held?.has(key)) {
      throw new TokenloopError(
        'INVALID_ARGUMENT',
        'a cache transaction was started from inside another on the same cache entry; it would wait for itself',
      );
    }
    const previous = tails.get(key) ?? Promise.resolve();
    let done = (): void => {};
    const turn = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => turn);
    tails.set(key, tail);
    try {
      await previous;
      return await holding.run(new Set([...(held ?? []), key]), fn);
    } finally {
      done();
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
