import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenloopError } from '../../errors/errors.js';
import { debug } from '../../log/debug.js';
import { createFileExclusive, tempFileName } from '../../private-files/atomic-write.js';
import { readPrivateFile } from '../../private-files/read-private-file.js';
import { backoffDelays } from './backoff.js';
import { errnoCode } from './cache-io-error.js';
import { isRecord, parseJson } from './json-guards.js';
import { keyedQueue } from './keyed-queue.js';

export interface FileLockOptions {
  /** Longest wait for another process to let go, in ms (default 10 000). Then `TokenloopError('CACHE')`. */
  timeoutMs?: number;
  /**
   * A lock whose file has not been refreshed for this long is stale, in ms (default 30 000). Holders refresh
   * theirs every third of it, so only a hung holder, or one on another host sharing the file system, goes
   * stale by age; a dead holder on this host is recognised at once by its PID.
   */
  staleMs?: number;
}

/** A lock this process holds. */
export interface HeldFileLock {
  readonly path: string;
  /** True when a stale lock (dead or hung holder) was broken to get this one: a write may have been cut short. */
  readonly recoveredStale: boolean;
  /** Throws `TokenloopError('CACHE')` unless the lock file still carries this holder's token. Call before writing. */
  assertHeld(): Promise<void>;
  /** Remove the lock file if it is still this holder's. Never throws. */
  release(): Promise<void>;
}

interface LockOwner {
  pid: number;
  hostname: string;
  createdAt: number;
  token: string;
}

interface LockState {
  owner: LockOwner | undefined;
  mtimeMs: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_STALE_MS = 30_000;
const HOST = hostname();
/** Tokens of the locks this process holds right now (to tell our own locks from a previous incarnation's). */
const heldTokens = new Set<string>();
/** Per lock file, this process's callers take turns. */
const inTurn = keyedQueue();

/**
 * Run `fn` while holding the cross-process lock file `lockPath` (C2). Callers in this process queue up in
 * memory, so only one of them at a time polls the file. The lock is released whatever `fn` does.
 *
 * @example
 * ```ts
 * const result = await withFileLock(`${cachePath}.lock`, { timeoutMs: 10_000 }, async (lock) => {
 *   const data = await read();
 *   await lock.assertHeld();
 *   await write(change(data));
 *   return 'done';
 * });
 * ```
 */
export async function withFileLock<T>(
  lockPath: string,
  options: FileLockOptions,
  fn: (lock: HeldFileLock) => Promise<T>,
): Promise<T> {
  return inTurn(lockPath, async () => {
    const lock = await acquireFileLock(lockPath, options);
    try {
      return await fn(lock);
    } finally {
      await lock.release();
    }
  });
}

/**
 * Take the lock file `lockPath`: create it exclusively, holding JSON `{pid, hostname, createdAt, token}`.
 * While another live holder has it, poll with backoff up to `timeoutMs`. A lock whose holder is dead (its PID
 * is gone on this host) or that has not been refreshed for `staleMs` is broken and taken over. Prefer
 * `withFileLock`, which also queues callers within the process.
 */
export async function acquireFileLock(
  lockPath: string,
  options: FileLockOptions = {},
): Promise<HeldFileLock> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const started = Date.now();
  const nextDelay = backoffDelays(2, 100);
  let recoveredStale = false;
  for (;;) {
    const owner: LockOwner = {
      pid: process.pid,
      hostname: HOST,
      createdAt: Date.now(),
      token: randomBytes(16).toString('hex'),
    };
    if (await createFileExclusive(lockPath, JSON.stringify(owner), { durable: false })) {
      debug('lock', 'acquired', { path: lockPath, waitedMs: Date.now() - started });
      return holdLock(lockPath, owner.token, staleMs, recoveredStale);
    }
    const state = await readLock(lockPath);
    if (!state) continue; // released in the meantime
    const reason = staleReason(state, staleMs);
    if (reason) {
      if (await removeLockIfUnchanged(lockPath, state)) {
        debug('lock', `broke a stale lock: ${reason}`, { path: lockPath });
        recoveredStale = true;
      }
      continue;
    }
    const left = started + timeoutMs - Date.now();
    if (left <= 0) {
      const holder = state.owner ? ` (held by process ${state.owner.pid} on ${state.owner.hostname})` : '';
      throw new TokenloopError('CACHE', `timed out waiting for the cache lock ${lockPath}${holder}`, {
        remediation:
          'Another process kept the token cache locked for longer than the wait allows. Retry; if it persists, ' +
          'look for a hung process, or delete the lock file when no tokenloop process is running.',
      });
    }
    await sleep(Math.min(nextDelay(), left));
  }
}

