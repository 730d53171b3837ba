import { writeSync } from 'node:fs';

/**
 * Write the fast path's answer to standard output (1) or error (2) directly, without creating `process.stdout`
 * / `process.stderr`: for a pipe those are sockets whose modules cost more to load than the whole fast path
 * (issue 14). Writes only to the descriptor it was given, never a file. What a non-blocking pipe does not take
 * at once (EAGAIN) goes through the stream after all, and is waited for (the bin exits right after). A reader
 * that went away (EPIPE) ends the process quietly, as the command line does.
 */
export async function writeOut(fd: 1 | 2, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EPIPE') process.exit(0);
    if (code !== 'EAGAIN') throw err;
    const stream = fd === 1 ? process.stdout : process.stderr;
    await new Promise<void>((resolve, reject) =>
      stream.write(bytes.subarray(written), (e) => (e ? reject(e) : resolve())),
    );
  }
}
