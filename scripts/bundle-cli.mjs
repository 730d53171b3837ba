#!/usr/bin/env node
// Bundles the CLI's `token` fast path (dist/commands/token/fast-token.js and what it loads) into a few files in
// packages/cli/dist/fast/, so that `tokenloop token` with a cached token loads one module instead of ~40: on
// Node 20 each ES module costs about a millisecond to load. Lazily imported parts (refreshing a token, the
// network stack) stay separate chunks, loaded only when needed. Native and optional packages stay external.
// bin/tokenloop.js uses the bundle when it is at least as new as the compiled fast path, else the plain dist.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '..', 'packages', 'cli');
rmSync(join(cli, 'dist', 'fast'), { recursive: true, force: true });
await build({
  entryPoints: { 'fast-token': join(cli, 'dist', 'commands', 'token', 'fast-token.js') },
  outdir: join(cli, 'dist', 'fast'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies stay external (loaded from node_modules only on the network path).
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
  // ESM output that still works for the few CommonJS dependencies that call require().
  banner: {
    js: "import { createRequire as __tlCreateRequire } from 'node:module'; const require = __tlCreateRequire(import.meta.url);",
  },
});
