import { abortError } from './errors.js';
import type { AbortSignalLike } from './types.js';

/**
 * S108: run `work` with an AbortSignal tied to the caller's (a DOM signal or the Azure SDK's AbortSignalLike),
 * and reject with an `AbortError` as soon as the caller aborts, whatever the work is waiting for (the cache's
 * lock, a provider that does not answer); the work's own requests are cancelled through the signal. Already
 * aborted: rejected before anything starts.
 */
export async function untilAborted<T>(
  caller: AbortSignalLike | undefined,
  work: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (!caller) return work(undefined);
  if (caller.aborted) throw abortError();
  const controller = new AbortController();
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      controller.abort();
      reject(abortError());
    };
    caller.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), aborted]);
  } finally {
    caller.removeEventListener('abort', onAbort);
  }
}
