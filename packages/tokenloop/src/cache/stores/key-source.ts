import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { TokenloopError } from '../../errors/errors.js';
import { debug } from '../../log/debug.js';
import { createFileExclusive } from '../../private-files/atomic-write.js';
import {
  type PrivateFileContent,
  readPrivateFile,
  readPrivateFileSync,
} from '../../private-files/read-private-file.js';
import { type CacheKey, cacheKey, envelopeKeyId } from './encryption.js';

/** Where the cache key came from: passed in by the program, the OS keyring, or a key file beside the cache. */
export type KeySource = 'option' | 'keyring' | 'key-file';

export interface CacheKeyOptions {
  /** The cache file the key protects; the key file is `<cachePath>.key`, the keyring account its absolute path. */
  cachePath: string;
  /** Use this 32-byte key and nothing else. */
  key?: Uint8Array | undefined;
  /** `auto` (default): the OS keyring when reachable, else the key file. `off`: the key file only. */
  keyring?: 'auto' | 'off' | undefined;
  /** How long to wait for the OS keyring to answer, in ms (default 1 500). */
  keyringTimeoutMs?: number | undefined;
  /** Runs `create` under the cache's cross-process lock, so two processes never make two different keys. */
  exclusive: <T>(create: () => Promise<T>) => Promise<T>;
}

export interface ResolvedCacheKeys {
  /** Every key found; the first one encrypts a new cache. A cache names its key by id, so any of them opens. */
  keys: CacheKey[];
  /** Where `keys[0]` came from. */
  source: KeySource;
}

/** The keyring service name tokenloop's cache keys are stored under. */
export const KEYRING_SERVICE = 'tokenloop';
const DEFAULT_KEYRING_TIMEOUT_MS = 1_500;

/**
 * Find (or, the first time, create) the key that encrypts the cache file. Never falls back to plaintext:
 * with no keyring a random key goes to `<cachePath>.key` (mode 0600), created atomically under the cache lock.
 * On Linux only the Secret Service (D-Bus) keyring is used, never the kernel keyring, which forgets its keys
 * at reboot and would leave the cache unreadable.
 *
 * @example
 * ```ts
 * const { keys, source } = await resolveCacheKeys({ cachePath, exclusive: (create) => withLock(create) });
 * // source: 'keyring' on a desktop, 'key-file' on a headless server
 * ```
 */
export async function resolveCacheKeys(options: CacheKeyOptions): Promise<ResolvedCacheKeys> {
  if (options.key !== undefined) return { keys: [cacheKey(options.key)], source: 'option' };
  const cachePath = resolve(options.cachePath);
  const keyFile = keyFileOf(cachePath);
  // A key file exists only where no keyring was reachable when the cache was created: use it without
  // probing the keyring (which costs a native module and a D-Bus round trip on every start).
  const fileKey = await readKeyFile(keyFile);
  if (fileKey) return report({ keys: [fileKey], source: 'key-file' }, keyFile);
  const keyring =
    options.keyring === 'off'
      ? undefined
      : await openKeyring(cachePath, options.keyringTimeoutMs ?? DEFAULT_KEYRING_TIMEOUT_MS);

  const find = async (): Promise<ResolvedCacheKeys | undefined> => {
    const found: { key: CacheKey; source: KeySource }[] = [];
    const fromKeyring = keyring ? await keyring.read() : undefined;
    if (fromKeyring) found.push({ key: fromKeyring, source: 'keyring' });
    const fromFile = await readKeyFile(keyFile);
    if (fromFile) found.push({ key: fromFile, source: 'key-file' });
    const first = found[0];
    return first ? { keys: found.map((f) => f.key), source: first.source } : undefined;
  };

  const existing = await find();
  if (existing) return report(existing, keyFile);
  return options.exclusive(async () => {
    const again = await find();
    if (again) return report(again, keyFile);
    await refuseToOrphan(cachePath, keyFile, keyring !== undefined);
    const key = cacheKey(randomBytes(32));
    if (keyring && (await keyring.write(key))) return report({ keys: [key], source: 'keyring' }, keyFile);
    if (await createFileExclusive(keyFile, `${Buffer.from(key.bytes).toString('base64')}\n`)) {
      return report({ keys: [key], source: 'key-file' }, keyFile);
    }
    const raced = await readKeyFile(keyFile); // someone not honouring the lock made one
    if (!raced) throw damagedKeyFile(keyFile);
    return report({ keys: [raced], source: 'key-file' }, keyFile);
  });
}

/**
 * A new key is only for a new cache. When the cache already holds tokens sealed with a key that cannot be
 * found (typically: made where the OS keyring was reachable, read now where it is not — over SSH, in a
 * service), making a key would orphan those tokens for good; stop with what to do instead.
 */
