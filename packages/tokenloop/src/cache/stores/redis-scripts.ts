import type { HeldRedisLock } from './redis-lock.js';
import type { RedisStoreContext } from './redis-store-context.js';

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

/**
 * Write `value` as the record of `key` (undefined: delete it), only while `lock` still holds our token (C2, C4).
 * True when it was committed; false when the lock was lost and nothing was written.
 */
export async function commitRecord(
  { client, keys, command }: RedisStoreContext,
  lock: HeldRedisLock,
  key: string,
  value: string | undefined,
): Promise<boolean> {
  const committed =
    value === undefined
      ? await command('delete a record', () =>
          client.eval(COMMIT_DELETE, 2, lock.key, keys.record(key), lock.token),
        )
      : await command('write a record', () =>
          client.eval(COMMIT_SET, 2, lock.key, keys.record(key), lock.token, value),
        );
  return committed === 1;
}

/** Move the damaged `value` of `key` aside (C3), with a warning, unless it was replaced since it was read. */
export async function quarantineValue(
  { client, keys, command, warn }: RedisStoreContext,
  key: string,
  value: string,
): Promise<void> {
  // The index keeps its entry: list() skips it while there is no record, and a new record of the key needs it.
  const aside = keys.aside(key, new Date());
  const moved = await command('move a damaged entry aside', () =>
    client.eval(QUARANTINE, 2, keys.record(key), aside, value),
  );
  if (moved === 1) warn(`a damaged token cache entry in Redis (${keys.record(key)}) was moved to ${aside}`);
}
