import { promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TokenloopError } from '../../errors/errors.js';
import { debug } from '../../log/debug.js';
import type { AccountRecord } from '../../model/account-record.js';
import { removeOrphanTempFiles, writeFileAtomic } from '../../private-files/atomic-write.js';
import { ensurePrivateDirectory } from '../../private-files/private-directory.js';
import { readPrivateFile } from '../../private-files/read-private-file.js';
import { recordToStore, serializeCacheDocument } from './cache-document.js';
import { cacheIoError, errnoCode } from './cache-io-error.js';
import { decodeCacheFile as decode } from './decode-cache-file.js';
import { type CacheKey, sealEnvelope } from './encryption.js';
import { type FileLockOptions, type HeldFileLock, withFileLock } from './file-lock.js';
import { type KeySource, type ResolvedCacheKeys, resolveCacheKeys } from './key-source.js';
import { quarantineCopy, quarantineFile } from './quarantine.js';
import type { CacheStore, StoreUpdate, StoreWarning } from '../../model/cache-store.js';
import { warnOnStderr } from './store-warning.js';

export type { KeySource } from './key-source.js';

export interface EncryptedFileStoreOptions {
  /** The cache file. Beside it: `<path>.lock` (the lock), `<path>.key` (the key, when no keyring is used). */
  path: string;
  /** A 32-byte key to use instead of the keyring or key file (for example from your own secret store). */
  key?: Uint8Array;
  /** `auto` (default): the OS keyring when reachable, else the key file. `off`: the key file only. */
  keyring?: 'auto' | 'off';
  /** Longest wait for another process's lock, in ms (default 10 000). */
  lockTimeoutMs?: number;
  /** A lock not refreshed for this long is taken over, in ms (default 30 000). */
  staleLockMs?: number;
  /** Where warnings go (a quarantined cache). Default: one line on stderr. */
  onWarning?: StoreWarning;
}

/** The encrypted file store, with where its key came from. */
export interface EncryptedFileStore extends CacheStore {
  readonly kind: 'file';
  /** The absolute path of the cache file. */
  readonly path: string;
  /** Where the key comes from (`option`, `keyring`, `key-file`); the first call finds or creates the key. */
  keySource(): Promise<KeySource>;
}