async function refuseToOrphan(cachePath: string, keyFile: string, keyringReachable: boolean): Promise<void> {
  let text: string;
  try {
    const file = await readPrivateFile(cachePath);
    if (!file) return; // no cache yet
    text = file.data.toString('utf8');
  } catch (err) {
    if (err instanceof TokenloopError) throw err; // unsafe (S80, S81): make no key beside it
    return; // unreadable: the store reports that itself
  }
  const keyId = envelopeKeyId(text);
  if (keyId === undefined) return; // not a cache: the store quarantines it
  throw new TokenloopError(
    'CACHE',
    `the token cache at ${cachePath} is encrypted with a key that is not available here (key ${keyId})`,
    {
      remediation: keyringReachable
        ? `Its key is neither in the OS keyring nor in ${keyFile}: restore that key file if you have it, or move the cache file away to start over (you will sign in again).`
        : `It was probably made where the OS keyring (Secret Service over D-Bus) was reachable: run there (your desktop session, with the keyring unlocked), restore ${keyFile} if you had one, or move the cache file away to start over (you will sign in again).`,
    },
  );
}

function report(resolved: ResolvedCacheKeys, keyFile: string): ResolvedCacheKeys {
  debug('cache', `cache key from ${resolved.source === 'key-file' ? keyFile : resolved.source}`, {
    keyId: resolved.keys[0]?.id,
  });
  return resolved;
}

/** The key file beside a cache file (used when no OS keyring holds the key). */
export function keyFileOf(cachePath: string): string {
  return `${resolve(cachePath)}.key`;
}

/**
 * The key file is read as a secret (S82): the user's own plain file that nobody else may read or write (0600),
 * in a folder only the user controls — else refused with the fix, never used with a warning. A key that
 * another user planted or could read would seal the user's tokens for them.
 */
const KEY_FILE: { secret: true } = { secret: true };

async function readKeyFile(path: string): Promise<CacheKey | undefined> {
  return keyOfFile(await readPrivateFile(path, KEY_FILE), path);
}

/**
 * `readKeyFile` with synchronous calls (S125: the same reader and rules), for the CLI's fast path: the key of a
 * cache from its key file, or undefined when there is none (the key is then in the OS keyring, or not made yet).
 */
export function readKeyFileSync(path: string): CacheKey | undefined {
  return keyOfFile(readPrivateFileSync(path, KEY_FILE), path);
}

function keyOfFile(file: PrivateFileContent | undefined, path: string): CacheKey | undefined {
  if (!file) return undefined;
  const encoded = file.data.toString('utf8').trim();
  const bytes = /^[A-Za-z0-9+/]{43}=$/.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
  if (bytes?.length !== 32) throw damagedKeyFile(path);
  return cacheKey(bytes);
}

function damagedKeyFile(path: string): TokenloopError {
  return new TokenloopError('CACHE', `the token cache key file ${path} is damaged`, {
    remediation:
      'Restore it from a backup, or delete it together with the cache file to start over (sign in again).',
  });
}

interface Keyring {
  read(): Promise<CacheKey | undefined>;
  /** Store a new key; false when the keyring refused. */
  write(key: CacheKey): Promise<boolean>;
}

/** The OS keyring entry for this cache, or undefined when no keyring answers (headless Linux, no D-Bus...). */
async function openKeyring(cachePath: string, timeoutMs: number): Promise<Keyring | undefined> {
  try {
    const { AsyncEntry } = await import('@napi-rs/keyring');
    // Linux: require the Secret Service; the default falls back to the kernel keyring, which is wiped at reboot.
    const entry = new AsyncEntry(
      KEYRING_SERVICE,
      cachePath,
      process.platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined,
    );
    const first = await withTimeout(entry.getSecret(AbortSignal.timeout(timeoutMs)), timeoutMs);
    const toKey = (secret: number[] | null): CacheKey | undefined => {
      if (secret === null) return undefined;
      if (secret.length !== 32) {
        throw new TokenloopError(
          'CACHE',
          `the token cache key in the OS keyring (service "${KEYRING_SERVICE}") is damaged`,
          {
            remediation: `Delete the keyring entry "${cachePath}" together with the cache file to start over.`,
          },
        );
      }
      return cacheKey(Uint8Array.from(secret));
    };
    let pending: number[] | null | undefined = first;
    return {
      async read() {
        let secret = pending;
        pending = undefined;
        if (secret === undefined) {
          try {
            secret = await withTimeout(entry.getSecret(AbortSignal.timeout(timeoutMs)), timeoutMs);
          } catch (err) {
            throw new TokenloopError(
              'CACHE',
              'the OS keyring stopped answering while reading the cache key',
              {
                cause: err,
                remediation: 'Unlock the keyring (or set keyring: "off" to use a key file) and try again.',
              },
            );
          }
        }
        return toKey(secret);
      },
      async write(key) {
        try {
          await withTimeout(entry.setSecret(key.bytes, AbortSignal.timeout(timeoutMs)), timeoutMs);
          const back = await withTimeout(entry.getSecret(AbortSignal.timeout(timeoutMs)), timeoutMs);
          return back !== null && Buffer.from(back).equals(Buffer.from(key.bytes));
        } catch (err) {
          debug('cache', 'the OS keyring refused the cache key; using a key file', { reason: describe(err) });
          return false;
        }
      },
    };
  } catch (err) {
    if (err instanceof TokenloopError) throw err;
    debug('cache', 'no OS keyring reachable; using a key file', { reason: describe(err) });
    return undefined;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
