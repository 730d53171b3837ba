#!/usr/bin/env node
// tsc -b never deletes what it once compiled: after a source file is removed or renamed, its old .js, .d.ts and
// maps stay in dist/ and would be packed and published. This removes every compiled file of packages/*/dist
// whose source in packages/*/src no longer exists (dist/fast, the CLI's bundle, is made from dist itself).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const packages = join(import.meta.dirname, '..', 'packages');
const removed = [];
for (const pkg of readdirSync(packages)) {
  const dist = join(packages, pkg, 'dist');
  if (!existsSync(dist)) continue;
  for (const entry of readdirSync(dist, { recursive: true })) {
    const file = String(entry);
    if (file.startsWith('fast/') || file === 'fast') continue;
    const m = /^(.*)\.(?:js|d\.ts)(?:\.map)?$/.exec(file);
    if (!m) continue;
    if (!existsSync(join(packages, pkg, 'src', `${m[1]}.ts`))) {
      rmSync(join(dist, file));
      removed.push(`${pkg}/dist/${file}`);
    }
  }
}
if (removed.length > 0)
  console.log(`prune-dist: removed ${removed.length} compiled file(s) of deleted sources`);
