// Planting what another user (or a careless setup) could leave where the user's private files live: another
// user's files and folders (uid 65534, by chown from the test process, which is root in CI, so no child has
// to reach this checkout), FIFOs, and a bounded wait for readers that must never block on them.
import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { chmod, chown, mkdir, open } from 'node:fs/promises';

/** The other user: `nobody` on Debian. */
export const OTHER_UID = 65534;

/** Make `dir` (or use it if it exists) as a folder of the other user with `mode`. Needs root. */
export async function plantAsOtherUser(dir: string, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chown(dir, OTHER_UID, OTHER_UID);
  await chmod(dir, mode);
}

/** A FIFO at `path` (mode 0600): a reader that opens it blocking waits until someone writes. */
export function makeFifo(path: string): void {
  execFileSync('mkfifo', ['-m', '600', path]);
}

/**
 * Let any reader stuck on the FIFO at `path` go (open it for writing and close it), so a test that failed
 * because a reader blocked does not keep the process alive. Nothing to do when no reader waits or it is gone.
 */
export async function unblockFifo(path: string): Promise<void> {
  try {
    const handle = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
    await handle.close();
  } catch {
    // no reader (ENXIO), or the FIFO is gone: nobody is stuck
  }
}

/** `promise`, or a rejection `still waiting after <ms> ms` once `ms` have passed. */
export async function boundedWait<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