/** Identity of a file version: any write replaces the file (new inode, new times). */
interface FileStamp {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

interface Snapshot {
  /** undefined: there was no file. */
  stamp: FileStamp | undefined;
  raw: Buffer | undefined;
  records: ReadonlyMap<string, AccountRecord>;
  /** The key that opened the file (and encrypts its next version). */
  key: CacheKey | undefined;
  /** When the file was last read or confirmed (epoch ms). */
  checkedAt: number;
}

/**
 * File systems stamp times with a coarse clock (a jiffy on ext4, up to 2 s on FAT). A file modified within
 * this window of our read could change again without its stamp changing, so it is re-read (byte compare,
 * no decryption) until it is older; the same trick git uses for "racily clean" index entries.
 */
const RACY_WINDOW_MS = 2_000;
const EMPTY: ReadonlyMap<string, AccountRecord> = new Map();

/**
 * A token cache in one AES-256-GCM encrypted file, shared safely by every process of the user on the machine.
 * `get` serves a decrypted copy for as long as the file is unchanged (one `stat`); `transact` locks the file
 * across processes, re-reads it, and writes atomically (C1, C2). A damaged, undecryptable or newer-format file
 * is moved aside to `<path>.corrupt-<time>` with one warning, and the cache starts empty; when only some
 * records are bad, the rest are kept and a copy of the original is kept aside (C3). Transactions on one file
 * take turns, whatever their key; do not start one from inside another (that fails at once).
 *
 * @example
 * ```ts
 * const store = encryptedFileStore({ path: `${process.env.HOME}/.cache/tokenloop/tokens.json` });
 * console.log(await store.keySource()); // 'keyring' or 'key-file'
 * ```
 */
export function encryptedFileStore(options: EncryptedFileStoreOptions): EncryptedFileStore {
  const store = fileStoreState(options);
  if (options.key !== undefined && (!(options.key instanceof Uint8Array) || options.key.length !== 32)) {
    throw new TokenloopError('INVALID_ARGUMENT', 'encryptedFileStore: `key` must be 32 bytes');
  }
  return {
    kind: 'file',
    path: store.path,
    async keySource() {
      return (await cacheKeys(store)).source;
    },
    async get(key) {
      return (await current(store)).records.get(key);
    },
    async list() {
      return [...(await current(store)).records.values()];
    },
    async transact<T>(
      key: string,
      fn: (current: AccountRecord | undefined) => Promise<StoreUpdate<T>>,
    ): Promise<T> {
      const resolved = await cacheKeys(store);
      return locked(store, (lock) => transactLocked(store, lock, resolved, key, fn));
    },
  };
}

/** One store's settings, and what it keeps between calls. */
interface FileStoreState {
  readonly path: string;
  readonly lockPath: string;
  readonly lockOptions: FileLockOptions;
  readonly staleMs: number;
  readonly warn: StoreWarning;
  readonly key: Uint8Array | undefined;
  readonly keyring: EncryptedFileStoreOptions['keyring'];
  /** The file version last read or written. */
  snapshot: Snapshot | undefined;
  /** A reload under way, which every `get` and `list` meanwhile waits for. */
  loading: Promise<Snapshot> | undefined;
  keys: Promise<ResolvedCacheKeys> | undefined;
  directory: Promise<void> | undefined;
}

function fileStoreState(options: EncryptedFileStoreOptions): FileStoreState {
  const path = resolve(options.path);
  return {
    path,
    lockPath: `${path}.lock`,
    lockOptions: { timeoutMs: options.lockTimeoutMs, staleMs: options.staleLockMs },
    staleMs: options.staleLockMs ?? 30_000,
    warn: options.onWarning ?? warnOnStderr,
    key: options.key,
    keyring: options.keyring,
    snapshot: undefined,
    loading: undefined,
    keys: undefined,
    directory: undefined,
  };
}

// The folder, the cross-process lock and the key.

function ensureDirectory(store: FileStoreState): Promise<void> {
  return (store.directory ??= ensurePrivateDirectory(dirname(store.path)).catch((err: unknown) => {
    store.directory = undefined;
    throw cacheIoError(err, store.path, 'create the directory of');
  }));
}

/** Run `fn` under the cross-process lock. Errors from taking the lock become `TokenloopError('CACHE')`. */
async function locked<T>(store: FileStoreState, fn: (lock: HeldFileLock) => Promise<T>): Promise<T> {
  await ensureDirectory(store);
  let inside = false;
  try {
    return await withFileLock(store.lockPath, store.lockOptions, async (lock) => {
      inside = true;
      if (lock.recoveredStale) await io(store, 'clean up after', () => cleanUpAfterCrash(store));
      return fn(lock);
    });
  } catch (err) {
    throw inside ? err : cacheIoError(err, store.lockPath, 'lock');
  }
}

async function cleanUpAfterCrash(store: FileStoreState): Promise<void> {
  const removed =
    (await removeOrphanTempFiles(store.path)) + (await removeOrphanTempFiles(store.lockPath, store.staleMs));
  if (removed > 0)
    debug('cache', `removed ${removed} temporary file(s) left by a crashed writer`, { path: store.path });
}

/** The keys that open the cache, found (or made, under the lock) once. */
function cacheKeys(store: FileStoreState): Promise<ResolvedCacheKeys> {
  return (store.keys ??= resolveCacheKeys({
    cachePath: store.path,
    key: store.key,
    keyring: store.keyring,
    exclusive: (create) => locked(store, () => create()),
  }).catch((err: unknown) => {
    store.keys = undefined;
    throw cacheIoError(err, `${store.path}.key`, 'read the key of');
  }));
}

/** Run one file operation; its errors become `TokenloopError('CACHE')` saying what failed (`action`). */
async function io<T>(store: FileStoreState, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw cacheIoError(err, store.path, action);
  }
}

// Reading.

/** Hot path: the current snapshot when the file's stamp is unchanged and not racy, else a reload. */
async function current(store: FileStoreState): Promise<Snapshot> {
  if (store.loading) return store.loading;
  const stamp = await io(store, 'read', () => statStamp(store.path));
  const { snapshot } = store;
  if (snapshot && sameStamp(snapshot.stamp, stamp) && settled(snapshot)) return snapshot;
  if (store.loading) return store.loading;
  store.loading = reload(store).finally(() => (store.loading = undefined));
  return store.loading;
}

async function reload(store: FileStoreState): Promise<Snapshot> {
  const file = await io(store, 'read', () => readStamped(store.path));
  if (!file) return (store.snapshot = emptySnapshot());
  const reused = reuseIfSame(store, file);
  if (reused) return reused;
  const decoded = decode(file.raw, (await cacheKeys(store)).keys);
  if (decoded.ok && decoded.rejected === 0) {
    return (store.snapshot = snapshotOf(file.stamp, file.raw, decoded.records, decoded.key));
  }
  return locked(store, () => loadLocked(store)); // something to quarantine: only under the lock
}

/** Fresh read under the lock; quarantines and repairs what it must (C3). */
async function loadLocked(store: FileStoreState): Promise<Snapshot> {
  const resolved = await cacheKeys(store); // already resolved by every caller before taking the lock
  const file = await io(store, 'read', () => readStamped(store.path));
  if (!file) return (store.snapshot = emptySnapshot());
  const reused = reuseIfSame(store, file);
  if (reused) return reused;
  const decoded = decode(file.raw, resolved.keys);
  if (!decoded.ok) return (store.snapshot = await quarantineWhole(store, resolved, decoded.detail));
  if (decoded.rejected > 0) return (store.snapshot = await repairPartly(store, file.raw, decoded));
  return (store.snapshot = snapshotOf(file.stamp, file.raw, decoded.records, decoded.key));
}

