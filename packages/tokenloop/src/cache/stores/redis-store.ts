// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
import { TokenloopError } from '../../errors/errors.js';
import { debug } from '../../log/debug.js';
import { type AccountRecord, CACHE_SCHEMA_VERSION } from '../../model/account-record.js';
import { parseAccountRecord } from '../parse-record.js';
import { recordToStore } from './cache-document.js';
import { type CacheKey, cacheKey, openEnvelope, sealEnvelope } from './encryption.js';
import { isRecord, parseJson } from './json-guards.js';
import { keyedQueue } from './keyed-queue.js';
import { type RedisClient, clientKeyPrefix, redisClientProblem } from './redis-client.js';
import { redisCommand } from './redis-command.js';
import { redisStoreKeys } from './redis-keys.js';
import { acquireRedisLock } from './redis-lock.js';
import type { CacheStore, StoreUpdate, StoreWarning } from '../../model/cache-store.js';
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

// S100: each script names only keys of one record (its lock, its value, its aside name): one hash slot.
/** Write the record only while the lock (KEYS[1]) still holds our token. */
const COMMIT_SET = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1`;
/** Delete the record only while the lock (KEYS[1]) still holds our token. */
const COMMIT_DELETE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
return 1`;
/** Move a damaged value aside, unless it was replaced since we read it. */
const QUARANTINE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
return 1`;

/** Records read at once by `list()` (one GET each: a record's slot is its own, so no MGET across them). */
const READ_CHUNK = 200;

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
  const lockTtlMs = options.lockTtlMs ?? 10_000;
  const lockWaitMs = options.lockWaitMs ?? 10_000;
  const timeoutMs = options.commandTimeoutMs ?? 5_000;
  const warn = options.onWarning ?? warnOnStderr;
  const encryption: CacheKey | undefined = options.key === undefined ? undefined : cacheKey(options.key);
  const inTurn = keyedQueue();
  const recordName = keys.record;
  const command = <T>(what: string, run: () => Promise<T>): Promise<T> => redisCommand(what, timeoutMs, run);

  function encode(record: AccountRecord): string {
    const json = JSON.stringify(record);
    return encryption ? sealEnvelope(Buffer.from(json, 'utf8'), encryption, record.key) : json;
  }

  /** The record in `value`, undefined for damage (to quarantine); throws for a peer's data we cannot read. */
  function decode(key: string, value: string): AccountRecord | undefined {
    let json = value;
    const envelope = parseJson(value);
    const sealed = isRecord(envelope) && envelope.format !== undefined && envelope.alg !== undefined;
    if (encryption || sealed) {
      if (!encryption) throw unreadable(key, 'it is encrypted and this store has no `key` option');
      const opened = openEnvelope(value, [encryption], key);
      if (!opened.ok) {
        if (opened.problem === 'future-version' || opened.problem === 'unknown-key')
          throw unreadable(key, opened.detail);
        return undefined;
      }
      json = opened.plaintext.toString('utf8');
    }
    const parsed = parseJson(json);
    if (isRecord(parsed) && typeof parsed.v === 'number' && parsed.v > CACHE_SCHEMA_VERSION) {
      throw unreadable(key, `it was written by a newer tokenloop (record schema ${parsed.v})`);
    }
    const record = parseAccountRecord(parsed);
    return record?.key === key ? record : undefined;
  }

  function unreadable(key: string, detail: string): TokenloopError {
    return new TokenloopError(
      'CACHE',
      `the Redis token cache entry ${recordName(key)} cannot be read: ${detail}`,
      {
        remediation:
          'Give every process sharing this Redis the same tokenloop version and the same `key` option.',
      },
    );
  }

  async function quarantine(key: string, value: string): Promise<void> {
    // The index keeps its entry: list() skips it while there is no record, and a new record of the key needs it.
    const aside = keys.aside(key, new Date());
    const moved = await command('move a damaged entry aside', () =>
      client.eval(QUARANTINE, 2, recordName(key), aside, value),
    );
    if (moved === 1) warn(`a damaged token cache entry in Redis (${recordName(key)}) was moved to ${aside}`);
  }

  async function read(key: string): Promise<AccountRecord | undefined> {
    const value = await command('read a record', () => client.get(recordName(key)));
    if (value === null) return undefined;
    const record = decode(key, value);
    if (!record) await quarantine(key, value);
    return record;
  }

  return {
    kind: 'redis',
    get: read,
    async list() {
      const listed = await command('list records', () => client.smembers(keys.index));
      const records: AccountRecord[] = [];
      for (let i = 0; i < listed.length; i += READ_CHUNK) {
        const chunk = listed.slice(i, i + READ_CHUNK);
        const values = await command('read records', () =>
          Promise.all(chunk.map((key) => client.get(recordName(key)))),
        );
        for (const [j, key] of chunk.entries()) {
          const value = values[j];
          if (value === null || value === undefined) continue; // index entry of a record deleted meanwhile
          const record = decode(key, value);
          if (record) records.push(record);
          else await quarantine(key, value);
        }
      }
      return records;
    },
    transact<T>(
      key: string,
      fn: (current: AccountRecord | undefined) => Promise<StoreUpdate<T>>,
    ): Promise<T> {
      return inTurn(key, async () => {
        const lock = await acquireRedisLock(client, keys.lock(key), {
          ttlMs: lockTtlMs,
          waitMs: lockWaitMs,
          command,
        });
        try {
          const current = await read(key);
          const { next, result } = await fn(current);
          if (next === undefined || (next === null && current === undefined)) return result;
          const value = next === null ? undefined : encode(recordToStore(next, key));
          // Indexed before it is written, so that list() never misses a record that exists.
          if (value !== undefined) await command('index a record', () => client.sadd(keys.index, key));
          const committed =
            value === undefined
              ? await command('delete a record', () =>
                  client.eval(COMMIT_DELETE, 2, lock.key, recordName(key), lock.token),
                )
              : await command('write a record', () =>
                  client.eval(COMMIT_SET, 2, lock.key, recordName(key), lock.token, value),
                );
          if (committed !== 1) {
            throw new TokenloopError('CACHE', `lost the cache lock ${lock.key}; the update was not written`, {
              remediation:
                'The transaction outlived lockTtlMs (or Redis was unreachable to extend it) and another process ' +
                'took over. Retry; raise lockTtlMs if transactions really take this long.',
            });
          }
          // Still under the lock, so no writer of the key can index it again in between.
          if (value === undefined)
            await command('unindex a record', () => client.srem(keys.index, key)).catch((err: unknown) => {
              debug('cache', 'could not remove a deleted record from the index; list() skips it', {
                key: recordName(key),
                error: String(err),
              });
            });
          debug('cache', next === null ? 'record removed (redis)' : 'record written (redis)', {
            key: recordName(key),
          });
          return result;
        } finally {
          await lock.release();
        }
      });
    },
  };
}

export { type RedisClient, redisClientProblem } from './redis-client.js';
