import { TokenloopError } from '../errors/errors.js';

/** Sleep that ends early with CANCELLED when the signal aborts. */
export function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TokenloopError('CANCELLED', 'cancelled'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new TokenloopError('CANCELLED', 'cancelled'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
