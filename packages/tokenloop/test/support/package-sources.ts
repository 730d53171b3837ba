import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every kind of source file (.ts .mts .js .mjs), declarations (.d.ts) left out. */
export const SOURCE_NAME = /(?<!\.d)\.(ts|mts|js|mjs)$/;
/** TypeScript sources only (.ts), declarations left out. */
export const TS_NAME = /(?<!\.d)\.ts$/;

export interface SourceFileOptions {
  /** Which file names to collect (default: SOURCE_NAME). */
  readonly names?: RegExp;
  /** Files to leave out, by their path (as returned). */
  readonly except?: (path: string) => boolean;
}

/** The source files below `dir`, depth first in directory order; node_modules and dist left out. */
export function sourceFiles(dir: string, options: SourceFileOptions = {}, out: string[] = []): string[] {
  const { names = SOURCE_NAME, except } = options;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, options, out);
    else if (names.test(name) && !except?.(path)) out.push(path);
  }
  return out;
}

/** The shipped code of every package of the repository at `root` (its src and bin), for source sweeps. */
export function packageSourceFiles(root: string, except: ReadonlySet<string> = new Set()): string[] {
  return readdirSync(join(root, 'packages'))
    .filter((pkg) => !except.has(pkg))
    .flatMap((pkg) =>
      ['src', 'bin'].flatMap((dir) => {
        try {
          return sourceFiles(join(root, 'packages', pkg, dir));
        } catch {
          return [];
        }
      }),
    );
}
