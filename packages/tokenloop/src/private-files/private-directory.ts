import type { Stats } from 'node:fs';
import { dirname, join, parse, resolve, sep } from 'node:path';
import { TokenloopError } from '../errors/errors.js';
import { checkFolder, foreignLink, myUid, notAFolder, POSIX } from './file-trust.js';
import { errnoCode } from './errno-code.js';
import { type FolderIo, type Steps, folderIo, folderIoSync, runAsync, runSync } from './file-steps.js';

const PRIVATE_DIR = 0o700;
/** As many symbolic links as Linux follows in one path before it gives up (ELOOP). */
const MAX_LINKS = 40;

/**
 * S80: check the folder `dir` that private files live in, and every folder above it up to `/`, as the rules of
 * `checkFolder` say (the user's or root's, written only by its owner; a sticky shared folder above is fine).
 * Symbolic links on the way are followed, and the folders they lead to are checked the same way; a link must
 * be the user's or root's. Returns the first folder on the way that does not exist yet (nothing below it can
 * hold anything), or undefined when `dir` exists. Throws `TokenloopError('UNSAFE_FILE')` with the fix.
 *
 * @example
 * ```ts
 * await checkPrivateDirectory(`${process.env.HOME}/.config/tokenloop`); // throws when another user could write there
 * ```
 */
export function checkPrivateDirectory(dir: string): Promise<string | undefined> {
  return runAsync(privateDirectorySteps(dir, folderIo));
}

/** `checkPrivateDirectory` with synchronous calls (S125: the same steps), for the CLI's fast path. */
export function checkPrivateDirectorySync(dir: string): string | undefined {
  return runSync(privateDirectorySteps(dir, folderIoSync));
}

/** The steps of `checkPrivateDirectory`, for either way of running them (file-steps.ts). */
export function* privateDirectorySteps(dir: string, io: FolderIo): Steps<string | undefined> {
  const chosen = resolve(dir);
  if (!POSIX) return undefined;
  let pending = chosen;
  let links = 0;
  walk: for (;;) {
    const { root } = parse(pending);
    const parts = pending.slice(root.length).split(sep).filter(Boolean);
    checkFolder((yield io.lstat(root)) as Stats, root, parts.length === 0 ? root : chosen);
    let current = root;
    for (let i = 0; i < parts.length; i++) {
      const next = join(current, parts[i]!);
      let st: Stats;
      try {
        st = (yield io.lstat(next)) as Stats;
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return next;
        throw err;
      }
      if (st.isSymbolicLink()) {
        if (st.uid !== myUid() && st.uid !== 0) throw foreignLink(next, st.uid);
        if (++links > MAX_LINKS) {
          throw new TokenloopError(
            'UNSAFE_FILE',
            `refusing to use ${chosen}: too many symbolic links on the way`,
            {
              remediation: 'Give the folder by a path without a loop of links.',
            },
          );
        }
        pending = resolve(current, (yield io.readlink(next)) as string, ...parts.slice(i + 1));
        continue walk;
      }
      if (!st.isDirectory()) throw notAFolder(next, st);
      checkFolder(st, next, i === parts.length - 1 ? next : chosen);
      current = next;
    }
    return undefined;
  }
}

/**
 * S80: make sure the folder `dir` exists and is fit for private files (see `checkPrivateDirectory`); folders it
 * creates get mode 0700 exactly, whatever the umask. An existing folder that another user owns or may write
 * to, or with such a folder above it, is refused with `TokenloopError('UNSAFE_FILE')` and the fix — never
 * only warned about, since that user could replace any file kept there.
 *
 * @example
 * ```ts
 * await ensurePrivateDirectory(dirname(path));
 * await writeFileAtomic(path, JSON.stringify(value));
 * ```
 */
export function ensurePrivateDirectory(dir: string): Promise<void> {
  return runAsync(ensureSteps(dir, folderIo));
}

/** `ensurePrivateDirectory` with synchronous calls (S125: the same steps), for the CLI's fast path. */
export function ensurePrivateDirectorySync(dir: string): void {
  runSync(ensureSteps(dir, folderIoSync));
}

function* ensureSteps(dir: string, io: FolderIo): Steps<void> {
  const chosen = resolve(dir);
  if (!POSIX) {
    yield io.mkdir(chosen, PRIVATE_DIR);
    return;
  }
  if ((yield* privateDirectorySteps(chosen, io)) === undefined) return;
  const first = (yield io.mkdir(chosen, PRIVATE_DIR)) as string | undefined;
  if (first !== undefined) {
    for (let made = chosen; ; made = dirname(made)) {
      yield io.chmod(made, PRIVATE_DIR);
      if (made === first || made === dirname(made)) break;
    }
  }
  const missing = yield* privateDirectorySteps(chosen, io);
  if (missing !== undefined) {
    throw new TokenloopError('UNSAFE_FILE', `the folder ${missing} disappeared while it was being made`, {
      remediation: 'Another program removed it; try again.',
    });
  }
}
