import type { Redis } from 'ioredis';
import type { SessionStore } from './session-store.js';

/**
 * Sessions in Redis, so that several app instances share sign-ins. `take` uses GETDEL: a transaction is
 * consumed exactly once even when two instances receive the same callback.
 */
export function redisSessionStore(options: { client: Redis; prefix?: string }): SessionStore {
  const { client } = options;
  const prefix = options.prefix ?? 'tokenloop:session:';
  const parse = (text: string | null) =>
    text === null ? undefined : (JSON.parse(text) as Record<string, unknown>);
  return {
    async get(id) {
      return parse(await client.get(prefix + id));
    },
    async set(id, value, ttlMs) {
      await client.set(prefix + id, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs)));
    },
    async delete(id) {
      await client.del(prefix + id);
    },
    async take(id) {
      return parse(await client.getdel(prefix + id));
    },
  };
}
