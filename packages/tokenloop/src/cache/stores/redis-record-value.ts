import { TokenloopError } from '../../errors/errors.js';
import { type AccountRecord, CACHE_SCHEMA_VERSION } from '../../model/account-record.js';
import { parseAccountRecord } from '../parse-record.js';
import { type CacheKey, openEnvelope, sealEnvelope } from './encryption.js';
import { isRecord, parseJson } from './json-guards.js';

/**
 * The Redis value of a record: its JSON, or with `encryption` an AES-256-GCM envelope of it bound to the
 * record's key (so that a value copied under another record key does not open).
 */
export function encodeRecordValue(record: AccountRecord, encryption: CacheKey | undefined): string {
  const json = JSON.stringify(record);
  return encryption ? sealEnvelope(Buffer.from(json, 'utf8'), encryption, record.key) : json;
}

/**
 * The record of `key` in `value`, undefined for damage (to quarantine); throws `TokenloopError('CACHE')` for a
 * peer's data this store cannot read (encrypted without our `key` option, under another key, or from a newer
 * tokenloop), which is never quarantined. `name` is the value's Redis key, for the message.
 */
export function decodeRecordValue(
  key: string,
  value: string,
  encryption: CacheKey | undefined,
  name: string,
): AccountRecord | undefined {
  let json = value;
  const envelope = parseJson(value);
  const sealed = isRecord(envelope) && envelope.format !== undefined && envelope.alg !== undefined;
  if (encryption || sealed) {
    if (!encryption) throw unreadable(name, 'it is encrypted and this store has no `key` option');
    const opened = openEnvelope(value, [encryption], key);
    if (!opened.ok) {
      if (opened.problem === 'future-version' || opened.problem === 'unknown-key')
        throw unreadable(name, opened.detail);
      return undefined;
    }
    json = opened.plaintext.toString('utf8');
  }
  const parsed = parseJson(json);
  if (isRecord(parsed) && typeof parsed.v === 'number' && parsed.v > CACHE_SCHEMA_VERSION) {
    throw unreadable(name, `it was written by a newer tokenloop (record schema ${parsed.v})`);
  }
  const record = parseAccountRecord(parsed);
  return record?.key === key ? record : undefined;
}

function unreadable(name: string, detail: string): TokenloopError {
  return new TokenloopError('CACHE', `the Redis token cache entry ${name} cannot be read: ${detail}`, {
    remediation:
      'Give every process sharing this Redis the same tokenloop version and the same `key` option.',
  });
}
