#!/usr/bin/env node
// A single-file executable of the command line, for machines without Node (Node's single executable
// applications): the built CLI (packages/cli/dist) bundled into one ES module with esbuild, then joined to a
// Node 26 binary (the npm registry's node@26, see node-versions.mjs) with `node --build-sea`. The OS keyring
// binding (native) is left out: the file store then keeps its key in a 0600 key file, as on machines without a
// keyring. Usage: node scripts/build-sea.mjs OUT_DIR   (prints the executable's path; needs `npm run build`)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { ensureNode } from './node-versions.mjs';

const SEA_NODE = 26;
const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/build-sea.mjs OUT_DIR');
  process.exit(2);
}
const dir = resolve(out);
mkdirSync(dir, { recursive: true });
const node = ensureNode(SEA_NODE);

await build({
  stdin: {
    contents: "import { main } from './main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n",
    resolveDir: join(import.meta.dirname, '..', 'packages', 'cli', 'dist'),
    sourcefile: 'sea-entry.mjs',
    loader: 'js',
  },
  outfile: join(dir, 'tokenloop.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: `node${SEA_NODE}`,
  external: ['@napi-rs/keyring'],
  legalComments: 'none',
  logLevel: 'warning',
  // The few CommonJS dependencies call require(): give the bundle one.
  banner: {
    js: "import { createRequire as __tlCreateRequire } from 'node:module'; const require = __tlCreateRequire(import.meta.url);",
  },
});

const config = join(dir, 'sea-config.json');
writeFileSync(
  config,
  JSON.stringify({
    main: 'tokenloop.mjs',
    mainFormat: 'module',
    output: 'tokenloop',
    disableExperimentalSEAWarning: true,
  }),
);
const made = spawnSync(node.bin, ['--build-sea', config], { cwd: dir, encoding: 'utf8' });
if (made.status !== 0) {
  console.error(`build-sea: node ${node.version} --build-sea failed:\n${made.stdout}${made.stderr}`);
  process.exit(1);
}
console.log(join(dir, 'tokenloop'));
