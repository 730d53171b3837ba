import { resolve } from 'node:path';
import { TokenloopError } from '../../errors/errors.js';
import { readPrivateFileSync } from '../../private-files/read-private-file.js';
import type { AccountRecord } from '../../model/account-record.js';
import { decodeCacheFile } from './decode-cache-file.js';
import { keyFileOf, readKeyFileSync } from './key-source.js';
import type { CacheStore } from '../../model/cache-store.js';

/**
 * S125: what `encryptedFileStore({ path })` serves from its file right now, read in one synchronous go, as a
 * read-only store — for a process that only reads a cached token and must start fast (the CLI's `token`). The
 * store's own steps: the cache file, then its key file, each through the one private-file reader (S80–S83: a
 * refusal throws here as it does there), then the one decoder (decryption, record validation). Undefined
 * whenever only the store itself can answer: no cache file (it answers "nobody signed in"), no key file (the
 * key is in the OS keyring, or not made yet), or a file the store would quarantine or repair (C3: that happens
 * under its lock, with its warning). `transact` throws: a token that needs renewing is left to the store.
 *
 * @example
 * ```ts
 * const cache = encryptedFileSnapshot({ path }) ?? encryptedFileStore({ path });
 * ```
 */
export function encryptedFileSnapshot(options: { path: string }): CacheStore | undefined {
  const path = resolve(options.path);
  const file = readPrivateFileSync(path);
  if (!file) return undefined;
  const key = readKeyFileSync(keyFileOf(path));
  if (!key) return undefined;
  const decoded = decodeCacheFile(file.data, [key]);
  if (!decoded.ok || decoded.rejected > 0) return undefined;
  return snapshotStore(decoded.records);
}

/**
 * The files `encryptedFileSnapshot({ path })` reads (the cache file and its key file), absolute: what a copy of
 * its answer depends on (the CLI's token agent keeps answers only while these are unchanged, S221).
 */
export function encryptedFileSnapshotSources(options: { path: string }): string[] {
  const path = resolve(options.path);
  return [path, keyFileOf(path)];
}

function snapshotStore(records: ReadonlyMap<string, AccountRecord>): CacheStore {
  return {
    kind: 'file-snapshot',
    async get(key) {
      return records.get(key);
    },
    async list() {
      return [...records.values()];
    },
    async transact() {
      throw new TokenloopError(
        'CACHE',
        'a snapshot of the token cache is read-only: renewing a token needs the encrypted file store',
      );
    },
  };
}
