import {
  type BigIntStats,
  type Stats,
  closeSync,
  constants,
  fstatSync,
  openSync,
  promises as fs,
  readFileSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkFile, linkedFile, myUid, POSIX } from './file-trust.js';
import { type FolderIo, type Steps, folderIo, folderIoSync, runAsync, runSync } from './file-steps.js';
import { privateDirectorySteps } from './private-directory.js';
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

/** The calls on one file a read makes, on an open handle `H` (a FileHandle, or a descriptor). */
interface FileIo<H> extends FolderIo {
  open(path: string): H | Promise<H>;
  stat(handle: H): BigIntStats | Promise<BigIntStats>;
  read(handle: H): Buffer | Promise<Buffer>;
  close(handle: H): void | Promise<void>;
}

const fileIo: FileIo<fs.FileHandle> = {
  ...folderIo,
  open: (path) => fs.open(path, READ_FLAGS),
  stat: (handle) => handle.stat({ bigint: true }),
  read: (handle) => handle.readFile(),
  close: (handle) => handle.close(),
};

const fileIoSync: FileIo<number> = {
  ...folderIoSync,
  open: (path) => openSync(path, READ_FLAGS),
  stat: (fd) => fstatSync(fd, { bigint: true }),
  read: (fd) => readFileSync(fd),
  close: (fd) => closeSync(fd),
};

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
export function readPrivateFile(
  path: string,
  options: PrivateFileOptions = {},
): Promise<PrivateFileContent | undefined> {
  return runAsync(readSteps(path, options, fileIo));
}

/**
 * `readPrivateFile` with synchronous calls — the same steps, so the same checks and refusals (S125) — for a
 * short-lived process that must start fast (the CLI's `token` fast path).
 */
export function readPrivateFileSync(
  path: string,
  options: PrivateFileOptions = {},
): PrivateFileContent | undefined {
  return runSync(readSteps(path, options, fileIoSync));
}

function* readSteps<H>(
  path: string,
  options: PrivateFileOptions,
  io: FileIo<H>,
): Steps<PrivateFileContent | undefined> {
  const file = resolve(path);
  yield* privateDirectorySteps(dirname(file), io);
  let handle: H;
  try {
    handle = (yield io.open(file)) as H;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EMLINK') throw linkedFile(file); // O_NOFOLLOW met a link (EMLINK: BSD)
    yield* explainFailure(file, options, io); // EACCES on another user's file, ENXIO on a socket...
    throw err;
  }
  try {
    const stat = (yield io.stat(handle)) as BigIntStats;
    checkFile(stat, file, options);
    return { data: (yield io.read(handle)) as Buffer, stat };
  } finally {
    yield io.close(handle);
  }
}

/** When the open failed on something that is not the user's own plain file, say that rather than a bare errno. */
function* explainFailure<H>(file: string, options: PrivateFileOptions, io: FileIo<H>): Steps<void> {
  let st: Stats | undefined;
  try {
    st = (yield io.lstat(file)) as Stats;
  } catch {
    st = undefined;
  }
  if (st && (!st.isFile() || (POSIX && st.uid !== myUid()))) checkFile(st, file, options);
}
