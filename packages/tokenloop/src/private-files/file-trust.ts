import type { BigIntStats, Stats } from 'node:fs';
import { TokenloopError } from '../errors/errors.js';

/** Ownership and modes are checked on POSIX systems only (Windows has ACLs instead). */
export const POSIX = process.platform !== 'win32';

/** The user this process acts as: the only one (besides root) whose files and folders are trusted. */
export function myUid(): number {
  return process.geteuid?.() ?? process.getuid?.() ?? -1;
}

/** `path` quoted for a POSIX shell, so that a printed fix can be pasted as it is. */
export function shellQuote(path: string): string {
  return `'${path.replaceAll("'", `'\\''`)}'`;
}

type AnyStats = Stats | BigIntStats;

const modeOf = (st: AnyStats): number => Number(st.mode) & 0o7777;
const octal = (mode: number): string => mode.toString(8).padStart(4, '0');
const sudo = (): string => (myUid() === 0 ? '' : 'sudo ');

function refusal(path: string, why: string, remediation: string): TokenloopError {
  return new TokenloopError('UNSAFE_FILE', `refusing to use ${path}: ${why}`, { remediation });
}

/** What kind of thing a non-regular directory entry is, for messages. */
export function kindOf(st: AnyStats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a plain file';
}

/**
 * S80: a folder on the way to the user's private files (the folder they chose and every folder above it) must
 * belong to the user or to root, and only its owner may write to it — except a folder above the chosen one that
 * is shared by design with the sticky bit (like /tmp), where others cannot rename or remove what is not
 * theirs: the next folder on the way, checked in its turn, must then be the user's or root's.
 */
export function checkFolder(st: AnyStats, path: string, chosen: string): void {
  if (!POSIX) return;
  const named = path === chosen ? 'it' : `the folder ${path}`;
  const uid = Number(st.uid);
  const mode = modeOf(st);
  const writable = (mode & 0o022) !== 0;
  const me = myUid();
  const own =
    'Keep private files in a folder of your own that only you can write to (for example under your home folder)';
  if (uid !== me && uid !== 0) {
    const q = shellQuote(path);
    const fix = `${sudo()}chown ${me} ${q}${writable ? ` && ${sudo()}chmod go-w ${q}` : ''}`;
    throw refusal(
      chosen,
      `${named} belongs to user ${uid}, not to you (user ${me})`,
      `That user could read or replace what is kept there. ${own}; if this folder is meant to be yours, Run: ${fix}`,
    );
  }
  if (!writable) return;
  const sticky = (mode & 0o1000) !== 0;
  if (sticky && path !== chosen) return; // like /tmp: the next folder down is checked in its turn
  const why = `other users may write to ${named} (mode ${octal(mode)})`;
  if (sticky || uid !== me) throw refusal(chosen, why, `It is shared. ${own}.`);
  throw refusal(chosen, why, `They could replace what is kept there. Run: chmod go-w ${shellQuote(path)}`);
}

/** S80: a component of the path to a private folder that is not a folder (a file where a folder should be). */
export function notAFolder(path: string, st: AnyStats): TokenloopError {
  return refusal(
    path,
    `it is ${kindOf(st)}, not a folder`,
    'Choose a folder there, or move that out of the way.',
  );
}

/** S80: a symbolic link on the way to a private folder that was not made by the user (or root). */
export function foreignLink(path: string, uid: number): TokenloopError {
  return refusal(
    path,
    `it is a symbolic link that belongs to user ${uid}, not to you (user ${myUid()})`,
    `That user chooses where it points. Run: rm ${shellQuote(path)}`,
  );
}

/** S81: a private file that is a symbolic link (opened with O_NOFOLLOW, so never followed). */
export function linkedFile(path: string): TokenloopError {
  return refusal(
    path,
    'it is a symbolic link; private files must be plain files',
    `Move the link away (and copy the file it points to in its place if you trust it). Run: mv ${shellQuote(path)} ${shellQuote(`${path}.link`)}`,
  );
}

/**
 * S81–S83: a private file must be a regular file (never a FIFO, device or socket), belong to the user, and be
 * writable by the user alone; a secret (S82) must also be unreadable by others (0600).
 */
export function checkFile(st: AnyStats, path: string, options: { secret?: boolean | undefined } = {}): void {
  if (st.isSymbolicLink()) throw linkedFile(path);
  if (!st.isFile()) {
    throw refusal(
      path,
      `it is not a regular file (${kindOf(st)})`,
      `tokenloop did not make it. Move it away. Run: mv ${shellQuote(path)} ${shellQuote(`${path}.unsafe`)}`,
    );
  }
  if (!POSIX) return;
  const uid = Number(st.uid);
  const me = myUid();
  if (uid !== me) {
    throw refusal(
      path,
      `it belongs to user ${uid}, not to you (user ${me})`,
      `That user chose its content. If it is yours (made with sudo), take it back with: ${sudo()}chown ${me} ${shellQuote(path)}. Otherwise Run: mv ${shellQuote(path)} ${shellQuote(`${path}.unsafe`)}`,
    );
  }
  const mode = modeOf(st);
  const fix = options.secret ? `chmod 600 ${shellQuote(path)}` : `chmod go-w ${shellQuote(path)}`;
  if ((mode & 0o022) !== 0) {
    throw refusal(path, `other users may write to it (mode ${octal(mode)})`, `Run: ${fix}`);
  }
  if (options.secret && (mode & 0o077) !== 0) {
    throw refusal(
      path,
      `other users may read it (mode ${octal(mode)}); it holds a secret`,
      `Treat the secret as seen by others. Run: ${fix}`,
    );
  }
}
