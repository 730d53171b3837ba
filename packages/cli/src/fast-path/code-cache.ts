import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writePrivateFile } from 'tokenloop/private-files';
import type { CodeCacheToSave } from './token-fast-path.js';

/**
 * S127: save the fast path's code cache with the one private-file writer (S84: 0600, atomic, its folder made
 * 0700 or refused when another user controls it), once it answered — so the cache holds every function that
 * answering compiled — and remove this Node's caches of older bundles. A cache is an optimisation: any failure
 * leaves things as they were. (`fs.promises` is reached only here: loading it costs a start that saves nothing.)
 */
export async function saveCodeCache(cache: CodeCacheToSave): Promise<void> {
  try {
    await writePrivateFile(cache.file, cache.create());
    const dir = dirname(cache.file);
    const sameNode = `-${process.version}-${process.arch}.bin`;
    for (const name of await fs.readdir(dir))
      if (name.startsWith('token-') && name.endsWith(sameNode) && name !== basename(cache.file))
        await fs.rm(join(dir, name), { force: true });
  } catch {
    // no cache this time: the next answer tries again
  }
}
