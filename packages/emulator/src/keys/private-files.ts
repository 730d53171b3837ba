import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { mkdir, open, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EmulatorOptionsError } from '../errors/emulator-options-error.js';

/*
 * S88: the data folder holds the token-signing keys and the local CA that users are told to trust. Another
 * user who could put a file there, replace the folder, or read a key, could make the user trust their CA or
 * sign tokens the user's tests accept. So the emulator uses the folder only when it and everything in it is
 * the user's own and writable by the user alone, the folders above it cannot be changed by anyone else (root,
 * or sticky like /tmp), and keys are readable by the user alone (0600). Anything else is refused with what to
 * do, and nothing in the folder is read, used or replaced.
 */

/** Mode bits and owners mean nothing on Windows (ACLs): the checks run where there are POSIX user ids. */
function currentUser(): { uid: number; gid: number } | undefined {
  return process.platform !== 'win32' && process.getuid && process.getgid
    ? { uid: process.getuid(), gid: process.getgid() }
    : undefined;
}

/** A path as a shell word, for the commands the messages suggest. */
function shellQuote(p: string): string {
  return `'${p.replace(/'/g, `'\\''`)}'`;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function refuse(message: string): never {
  throw new EmulatorOptionsError(message);
}

/** `/a/b/c` → `/a/b/c`, `/a/b`, `/a`, `/`. */
function selfAndAncestors(path: string): string[] {
  const out: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    out.push(p);
    if (dirname(p) === p) return out;
  }
}

/**
 * A folder above the data folder must not let anyone else replace what is below it: owned by the user or
 * root, and writable by others (or by a group other than the user's own) only with the sticky bit, as /tmp.
 */
function checkAncestor(path: string, s: Stats, me: { uid: number; gid: number }): void {
  const fix = `choose a data folder elsewhere with --data-dir (dataDir), e.g. under your home folder`;
  if (s.uid !== me.uid && s.uid !== 0) {
    refuse(
      `the folder '${path}' is owned by uid ${s.uid}, not by you (uid ${me.uid}) or root, and holds the emulator data folder: its owner could replace the keys and CA below it; ${fix}`,
    );
  }
  const sticky = (s.mode & 0o1000) !== 0; // S_ISVTX
  const othersWrite = (s.mode & 0o002) !== 0 || ((s.mode & 0o020) !== 0 && s.gid !== me.gid);
  if (othersWrite && !sticky) {
    refuse(
      `the folder '${path}' may be changed by others (mode ${octal(s.mode)}, no sticky bit) and holds the emulator data folder: they could replace the keys and CA below it; ${fix}, or run chmod go-w ${shellQuote(path)}`,
    );
  }
}

/** The data folder and the folders in it: the user's own and writable by the user alone. */
function checkOwnFolder(path: string, s: Stats, me: { uid: number }): void {
  if (!s.isDirectory())
    refuse(`the emulator data folder '${path}' is not a folder; remove it or choose another`);
  if (s.uid !== me.uid) {
    refuse(
      `the emulator data folder '${path}' is owned by uid ${s.uid}, not by you (uid ${me.uid}): another user could have planted keys or a CA in it; remove it (its owner or root can), or choose a folder of your own with --data-dir (dataDir)`,
    );
  }
  if ((s.mode & 0o022) !== 0) {
    refuse(
      `the emulator data folder '${path}' may be changed by others (mode ${octal(s.mode)}): run chmod go-w ${shellQuote(path)} and remove anything in it you did not put there, or choose another folder with --data-dir (dataDir)`,
    );
  }
}

/**
 * Makes `dir` (0700) if it is missing and checks that the emulator may trust what it keeps there (S88): the
 * folder is the user's own and writable by the user alone, and no folder above it (as written, and after
 * following symbolic links) lets another user replace it. Throws {@link EmulatorOptionsError} otherwise.
 */
export async function ensurePrivateFolder(dir: string): Promise<void> {
  const me = currentUser();
  const absolute = resolve(dir);
  if (me) await checkFoldersAbove(absolute, me);
  await mkdir(absolute, { recursive: true, mode: 0o700 });
  if (!me) return;
  const real = await realpath(absolute);
  if (real !== absolute) await checkFoldersAbove(real, me);
  checkOwnFolder(absolute, await stat(real), me);
}

/** Every existing folder above `path`, as written and after following symbolic links (S88). */
async function checkFoldersAbove(path: string, me: { uid: number; gid: number }): Promise<void> {
  const seen = new Set<string>();
  for (const p of selfAndAncestors(path).slice(1)) {
    let real: string;
    try {
      real = await realpath(p);
    } catch {
      continue; // missing: made 0700 by the caller
    }
    for (const q of [p, ...selfAndAncestors(real)]) {
      if (seen.has(q)) continue;
      seen.add(q);
      checkAncestor(q, await stat(q), me);
    }
  }
}

export interface PrivateFileRule {
  /** A key: readable by the user alone (0600). Otherwise (a certificate) others may read it but not write. */
  secret: boolean;
  /** What to delete so that the emulator makes new material (the file itself, or the folder it belongs to). */
  renew: string;
  /** What the user must do once new material is made, e.g. trust the new CA. */
  afterRenew?: string;
}

/**
 * The text of `file`, or undefined when it does not exist. Refused (S88): a symbolic link or anything but a
 * regular file, a file of another user, a key that others may read, a file others may write. Opened without
 * following links and without blocking (a FIFO), and checked on the open file, so what is checked is what is read.
 */
export async function readPrivateFile(file: string, rule: PrivateFileRule): Promise<string | undefined> {
  const me = currentUser();
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') {
      refuse(
        `'${file}' is a symbolic link: the emulator reads its keys and CA only from files in its own folder; remove it (rm ${shellQuote(file)}) and the emulator makes a new one`,
      );
    }
    throw err;
  }
  try {
    const s = await handle.stat();
    if (!s.isFile()) {
      refuse(
        `'${file}' is not a regular file; remove it (rm ${shellQuote(file)}) and the emulator makes a new one`,
      );
    }
    if (me && s.uid !== me.uid) {
      refuse(
        `'${file}' is owned by uid ${s.uid}, not by you (uid ${me.uid}): another user may have planted it; remove it (rm ${shellQuote(file)}) and the emulator makes a new one`,
      );
    }
    if (me && rule.secret && (s.mode & 0o077) !== 0) {
      refuse(
        `'${file}' is readable by others (mode ${octal(s.mode)}): the key may have leaked; delete ${shellQuote(rule.renew)} (rm -r ${shellQuote(rule.renew)}) so that the emulator makes new keys${rule.afterRenew ? `, then ${rule.afterRenew}` : ''}`,
      );
    }
    if (me && !rule.secret && (s.mode & 0o022) !== 0) {
      refuse(
        `'${file}' may be changed by others (mode ${octal(s.mode)}): run chmod go-w ${shellQuote(file)}, or delete ${shellQuote(rule.renew)} so that the emulator makes a new one`,
      );
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Writes `text` to `file` (0600) atomically: a new file under a random name (exclusive create, so no link or
 * earlier file is followed), then renamed over `file`. The folder must have passed {@link ensurePrivateFolder}.
 */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${randomBytes(12).toString('hex')}.tmp`);
  await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
