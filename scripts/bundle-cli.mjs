#!/usr/bin/env node
// Bundles the CLI's `token` fast path (packages/cli/src/fast-path, compiled to dist/fast-path) into two small
// CommonJS files in packages/cli/dist/fast/, so that `tokenloop token` with a cached token loads two files and
// no ES module (on Node 20 each ES module costs about a millisecond, and the ES module loader a few more):
// - token.cjs: the fast path with what it uses of the command line and the library, in one minified file,
//   which start.cjs compiles with its code cache;
// - start.cjs: the loader, built knowing token.cjs's SHA-256 and size (a code cache is never applied to other
//   code, and a token.cjs that is not the one it was built with is not used), and the token agent's client
//   (src/fast-path/agent-client.ts), which asks a running `tokenloop agent` first (S174: as this build).
// The fast path never renews a token, so the network side of the library (flows, HTTP, discovery) is replaced
// by a module that refuses to load: it cannot be reached, and it is not parsed at every start.
// bin/tokenloop.js uses the bundle when it is current, else the compiled modules (dist/fast-path).
// `node scripts/bundle-cli.mjs --out DIR` writes the two files to DIR instead (a test's own copy).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '..', 'packages', 'cli');
const compiled = join(cli, 'dist', 'fast-path');
const at = process.argv.indexOf('--out');
const out = at > 0 ? process.argv[at + 1] : join(cli, 'dist', 'fast');
if (!out) throw new Error('--out needs a folder');
rmSync(out, { recursive: true, force: true });

/** What the fast path must never load: the library's network side (its lazily imported modules). */
const NETWORK = /\/(grant-binding|http-client|server-cache)\.js$/;
const noNetwork = {
  name: 'no-network',
  setup(b) {
    b.onResolve({ filter: NETWORK }, (args) => ({ path: args.path, namespace: 'no-network' }));
    b.onLoad({ filter: /.*/, namespace: 'no-network' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`the token fast path does not load ${args.path}`)});`,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  // Optional and native packages are never reached on the fast path; left out of the bundle.
  external: [
    '@napi-rs/keyring',
    'ioredis',
    'undici',
    'jose',
    'oauth4webapi',
    'commander',
    '@tokenloop/emulator',
  ],
  logLevel: 'warning',
  legalComments: 'none',
};

await build({
  ...common,
  entryPoints: [join(compiled, 'token-fast-path.js')],
  outfile: join(out, 'token.cjs'),
  plugins: [noNetwork],
});
const token = readFileSync(join(out, 'token.cjs'));
const id = {
  file: 'token.cjs',
  sha256: createHash('sha256').update(token).digest('hex'),
  size: token.length,
};
await build({
  ...common,
  stdin: {
    contents: `import { loadFastPath } from './start.js';
import { runAgentPath } from './agent-client.js';
import { agentBuildId } from '../agent-wire/agent-protocol.js';
import { VERSION } from '../version.js';
const id = ${JSON.stringify(id)};
export const bundle = id;
export const load = (cli, env, require) => loadFastPath(cli, env, id, require);
export const agent = (args, env, cwd, only) =>
  runAgentPath(args, env, cwd, agentBuildId(VERSION, id.sha256), only);`,
    resolveDir: compiled,
    sourcefile: 'start-entry.js',
    loader: 'js',
  },
  outfile: join(out, 'start.cjs'),
});
