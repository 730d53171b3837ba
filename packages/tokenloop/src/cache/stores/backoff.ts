/**
 * Polling delays for lock waits: starts small (an uncontended lock is usually free again within
 * milliseconds), grows by half each time up to `maxMs`, with ±25 % jitter so waiters do not poll in step.
 *
 * @example
 * ```ts
 * const next = backoffDelays(5, 100);
 * await setTimeout(next()); // node:timers/promises; ~5 ms, then ~7.5, ~11, ... up to 100
 * ```
 */
export function backoffDelays(initialMs: number, maxMs: number): () => number {
  let current = initialMs;
  return () => {
    const delay = current * (0.75 + Math.random() * 0.5);
    current = Math.min(maxMs, current * 1.5);
    return Math.max(1, Math.round(delay));
  };
}