function holdLock(path: string, token: string, staleMs: number, recoveredStale: boolean): HeldFileLock {
  heldTokens.add(token);
  let lost = false;
  const stillMine = async (): Promise<boolean> => {
    if (lost) return false;
    const state = await readLock(path).catch(() => undefined);
    if (state?.owner?.token !== token) lost = true;
    return !lost;
  };
  const heartbeat = setInterval(
    () => {
      void stillMine().then(async (mine) => {
        if (mine) {
          const now = new Date();
          await fs.lutimes(path, now, now).catch(() => {});
        }
      });
    },
    Math.max(10, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  return {
    path,
    recoveredStale,
    async assertHeld() {
      if (await stillMine()) return;
      throw new TokenloopError('CACHE', `lost the cache lock ${path}; the update was not written`, {
        remediation:
          'Another process judged this one hung and took the lock over. Retry; if transactions really take ' +
          'this long, raise staleLockMs.',
      });
    },
    async release() {
      clearInterval(heartbeat);
      heldTokens.delete(token);
      try {
        const state = await readLock(path);
        if (state?.owner?.token === token) await removeLockIfUnchanged(path, state);
      } catch (err) {
        debug('lock', 'could not release the lock; it will go stale', { path, code: errnoCode(err) });
      }
    },
  };
}

/** Why a lock is stale, or undefined while its holder may still be working. */
function staleReason(state: LockState, staleMs: number): string | undefined {
  const owner = state.owner;
  if (owner && owner.hostname === HOST) {
    if (owner.pid === process.pid && !heldTokens.has(owner.token))
      return 'left by an earlier process with our PID';
    if (owner.pid !== process.pid && !processAlive(owner.pid)) return `holder process ${owner.pid} is gone`;
  }
  const age = Date.now() - state.mtimeMs;
  if (age > staleMs) return `not refreshed for ${Math.round(age)} ms`;
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) !== 'ESRCH'; // EPERM: alive, owned by someone else
  }
}

/**
 * Remove the lock file if it is still the one described by `expected`. The file is first renamed to a
 * private name (one atomic step, so two processes breaking the same stale lock cannot both succeed), then
 * checked; if it turns out to be a fresh lock taken meanwhile, it is linked back.
 */
async function removeLockIfUnchanged(path: string, expected: LockState): Promise<boolean> {
  const aside = tempFileName(path); // a name the crash clean-up recognises, should we die right here
  try {
    await fs.rename(path, aside);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  try {
    const moved = await readLock(aside);
    const same =
      moved !== undefined &&
      (expected.owner
        ? moved.owner?.token === expected.owner.token
        : !moved.owner && moved.mtimeMs === expected.mtimeMs);
    if (!same) await fs.link(aside, path).catch(() => {});
    return same;
  } finally {
    await fs.rm(aside, { force: true });
  }
}

/**
 * The lock file's holder and age. Read like every private file (S81, S83): a FIFO, a link or another user's
 * file planted as the lock is refused at once with `TokenloopError('UNSAFE_FILE')`, so the timeout holds.
 */
async function readLock(path: string): Promise<LockState | undefined> {
  const file = await readPrivateFile(path);
  if (!file) return undefined;
  return { owner: parseOwner(file.data.toString('utf8')), mtimeMs: Number(file.stat.mtimeMs) };
}

function parseOwner(text: string): LockOwner | undefined {
  const value = parseJson(text);
  if (!isRecord(value)) return undefined;
  const { pid, hostname: host, createdAt, token } = value;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (typeof host !== 'string' || typeof createdAt !== 'number' || typeof token !== 'string')
    return undefined;
  return { pid, hostname: host, createdAt, token };
}
