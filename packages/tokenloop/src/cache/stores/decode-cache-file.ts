import type { AccountRecord } from '../../model/account-record.js';
import { parseCacheDocument } from './cache-document.js';
import { type CacheKey, openEnvelope } from './encryption.js';

/** An encrypted cache file's bytes, opened and validated — or what is wrong with them. */
export type DecodedCacheFile =
  | { ok: true; records: ReadonlyMap<string, AccountRecord>; rejected: number; key: CacheKey }
  | { ok: false; detail: string };

/**
 * Open the bytes of an encrypted cache file with whichever of `keys` sealed it and validate its records (C3:
 * `rejected` counts the records left out). The one decoder of the file store and of its fast-path snapshot.
 */
export function decodeCacheFile(raw: Buffer, keys: readonly CacheKey[]): DecodedCacheFile {
  const opened = openEnvelope(raw, keys);
  if (!opened.ok) return { ok: false, detail: opened.detail };
  const doc = parseCacheDocument(opened.plaintext);
  if (!doc.ok) return { ok: false, detail: doc.detail };
  return { ok: true, records: doc.records, rejected: doc.rejected, key: opened.key };
}
