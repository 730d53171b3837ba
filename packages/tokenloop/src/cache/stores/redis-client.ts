import type { Cluster, Redis } from 'ioredis';

/** An `ioredis` client: a single server (`Redis`, Sentinel included) or a Redis Cluster (`Cluster`). */
export type RedisClient = Redis | Cluster;

/** The commands the Redis stores call; a client without them is not an ioredis client. */
const NEEDED = ['get', 'set', 'del', 'eval', 'sadd', 'srem', 'smembers', 'getdel'] as const;

/**
 * What is wrong with `client` as the client of a Redis store, or undefined when it will do. The one check of the
 * token store (`redisStore`) and the web session store (`redisSessionStore`).
 *
 * S101: a client that reads from replicas is refused: a Cluster client with `scaleReads` other than `'master'`, or
 * a Sentinel client with `role: 'slave'`. Replication is asynchronous, so such a client can read a value older
 * than the last write: a transaction would update a stale record under its lock (a lost update, a rotated refresh
 * token overwritten by its predecessor), and a session just signed out would still be found on a replica.
 *
 * @example
 * ```ts
 * const problem = redisClientProblem(options.client);
 * if (problem) throw new Error(`redisStore ${problem}`);
 * ```
 */
export function redisClientProblem(client: unknown): string | undefined {
  const needs = 'needs client: a connected ioredis client (new Redis(…) or new Cluster(…))';
  if (typeof client !== 'object' || client === null) return needs;
  const c = client as Record<string, unknown> & { options?: Record<string, unknown> };
  if (NEEDED.some((name) => typeof c[name] !== 'function')) return needs;
  const options = c.options ?? {};
  if (c.isCluster === true) {
    const scaleReads = options.scaleReads ?? 'master';
    if (scaleReads !== 'master')
      return (
        `needs a Cluster client that reads from masters, not scaleReads: ${typeof scaleReads === 'string' ? `'${scaleReads}'` : 'a function'}: ` +
        'replicas can answer with values older than the last write; leave scaleReads out (it defaults to master)'
      );
  } else if (options.role === 'slave') {
    return (
      "needs a client of the master, not role: 'slave': a replica refuses writes and can answer with values older " +
      'than the last write; leave role out (Sentinel then connects to the master)'
    );
  }
  return undefined;
}

/** The `keyPrefix` ioredis puts before every key the client sends ('' without one). */
export function clientKeyPrefix(client: RedisClient): string {
  const prefix: unknown = client.options.keyPrefix;
  return typeof prefix === 'string' ? prefix : '';
}
