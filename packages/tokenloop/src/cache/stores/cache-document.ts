import { TokenloopError } from '../../errors/errors.js';
import { type AccountRecord, CACHE_SCHEMA_VERSION } from '../../model/account-record.js';
import { parseAccountRecord } from '../parse-record.js';
import { isRecord, parseJson } from './json-guards.js';

/**
 * The plaintext inside an encrypted cache file: `{ schema, records: { [recordKey]: AccountRecord } }`.
 * `schema` is the `CACHE_SCHEMA_VERSION` that wrote it.
 */
export type ParsedCacheDocument =
  | {
      ok: true;
      /** The records that passed `parseAccountRecord`, frozen (stores share them between callers). */
      records: ReadonlyMap<string, AccountRecord>;
      /** How many entries failed validation and were left out. */
      rejected: number;
    }
  | { ok: false; detail: string };

/** Serialise records for `parseCacheDocument`. */
export function serializeCacheDocument(records: ReadonlyMap<string, AccountRecord>): Buffer {
  return Buffer.from(
    JSON.stringify({ schema: CACHE_SCHEMA_VERSION, records: Object.fromEntries(records) }),
    'utf8',
  );
}

/**
 * Parse and validate a decrypted cache document. A document that is not JSON, has no records or was written
 * by a newer schema fails as a whole; otherwise each record is checked on its own, so one bad record does not
 * cost the others (C3).
 *
 * @example
 * ```ts
 * const doc = parseCacheDocument(plaintext);
 * if (doc.ok && doc.rejected > 0) keepACopyAndWarn();
 * ```
 */
export function parseCacheDocument(plaintext: Uint8Array): ParsedCacheDocument {
  const value = parseJson(Buffer.from(plaintext).toString('utf8'));
  if (!isRecord(value) || typeof value.schema !== 'number' || !isRecord(value.records)) {
    return { ok: false, detail: 'its content is damaged' };
  }
  if (value.schema > CACHE_SCHEMA_VERSION) {
    return {
      ok: false,
      detail: `it was written by a newer tokenloop (cache schema ${value.schema}; this version reads ${CACHE_SCHEMA_VERSION})`,
    };
  }
  const records = new Map<string, AccountRecord>();
  let rejected = 0;
  for (const [key, raw] of Object.entries(value.records)) {
    const record = parseAccountRecord(raw);
    if (record && record.key === key) records.set(key, deepFreeze(record));
    else rejected++;
  }
  return { ok: true, records, rejected };
}

/**
 * Check a record a `transact` callback wants stored under `key`: it must pass `parseAccountRecord` after a
 * JSON round trip (exactly as it will be read back) and carry that key. Returns the frozen copy to keep;
 * throws `TokenloopError('INVALID_ARGUMENT')` otherwise, before anything is written.
 */
export function recordToStore(next: AccountRecord, key: string): AccountRecord {
  const record = parseAccountRecord(parseJson(JSON.stringify(next)));
  if (!record) {
    throw new TokenloopError(
      'INVALID_ARGUMENT',
      'transact returned an invalid account record; nothing was written',
    );
  }
  if (record.key !== key) {
    throw new TokenloopError(
      'INVALID_ARGUMENT',
      'transact returned a record for another key; nothing was written',
    );
  }
  return deepFreeze(record);
}

/** Freeze a parsed value and everything in it (records read back are shared between callers). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}
