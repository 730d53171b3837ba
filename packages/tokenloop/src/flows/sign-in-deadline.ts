import { TokenloopError } from '../errors/errors.js';

/** A promise that rejects when a sign-in waited too long or was cancelled; `clear` stops watching. */
export interface SignInDeadline {
  expired: Promise<never>;
  clear(): void;
}

/**
 * Reject with `TokenloopError('TIMEOUT')` after `timeoutMs`, or `TokenloopError('CANCELLED')` when `signal`
 * aborts, whichever comes first. Always `clear()` it when the sign-in ends.
 */
export function signInDeadline(timeoutMs: number, signal: AbortSignal | undefined): SignInDeadline {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TokenloopError('TIMEOUT', `no sign-in response within ${Math.round(timeoutMs / 1000)} s`, {
            remediation: 'Run the sign-in again and finish it in the browser.',
          }),
        ),
      timeoutMs,
    );
    onAbort = () => reject(new TokenloopError('CANCELLED', 'sign-in cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  return {
    expired,
    clear() {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    },
  };
}
