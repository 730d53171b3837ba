#!/usr/bin/env node
// After `changeset version` moved the versions: the CLI's `--version` (packages/cli/src/version.ts) follows its
// package.json. The packaging test checks that `tokenloop --version` prints the version that was packed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '..', 'packages', 'cli');
const { version } = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8'));
const file = join(cli, 'src', 'version.ts');
const text = readFileSync(file, 'utf8');
const next = text.replace(/export const VERSION = '[^']*';/, `export const VERSION = '${version}';`);
if (next === text && !text.includes(`'${version}'`)) {
  console.error(`sync-cli-version: no VERSION constant found in ${file}`);
  process.exit(1);
}
writeFileSync(file, next);
console.log(`sync-cli-version: the CLI reports ${version}`);
