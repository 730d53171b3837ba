import { constants, promises as fs, type BigIntStats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkFile, linkedFile, myUid, POSIX } from './file-trust.js';
import { checkPrivateDirectory } from './private-directory.js';
import { errnoCode } from './errno-code.js';

/**
 * S81, S83: never follow a link at the last step, and never wait: opening a FIFO for reading blocks until a
 * writer comes (forever, when someone planted it), unless opened non-blocking. A terminal is never adopted.
 */
const READ_FLAGS =
  constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

export interface PrivateFileOptions {
  /** S82: the file holds a secret (a key, password hashes): nobody else may even read it (mode 0600). */
  secret?: boolean | undefined;
}

export interface PrivateFileContent {
  data: Buffer;
  /** The stat of the very file that was read (same open handle). */
  stat: BigIntStats;
}

/**
 * The one way every package reads a private file (S80–S83): its folder and those above it are checked first
 * (`checkPrivateDirectory`); the file is opened without following a link and without blocking, and the open
 * handle must be a regular file of the user's, that nobody else may write to (nor read, for a secret).
 * Returns undefined when there is no such file. Anything else is refused with `TokenloopError('UNSAFE_FILE')`
 * naming the file and the fix — before a byte of it is read.
 *
 * @example
 * ```ts
 * const key = await readPrivateFile(`${cachePath}.key`, { secret: true });
 * if (key) use(key.data);
 * ```
 */
export async function readPrivateFile(
  path: string,
  options: PrivateFileOptions = {},
): Promise<PrivateFileContent | undefined> {
  const file = resolve(path);
  await checkPrivateDirectory(dirname(file));
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, READ_FLAGS);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EMLINK') throw linkedFile(file); // O_NOFOLLOW met a link (EMLINK: BSD)
    await explainFailure(file, options); // EACCES on another user's file, ENXIO on a socket...
    throw err;
  }
  try {
    const stat = await handle.stat({ bigint: true });
    checkFile(stat, file, options);
    return { data: await handle.readFile(), stat };
  } finally {
    await handle.close();
  }
}

/** When the open failed on something that is not the user's own plain file, say that rather than a bare errno. */
async function explainFailure(file: string, options: PrivateFileOptions): Promise<void> {
  const st = await fs.lstat(file).catch(() => undefined);
  if (st && (!st.isFile() || (POSIX && st.uid !== myUid()))) checkFile(st, file, options);
}
