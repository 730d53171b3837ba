// S170, S190: the one rule for the agent's socket folder, applied by the agent to itself (before it listens) and
// by every client (before it connects): the user's own folder, by the library's rule for private folders (S80),
// and closed to others (0700: a socket's folder is what keeps other users from connecting), and, for a client,
// the socket in it the user's own. Synchronous file checks only: the client runs on every `tokenloop token`.
import { lstatSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkPrivateDirectorySync } from 'tokenloop/private-files';

/** S170: why other users may use the socket's folder `dir` (it must be 0700), or undefined. */
export function socketFolderOpenToOthers(dir: string): string | undefined {
  const mode = statSync(dir).mode & 0o777;
  return (mode & 0o077) !== 0
    ? `other users may use the folder ${dir} (mode ${mode.toString(8)})`
    : undefined;
}

/** What a client finds at the agent's socket path. */
export type SocketTrust =
  { trusted: true } | { trusted: false; absent: true } | { trusted: false; why: string };

/**
 * S190: whether a client may connect to the agent's socket `socket`: it is there, a socket, the user's own, and
 * its folder is private to the user (S80, S170). Anything else is not connected to (nothing is sent), and the
 * reason is given for `agent status`. Never throws.
 */
export function agentSocketTrust(socket: string): SocketTrust {
  const me = process.getuid?.();
  try {
    const st = lstatSync(socket, { throwIfNoEntry: false });
    if (!st) return { trusted: false, absent: true };
    if (me === undefined) return { trusted: true }; // no users to tell apart (no POSIX ownership)
    if (!st.isSocket()) return { trusted: false, why: `${socket} is not a socket` };
    if (st.uid !== me)
      return { trusted: false, why: `${socket} belongs to user ${st.uid}, not to you (user ${me})` };
    const dir = dirname(socket);
    checkPrivateDirectorySync(dir);
    const open = socketFolderOpenToOthers(dir);
    return open ? { trusted: false, why: open } : { trusted: true };
  } catch (err) {
    return { trusted: false, why: (err as Error)?.message ?? String(err) };
  }
}
