import type { AccountRecord } from '../../model/account-record.js';
import type { CacheStore, StoreUpdate } from '../../model/cache-store.js';

/**
 * A cache kept in this process only (the default). Transactions on one key are serialised, so concurrent
 * callers in the process never interleave a read-modify-write.
 */
export function memoryStore(): CacheStore {
  const records = new Map<string, AccountRecord>();
  const queues = new Map<string, Promise<unknown>>();
  return {
    kind: 'memory',
    get: (key) => Promise.resolve(records.get(key)),
    list: () => Promise.resolve([...records.values()]),
    transact<T>(
      key: string,
      fn: (current: AccountRecord | undefined) => Promise<StoreUpdate<T>>,
    ): Promise<T> {
      const previous = queues.get(key) ?? Promise.resolve();
      const run = previous.then(async () => {
        const { next, result } = await fn(records.get(key));
        if (next === null) records.delete(key);
        else if (next) records.set(key, next);
        return result;
      });
      const settled = run.catch(() => {});
      queues.set(key, settled);
      void settled.then(() => {
        if (queues.get(key) === settled) queues.delete(key);
      });
      return run;
    },
  };
}
