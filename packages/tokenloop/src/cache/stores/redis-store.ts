// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
import { TokenloopError } from '../../errors/errors.js';
import { type CacheKey, cacheKey } from './encryption.js';
import { keyedQueue } from './keyed-queue.js';
import { type RedisClient, clientKeyPrefix, redisClientProblem } from './redis-client.js';
import { redisCommand } from './redis-command.js';
import { redisStoreKeys } from './redis-keys.js';
import { listRecords, readRecord } from './redis-record-read.js';
import type { RedisStoreContext } from './redis-store-context.js';
import { transactRecord } from './redis-transaction.js';
import type { CacheStore, StoreWarning } from '../../model/cache-store.js';
import { warnOnStderr } from './store-warning.js';

export interface RedisStoreOptions {
  /**
   * A connected `ioredis` client: `new Redis(…)` (a single server, or Sentinel) or `new Cluster(…)` (Redis
   * Cluster). It must read from masters (S101). The store never closes it.
   */
  client: RedisClient;
  /** Prefix of every key the store uses (default `tokenloop:`); braces only as a whole hash tag (S100). */
  prefix?: string;
  /** A 32-byte key: values are then AES-256-GCM envelopes bound to their record key, not plain JSON. */
  key?: Uint8Array;
  /** Lifetime of a record lock without extension, in ms (default 10 000); live holders extend it every third. */
  lockTtlMs?: number;
  /** Longest wait for a record lock held elsewhere, in ms (default 10 000). */
  lockWaitMs?: number;
  /** Deadline of each Redis command, in ms (default 5 000), so a dead server fails fast instead of hanging. */
  commandTimeoutMs?: number;
  /** Where warnings go (a damaged entry moved aside). Default: one line on stderr. */
  onWarning?: StoreWarning;
}

/**
 * A token cache in Redis, shared by a fleet of processes: one Redis key per account record
 * (`<prefix>rec:{<recordKey>}`, JSON or an encrypted envelope), a set `<prefix>index` for `list()`, and a lock
 * per record (`<prefix>lock:{<recordKey>}`, `SET NX PX`, released by compare-and-delete). Writes are committed
 * by a Lua script that checks the lock token first, so a transaction that outlived its lock writes nothing
 * (C2, C4). A damaged entry is renamed to `<prefix>corrupt:{<recordKey>}:<time>` with a warning (C3); an entry
 * from a newer tokenloop or under another key is an error, never quarantined, because in a shared store it
 * belongs to a differently configured peer (a rolling upgrade, say).
 *
 * The same on a Redis Cluster (S100): the keys of one record share a hash slot (the `{…}` hash tag), and no
 * command names keys of two records. The index lives in a slot of its own, so it is kept in step outside the
 * commit script, under the record's lock: added to before a record is written, removed from after a record is
 * deleted. An index entry without a record (a writer that died in between) is skipped by `list()`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { redisStore } from 'tokenloop/redis';
 * const store = redisStore({ client: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') });
 * ```
 */
export function redisStore(options: RedisStoreOptions): CacheStore {
  const problem = redisClientProblem((options as Partial<RedisStoreOptions> | undefined)?.client);
  if (problem) throw new TokenloopError('INVALID_ARGUMENT', `redisStore ${problem}`);
  const { client } = options;
  const prefix = options.prefix ?? 'tokenloop:';
  if (typeof prefix !== 'string')
    throw new TokenloopError('INVALID_ARGUMENT', 'redisStore prefix must be a string');
  const keys = redisStoreKeys(prefix, clientKeyPrefix(client));
  const timeoutMs = options.commandTimeoutMs ?? 5_000;
  const warn = options.onWarning ?? warnOnStderr;
  const encryption: CacheKey | undefined = options.key === undefined ? undefined : cacheKey(options.key);
  const command = <T>(what: string, run: () => Promise<T>): Promise<T> => redisCommand(what, timeoutMs, run);
  const ctx: RedisStoreContext = { client, keys, command, warn, encryption };
  const times = { ttlMs: options.lockTtlMs ?? 10_000, waitMs: options.lockWaitMs ?? 10_000 };
  const inTurn = keyedQueue();
  return {
    kind: 'redis',
    get: (key) => readRecord(ctx, key),
    list: () => listRecords(ctx),
    transact: (key, fn) => inTurn(key, () => transactRecord(ctx, times, key, fn)),
  };
}

export { type RedisClient, redisClientProblem } from './redis-client.js';
