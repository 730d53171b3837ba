import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { errnoCode } from './errno-code.js';
import { checkFile, POSIX } from './file-trust.js';
import { ensurePrivateDirectory } from './private-directory.js';

const PRIVATE_FILE = 0o600;
/** S84: a new file only (never an existing one, never through a link), for writing. */
const CREATE_FLAGS = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/** The name of a temporary file beside `path`: `<name>.tmp-<pid>-<random>`, recognisable by `isTempFileOf`. */
export function tempFileName(path: string): string {
  return join(dirname(path), `${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
}

/** True when `name` (a directory entry) is a temporary file made by `tempFileName` for `path`. */
export function isTempFileOf(path: string, name: string): boolean {
  return name.startsWith(`${basename(path)}.tmp-`);
}

/**
 * Remove temporary files of `path` (see `tempFileName`) at least `minAgeMs` old, left by a writer that was
 * killed mid-write. Call it only while holding the lock that writers of `path` hold. Returns how many.
 */
export async function removeOrphanTempFiles(path: string, minAgeMs = 0): Promise<number> {
  const dir = dirname(path);
  let removed = 0;
  for (const name of await fs.readdir(dir)) {
    if (!isTempFileOf(path, name)) continue;
    const file = join(dir, name);
    try {
      if (minAgeMs > 0 && Date.now() - (await fs.lstat(file)).mtimeMs < minAgeMs) continue;
      await fs.rm(file, { force: true });
      removed++;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }
  return removed;
}

/**
 * Write `data` to `path` so that readers see the old content or the new, never a mix (C1): a temporary file
 * with a random name in the same directory, created exclusively without following links
 * (`O_CREAT|O_EXCL|O_NOFOLLOW`, S84) with mode 0600, written and fsynced, renamed over the target (a rename
 * replaces a link, never writes through it), then the directory fsynced so the rename survives a crash. On
 * failure the temporary file is removed and the target is untouched. The directory must exist and be checked
 * (see `ensurePrivateDirectory`; `writePrivateFile` does both).
 *
 * @example
 * ```ts
 * await ensurePrivateDirectory(dirname(path));
 * await writeFileAtomic(path, JSON.stringify(value));
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temp = tempFileName(path);
  try {
    await writeNewFile(temp, data, true);
    await fs.rename(temp, path);
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => {});
    throw err;
  }
  await syncDirectory(dirname(path));
}

/**
 * Create a file with `data` only if `path` does not exist yet, atomically: readers never see it empty or half
 * written (the content goes to a temporary file first, then is hard-linked into place, which fails when the
 * name is taken). Returns false when `path` already existed. Mode 0600. `durable: false` skips the fsyncs
 * (for lock files, which need not survive a power cut). On file systems without hard links the file is
 * created with `O_EXCL` and written in place.
 */
export async function createFileExclusive(
  path: string,
  data: Uint8Array | string,
  options: { durable?: boolean } = {},
): Promise<boolean> {
  const durable = options.durable ?? true;
  const temp = tempFileName(path);
  try {
    await writeNewFile(temp, data, durable);
    try {
      await fs.link(temp, path);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
      try {
        await writeNewFile(path, data, durable); // no hard links here: O_EXCL alone
      } catch (fallbackErr) {
        if (errnoCode(fallbackErr) === 'EEXIST') return false;
        throw fallbackErr;
      }
    }
  } finally {
    await fs.rm(temp, { force: true }).catch(() => {});
  }
  if (durable) await syncDirectory(dirname(path));
  return true;
}

async function writeNewFile(path: string, data: Uint8Array | string, durable: boolean): Promise<void> {
  const handle = await fs.open(path, CREATE_FLAGS, PRIVATE_FILE);
  try {
    if (POSIX) await handle.chmod(PRIVATE_FILE); // the umask may have been odd; be exact
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The one way every package writes a private file (S84): its folder is made private or checked
 * (`ensurePrivateDirectory`, S80), a file already there must be the user's own plain file (S81: a link, a FIFO
 * or another user's file is refused, not silently replaced), then `writeFileAtomic` writes it (0600).
 *
 * @example
 * ```ts
 * await writePrivateFile(join(configDir, 'config.json'), `${JSON.stringify(settings, null, 2)}\n`);
 * ```
 */
export async function writePrivateFile(path: string, data: Uint8Array | string): Promise<void> {
  const file = resolve(path);
  await ensurePrivateDirectory(dirname(file));
  try {
    checkFile(await fs.lstat(file), file);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  await writeFileAtomic(file, data);
}

/** fsync a directory so a rename or link in it is durable. Not supported everywhere (Windows): then a no-op. */
export async function syncDirectory(dir: string): Promise<void> {
  if (!POSIX) return;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
    await handle.sync();
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'ENOTSUP') throw err;
  } finally {
    await handle?.close();
  }
}