/** The bytes are what we already decoded (only the stamp moved): keep the parsed records. */
function reuseIfSame(store: FileStoreState, file: { stamp: FileStamp; raw: Buffer }): Snapshot | undefined {
  const { snapshot } = store;
  if (!snapshot?.raw || !snapshot.raw.equals(file.raw)) return undefined;
  return (store.snapshot = { ...snapshot, stamp: file.stamp, checkedAt: Date.now() });
}

// Repair (C3), under the lock.

/** A file that cannot be used at all: moved aside with one warning; the cache starts empty. */
async function quarantineWhole(
  store: FileStoreState,
  resolved: ResolvedCacheKeys,
  detail: string,
): Promise<Snapshot> {
  const aside = await io(store, 'move aside', () => quarantineFile(store.path));
  const hint = resolved.source === 'option' ? '' : ` (key from ${resolved.source})`;
  store.warn(
    `the token cache ${store.path} could not be used: ${detail}${hint}. ` +
      `It was moved to ${aside}; continuing with an empty cache (sign in again).`,
  );
  return emptySnapshot();
}

/** Some damaged records: a copy of the original is kept aside, and the file is rewritten with the rest. */
async function repairPartly(
  store: FileStoreState,
  original: Buffer,
  decoded: { records: ReadonlyMap<string, AccountRecord>; rejected: number; key: CacheKey },
): Promise<Snapshot> {
  const aside = await io(store, 'copy aside', () => quarantineCopy(store.path, original));
  const raw = sealRecords(decoded.records, decoded.key);
  await io(store, 'write', () => writeFileAtomic(store.path, raw));
  store.warn(
    `${decoded.rejected} damaged account record(s) in the token cache ${store.path} were left out; ` +
      `${decoded.records.size} kept. The original is kept at ${aside}.`,
  );
  const stamp = await io(store, 'read', () => statStamp(store.path));
  return snapshotOf(stamp, raw, decoded.records, decoded.key);
}

// Writing.

/** One transaction, under the lock: a fresh read, `fn`'s decision, and the new file version if any (C1, C2). */
async function transactLocked<T>(
  store: FileStoreState,
  lock: HeldFileLock,
  resolved: ResolvedCacheKeys,
  key: string,
  fn: (current: AccountRecord | undefined) => Promise<StoreUpdate<T>>,
): Promise<T> {
  const before = await loadLocked(store);
  const { next, result } = await fn(before.records.get(key));
  if (next === undefined || (next === null && !before.records.has(key))) return result;
  const records = new Map(before.records);
  if (next === null) records.delete(key);
  else records.set(key, recordToStore(next, key));
  const writeKey = before.key ?? resolved.keys[0];
  if (!writeKey) throw new TokenloopError('CACHE', 'internal error: no cache key');
  const raw = sealRecords(records, writeKey);
  await lock.assertHeld();
  await io(store, 'write', () => writeFileAtomic(store.path, raw));
  const stamp = await io(store, 'read', () => statStamp(store.path));
  store.snapshot = snapshotOf(stamp, raw, records, writeKey);
  debug('cache', next === null ? 'record removed' : 'record written', {
    path: store.path,
    records: records.size,
  });
  return result;
}

/** The bytes of a file version holding `records`: the cache document, sealed with `key`. */
function sealRecords(records: ReadonlyMap<string, AccountRecord>, key: CacheKey): Buffer {
  return Buffer.from(sealEnvelope(serializeCacheDocument(records), key));
}

// File versions.

/** A file version just read or written: its stamp, bytes and records, and the key that opens it. */
function snapshotOf(
  stamp: FileStamp | undefined,
  raw: Buffer,
  records: ReadonlyMap<string, AccountRecord>,
  key: CacheKey,
): Snapshot {
  return { stamp, raw, records, key, checkedAt: Date.now() };
}

function emptySnapshot(): Snapshot {
  return { stamp: undefined, raw: undefined, records: EMPTY, key: undefined, checkedAt: Date.now() };
}

function settled(snapshot: Snapshot): boolean {
  if (!snapshot.stamp) return true;
  return snapshot.checkedAt - Number(snapshot.stamp.mtimeNs / 1_000_000n) >= RACY_WINDOW_MS;
}

function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  if (!a || !b) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

async function statStamp(path: string): Promise<FileStamp | undefined> {
  try {
    const st = await fs.lstat(path, { bigint: true }); // a link planted in its place changes the stamp too
    return { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Read the file and its stamp from one open handle, so both describe the same version; only the user's own
 * plain file in a folder only they control, never through a link, never waiting on a FIFO (S80, S81, S83).
 */
async function readStamped(path: string): Promise<{ stamp: FileStamp; raw: Buffer } | undefined> {
  const file = await readPrivateFile(path);
  if (!file) return undefined;
  const st = file.stat;
  return { stamp: { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs }, raw: file.data };
}
