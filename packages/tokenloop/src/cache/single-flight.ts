/**
 * In-process single flight (C4): concurrent callers with the same key share one running promise, so N
 * callers asking for the same expired token cause one refresh. The entry is removed when it settles.
 */
export function createSingleFlight<T>(): (key: string, run: () => Promise<T>) => Promise<T> {
  const running = new Map<string, Promise<T>>();
  return (key, run) => {
    const existing = running.get(key);
    if (existing) return existing;
    const promise = (async () => {
      try {
        return await run();
      } finally {
        running.delete(key);
      }
    })();
    running.set(key, promise);
    return promise;
  };
}
