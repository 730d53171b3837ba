import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from './redis-client.js';
import { TokenloopError } from '../../errors/errors.js';
import { debug } from '../../log/debug.js';
import { backoffDelays } from './backoff.js';

/** Delete the lock only if it still holds our token. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Extend the lock only if it still holds our token. */
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export interface RedisLockOptions {
  /** The lock expires this long after its last extension, in ms; a live holder extends it every third. */
  ttlMs: number;
  /** Longest wait for another holder, in ms. Then `TokenloopError('CACHE')`. */
  waitMs: number;
  /** Runs one command with a deadline (see `redisCommand`). */
  command: <T>(what: string, run: () => Promise<T>) => Promise<T>;
}

/** A Redis lock this process holds. */
export interface HeldRedisLock {
  readonly key: string;
  /** The value of the lock key while we hold it: writes check it atomically (compare in a Lua script). */
  readonly token: string;
  /** Stop extending and delete the lock if it is still ours. Never throws. */
  release(): Promise<void>;
}

/**
 * Take the lock `key` with `SET key token NX PX ttl`, polling with backoff for up to `waitMs` while someone
 * else holds it. A holder that vanishes (crash, network partition) stops extending its lock, which then
 * expires after `ttlMs`. Because a lock can expire under a slow holder, writes must be made conditional on
 * `token` (see the store's commit script) rather than trusted to the lock alone.
 *
 * @example
 * ```ts
 * const lock = await acquireRedisLock(client, 'tokenloop:lock:{alice}', { ttlMs: 10_000, waitMs: 10_000, command });
 * try { ... } finally { await lock.release(); }
 * ```
 */
export async function acquireRedisLock(
  client: RedisClient,
  key: string,
  options: RedisLockOptions,
): Promise<HeldRedisLock> {
  const token = randomBytes(16).toString('hex');
  const started = Date.now();
  const nextDelay = backoffDelays(2, 100);
  for (;;) {
    const ok = await options.command('take the cache lock', () =>
      client.set(key, token, 'PX', options.ttlMs, 'NX'),
    );
    if (ok === 'OK') break;
    const left = started + options.waitMs - Date.now();
    if (left <= 0) {
      throw new TokenloopError('CACHE', `timed out waiting for the cache lock ${key} in Redis`, {
        remediation:
          "Another process kept this account locked for longer than lockWaitMs. Retry; a crashed holder's lock " +
          'expires by itself after lockTtlMs.',
      });
    }
    await sleep(Math.min(nextDelay(), left));
  }
  debug('lock', 'acquired (redis)', { key, waitedMs: Date.now() - started });
  const heartbeat = setInterval(
    () => {
      options
        .command('extend the cache lock', () => client.eval(EXTEND, 1, key, token, options.ttlMs))
        .then((extended) => {
          if (extended !== 1) debug('lock', 'lost the redis lock before the end of the transaction', { key });
        })
        .catch(() => {}); // the commit script will notice
    },
    Math.max(10, Math.floor(options.ttlMs / 3)),
  );
  heartbeat.unref();
  return {
    key,
    token,
    async release() {
      clearInterval(heartbeat);
      await options
        .command('release the cache lock', () => client.eval(RELEASE, 1, key, token))
        .catch((err: unknown) => {
          debug('lock', 'could not release the redis lock; it will expire', { key, error: String(err) });
        });
    },
  };
}
