import { promises as fs } from 'node:fs';
import { createFileExclusive, syncDirectory } from '../../private-files/atomic-write.js';
import { dirname } from 'node:path';

/** `<path>.corrupt-<timestamp>`: where unusable cache data is kept for inspection (C3). */
export function quarantinePath(path: string): string {
  return `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

/**
 * Move an unusable cache file aside (rename, so nothing is lost) and return its new name. The caller holds
 * the cache lock, so no writer is replacing the file meanwhile.
 *
 * @example
 * ```ts
 * const aside = await quarantineFile(path);
 * onWarning(`the token cache was damaged; moved it to ${aside}`);
 * ```
 */
export async function quarantineFile(path: string): Promise<string> {
  const aside = quarantinePath(path);
  await fs.rename(path, aside);
  await syncDirectory(dirname(path));
  return aside;
}

/** Keep a copy of `content` (the cache as it was read, still encrypted) aside; returns its name. Mode 0600. */
export async function quarantineCopy(path: string, content: Uint8Array): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const aside = attempt === 0 ? quarantinePath(path) : `${quarantinePath(path)}-${attempt}`;
    if (await createFileExclusive(aside, content)) return aside;
  }
}
