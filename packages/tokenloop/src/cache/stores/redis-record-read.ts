import type { AccountRecord } from '../../model/account-record.js';
import { decodeRecordValue } from './redis-record-value.js';
import { quarantineValue } from './redis-scripts.js';
import type { RedisStoreContext } from './redis-store-context.js';

/** Records read at once by `list()` (one GET each: a record's slot is its own, so no MGET across them). */
const READ_CHUNK = 200;

/** The record of `key`, undefined when there is none or it was damaged (then moved aside, C3). */
export async function readRecord(ctx: RedisStoreContext, key: string): Promise<AccountRecord | undefined> {
  const { client, keys, command } = ctx;
  const value = await command('read a record', () => client.get(keys.record(key)));
  if (value === null) return undefined;
  return usable(ctx, key, value);
}

/**
 * Every record the index names, read in chunks. An index entry without a record (a record deleted meanwhile,
 * or a writer that died between indexing and writing) is skipped; a damaged record is moved aside.
 */
export async function listRecords(ctx: RedisStoreContext): Promise<AccountRecord[]> {
  const { client, keys, command } = ctx;
  const listed = await command('list records', () => client.smembers(keys.index));
  const records: AccountRecord[] = [];
  for (let i = 0; i < listed.length; i += READ_CHUNK) {
    const chunk = listed.slice(i, i + READ_CHUNK);
    const values = await command('read records', () =>
      Promise.all(chunk.map((key) => client.get(keys.record(key)))),
    );
    for (const [j, key] of chunk.entries()) {
      const value = values[j];
      if (value === null || value === undefined) continue; // index entry of a record deleted meanwhile
      const record = await usable(ctx, key, value);
      if (record) records.push(record);
    }
  }
  return records;
}

/** The record in `value`; a damaged one is moved aside (undefined), a peer's unreadable one throws. */
async function usable(
  ctx: RedisStoreContext,
  key: string,
  value: string,
): Promise<AccountRecord | undefined> {
  const record = decodeRecordValue(key, value, ctx.encryption, ctx.keys.record(key));
  if (!record) await quarantineValue(ctx, key, value);
  return record;
}
