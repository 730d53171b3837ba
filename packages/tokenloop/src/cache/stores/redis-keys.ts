import { TokenloopError } from '../../errors/errors.js';

/**
 * S100: the Redis key names of the token store, where keys that one command or Lua script uses together share a
 * hash slot, so that every command works on a Redis Cluster as on a single server. Redis Cluster hashes only a
 * key's hash tag when it has one: the text between its first `{` and the first `}` after it, if not empty. The
 * keys of one record are `<prefix>rec:{<record key>}`, `<prefix>lock:{<record key>}` and
 * `<prefix>corrupt:{<record key>}:<time>` (one slot per record, so records spread over the masters); the index
 * `<prefix>index` stands alone and is never in a command with another key.
 */
export interface RedisStoreKeys {
  index: string;
  record(key: string): string;
  lock(key: string): string;
  /** Where a damaged value of `key` is moved (in the record's slot, for the RENAME). */
  aside(key: string, time: Date): string;
}

/**
 * The key names under `prefix`. A prefix with a hash tag of its own (`{myapp}:`) puts every key in that tag's
 * slot, which is fine; a prefix with a `{` that no `}` closes, or an empty `{}` first, would make Redis hash the
 * keys of one record apart, and is refused with `TokenloopError('INVALID_ARGUMENT')`. `clientPrefix` is the
 * client's own `keyPrefix`, which ioredis puts before every key.
 *
 * @example
 * ```ts
 * redisStoreKeys('tokenloop:').lock('login.microsoftonline.com|c|o.t') // 'tokenloop:lock:{login.microsoftonline.com|c|o.t}'
 * ```
 */
export function redisStoreKeys(prefix: string, clientPrefix = ''): RedisStoreKeys {
  const before = clientPrefix + prefix;
  const open = before.indexOf('{');
  if (open >= 0) {
    const close = before.indexOf('}', open + 1);
    if (close < 0) throw badPrefix(before, 'opens a hash tag `{` that it does not close');
    if (close === open + 1) throw badPrefix(before, 'starts with an empty hash tag `{}`');
  }
  return {
    index: `${prefix}index`,
    record: (key) => `${prefix}rec:${hashTag(key)}`,
    lock: (key) => `${prefix}lock:${hashTag(key)}`,
    aside: (key, time) => `${prefix}corrupt:${hashTag(key)}:${time.toISOString()}`,
  };
}

/**
 * `{<id>}` with `%`, `{` and `}` percent-encoded, so that the tag is all of `id` and distinct ids stay distinct.
 * An empty id has no tag (`{}` would hash the whole key), so it is refused.
 */
function hashTag(id: string): string {
  if (id === '') throw new TokenloopError('INVALID_ARGUMENT', 'a token cache record key must not be empty');
  return `{${id.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}}`;
}

function badPrefix(prefix: string, problem: string): TokenloopError {
  return new TokenloopError(
    'INVALID_ARGUMENT',
    `the Redis key prefix ${JSON.stringify(prefix)} ${problem}, so the keys of one record would not share a Redis Cluster hash slot`,
    {
      remediation:
        'Give redisStore (and the ioredis keyPrefix) a prefix without braces, as the store adds its own hash tags, or one with a whole hash tag such as `{myapp}:`.',
    },
  );
}
