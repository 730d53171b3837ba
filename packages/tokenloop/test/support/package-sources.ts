import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every source file below `dir` (.ts .mts .js .mjs, not .d.ts), node_modules and dist left out. */
export function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
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
