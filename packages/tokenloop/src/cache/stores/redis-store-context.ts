import type { CacheKey } from './encryption.js';
import type { RedisClient } from './redis-client.js';
import type { RedisStoreKeys } from './redis-keys.js';
import type { StoreWarning } from '../../model/cache-store.js';

/** What every part of one Redis token store shares: its client, key layout, deadline, warnings and key. */
export interface RedisStoreContext {
  readonly client: RedisClient;
  readonly keys: RedisStoreKeys;
  /** Runs one command with the store's deadline (see `redisCommand`). */
  readonly command: <T>(what: string, run: () => Promise<T>) => Promise<T>;
  readonly warn: StoreWarning;
  /** Values are AES-256-GCM envelopes under this key; undefined: plain JSON. */
  readonly encryption: CacheKey | undefined;
}
