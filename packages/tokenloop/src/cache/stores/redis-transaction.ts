import { TokenloopError } from '../../errors/errors.js';
import { debug } from '../../log/debug.js';
import type { AccountRecord } from '../../model/account-record.js';
import type { StoreUpdate } from '../../model/cache-store.js';
import { recordToStore } from './cache-document.js';
import { type HeldRedisLock, acquireRedisLock } from './redis-lock.js';
import { readRecord } from './redis-record-read.js';
import { encodeRecordValue } from './redis-record-value.js';
import { commitRecord } from './redis-scripts.js';
import type { RedisStoreContext } from './redis-store-context.js';

/** How long a record lock lives without extension and how long to wait for one, in ms. */
export interface RecordLockTimes {
  ttlMs: number;
  waitMs: number;
}

/**
 * One transaction on the record of `key` across processes: under the record's lock, read it, let `fn` decide,
 * and commit the change with a script that checks the lock is still ours (C2, C4). The index is kept in step
 * under the same lock (S100: it lives in a slot of its own, so outside the script).
 */
export async function transactRecord<T>(
  ctx: RedisStoreContext,
  times: RecordLockTimes,
  key: string,
  fn: (current: AccountRecord | undefined) => Promise<StoreUpdate<T>>,
): Promise<T> {
  const { client, keys, command } = ctx;
  const lock = await acquireRedisLock(client, keys.lock(key), {
    ttlMs: times.ttlMs,
    waitMs: times.waitMs,
    command,
  });
  try {
    const current = await readRecord(ctx, key);
    const { next, result } = await fn(current);
    if (next === undefined || (next === null && current === undefined)) return result;
    const value = next === null ? undefined : encodeRecordValue(recordToStore(next, key), ctx.encryption);
    // Indexed before it is written, so that list() never misses a record that exists.
    if (value !== undefined) await command('index a record', () => client.sadd(keys.index, key));
    if (!(await commitRecord(ctx, lock, key, value))) throw lostLock(lock);
    // Still under the lock, so no writer of the key can index it again in between.
    if (value === undefined) await unindex(ctx, key);
    debug('cache', next === null ? 'record removed (redis)' : 'record written (redis)', {
      key: keys.record(key),
    });
    return result;
  } finally {
    await lock.release();
  }
}

/** Remove a deleted record's index entry; a failure leaves an entry `list()` skips. */
async function unindex({ client, keys, command }: RedisStoreContext, key: string): Promise<void> {
  await command('unindex a record', () => client.srem(keys.index, key)).catch((err: unknown) => {
    debug('cache', 'could not remove a deleted record from the index; list() skips it', {
      key: keys.record(key),
      error: String(err),
    });
  });
}

function lostLock(lock: HeldRedisLock): TokenloopError {
  return new TokenloopError('CACHE', `lost the cache lock ${lock.key}; the update was not written`, {
    remediation:
      'The transaction outlived lockTtlMs (or Redis was unreachable to extend it) and another process ' +
      'took over. Retry; raise lockTtlMs if transactions really take this long.',
  });
}
