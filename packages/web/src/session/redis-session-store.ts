import { type RedisClient, redisClientProblem } from 'tokenloop/redis';
import { type OptionKeys, checkOptionKeys } from '../option-keys.js';
import { WebAuthConfigError } from '../options.js';
import { type SessionSecret, sessionSealer } from './session-seal.js';
import type { SessionStore } from './session-store.js';

export interface RedisSessionStoreOptions {
  /**
   * A connected `ioredis` client: `new Redis(…)` (a single server, or Sentinel) or `new Cluster(…)` (Redis
   * Cluster). It must read from masters (S101). The store never closes it.
   */
  client: RedisClient;
  /**
   * Required: 32 or more random bytes (the token cache's `redisStore({ key })` will do), or a random secret of
   * 32 or more characters. Redis then sees only keyed hashes of session ids and encrypted, authenticated values
   * (S67). Changing it signs every user out.
   */
  key: SessionSecret;
  /** Prefix of every key (default `tokenloop:session:`). */
  prefix?: string;
}

/** S96: the keys `redisSessionStore` knows. */
const REDIS_SESSION_STORE_KEYS: OptionKeys<RedisSessionStoreOptions> = {
  client: true,
  key: true,
  prefix: true,
};

/**
 * Sessions in Redis, so that several app instances share sign-ins. Keys are `<prefix><HMAC of the id>` and values
 * AES-256-GCM ciphertext bound to that name (S67): reading Redis gives no session id to replay, and writing it
 * cannot forge, alter or move a session without the key. `take` uses GETDEL: a transaction is consumed exactly
 * once even when two instances receive the same callback. Every command names one key, so the store works on a
 * Redis Cluster as on a single server (S100).
 *
 * @example
 * ```ts
 * const key = Buffer.from(process.env.SESSION_KEY!, 'base64'); // 32 random bytes
 * const sessionStore = redisSessionStore({ client: new Redis(process.env.REDIS_URL!), key });
 * ```
 */
export function redisSessionStore(options: RedisSessionStoreOptions): SessionStore {
  if (typeof options !== 'object' || options === null)
    throw new WebAuthConfigError('redisSessionStore needs { client, key } with a connected ioredis client');
  const problem = redisClientProblem(options.client); // S101: the library's one check of a Redis client
  if (problem) throw new WebAuthConfigError(`redisSessionStore ${problem}`);
  checkOptionKeys(options, REDIS_SESSION_STORE_KEYS, 'redisSessionStore', (m) => new WebAuthConfigError(m));
  const { client } = options;
  const sealer = sessionSealer(options.key);
  const prefix = options.prefix ?? 'tokenloop:session:';
  return {
    async get(id) {
      const name = sealer.nameOf(id);
      return sealer.open(name, await client.get(prefix + name));
    },
    async set(id, value, ttlMs) {
      const ttl = Math.max(1, Math.round(ttlMs));
      const name = sealer.nameOf(id);
      await client.set(prefix + name, sealer.seal(name, value, Date.now() + ttl), 'PX', ttl);
    },
    async delete(id) {
      await client.del(prefix + sealer.nameOf(id));
    },
    async take(id) {
      const name = sealer.nameOf(id);
      return sealer.open(name, await client.getdel(prefix + name));
    },
  };
}
