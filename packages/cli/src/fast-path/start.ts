// The first thing `tokenloop token` loads (bundled alone and small as dist/fast/start.cjs, see
// scripts/bundle-cli.mjs): it finds the bundled fast path (dist/fast/token.cjs) and compiles it with its code
// cache, so that a start deserializes the fast path's code instead of parsing and compiling it (issue 14). The
// code cache is made after a run, so it holds every function that run compiled — Node's own compile cache
// (Node ≥ 22) keeps only what is compiled before a module runs, and Node 20 has none.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { readPrivateFileSync } from 'tokenloop/private-files';
import { cliPaths } from '../config/paths.js';
import type { CodeCacheToSave, FastPath } from './token-fast-path.js';

/** The bundle start.cjs was built with (scripts/bundle-cli.mjs): its file in dist/fast, SHA-256 and size. */
export interface BundleId {
  file: string;
  sha256: string;
  size: number;
}

/** The loaded fast path, and the code cache to save after it answered (when there was none to use). */
export interface LoadedFastPath {
  fastPath: FastPath;
  codeCache?: CodeCacheToSave | undefined;
}

/**
 * S127: where the code cache of this bundle is kept for this Node: a private folder beside the token cache
 * (`<cache folder>/code-cache`). What is there is executed, so it is read only as a private file (S80, S81: the
 * user's own file in folders only the user controls) and written only by the one private-file writer (S84).
 * The name holds the bundle's SHA-256, so a cache is never applied to other code; V8 itself refuses a cache
 * made by another Node or with other flags.
 */
export function codeCacheFile(env: NodeJS.ProcessEnv, bundle: BundleId): string {
  const name = `token-${bundle.sha256.slice(0, 16)}-${process.version}-${process.arch}.bin`;
  return join(cliPaths(env).cache, 'code-cache', name);
}

/**
 * The bundled fast path of the command line in `cli`, or undefined when the bundle is not current: not the one
 * this loader was built with, or older than the last build of the command line or the library (their
 * `dist/.tsbuildinfo`, present only in a development tree rebuilt with `tsc -b`); the bin then loads the
 * compiled modules. `load` is the bin's `require`, for Node's built-in modules only.
 */
export function loadFastPath(
  cli: string,
  env: NodeJS.ProcessEnv,
  bundle: BundleId,
  load: (id: string) => unknown,
): LoadedFastPath | undefined {
  const file = join(cli, 'dist', 'fast', bundle.file);
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat || stat.size !== bundle.size) return undefined;
  for (const built of [
    join(cli, 'dist', '.tsbuildinfo'),
    join(cli, '..', 'tokenloop', 'dist', '.tsbuildinfo'),
  ]) {
    const st = statSync(built, { throwIfNoEntry: false });
    if (st && st.mtimeMs > stat.mtimeMs) return undefined;
  }
  const cacheFile = codeCacheFile(env, bundle);
  let cached: Buffer | undefined;
  try {
    cached = readPrivateFileSync(cacheFile)?.data;
  } catch {
    cached = undefined; // not safe to use (S80, S81): compiled from source instead, and nothing is written there
  }
  const script = new Script(`(function (exports, require, module) {${readFileSync(file, 'utf8')}\n})`, {
    filename: file,
    ...(cached ? { cachedData: cached } : {}),
  });
  const module = { exports: {} as FastPath };
  const builtins = (id: string) => {
    if (!id.startsWith('node:'))
      throw new Error(`the token fast path loads only built-in modules, not ${id}`);
    return load(id);
  };
  (script.runInThisContext() as (e: unknown, r: unknown, m: unknown) => void)(
    module.exports,
    builtins,
    module,
  );
  const fresh = cached === undefined || script.cachedDataRejected === true;
  return {
    fastPath: module.exports,
    codeCache: fresh ? { file: cacheFile, create: () => script.createCachedData() } : undefined,
  };
}
