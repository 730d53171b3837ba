#!/usr/bin/env node
// The `tokenloop` command. A CommonJS file (bin/package.json), so that `tokenloop token` starts without the ES
// module loader: the token fast path (src/fast-path, bundled by scripts/bundle-cli.mjs into dist/fast) answers a
// cached token, and everything it declines goes to the full command line (dist/main.js), which prints the same.
// Before both, a running token agent (`tokenloop agent`) is asked, through the client in dist/fast/start.cjs.
// TOKENLOOP_TOKEN_PATH=full skips the agent and the fast path; =fast uses only the fast path; =agent only the
// agent (docs/cli.md).
/* eslint-disable @typescript-eslint/no-require-imports */
/* global require, __dirname */
'use strict';
const { join } = require('node:path');

const cli = join(__dirname, '..');
const args = process.argv.slice(2);
const path = process.env.TOKENLOOP_TOKEN_PATH;

/**
 * The fast path: the bundle, compiled with its code cache, when it is current (dist/fast/start.cjs decides),
 * else the compiled module (a development tree built with tsc -b only).
 */
function loadStart() {
  try {
    return require(join(cli, 'dist', 'fast', 'start.cjs'));
  } catch {
    return undefined; // not bundled
  }
}

async function loadFastPath(start) {
  const loaded = start?.load(cli, process.env, require);
  return loaded ?? { fastPath: await import('../dist/fast-path/token-fast-path.js') };
}

async function run() {
  if (args[0] === 'token' && path !== 'full') {
    let code;
    const start = loadStart();
    // S175: the agent first; when it does not answer (none, a stale socket, a decline), this process does.
    if (path !== 'fast') {
      try {
        code = await start?.agent(args.slice(1), process.env, process.cwd(), path === 'agent');
      } catch {
        code = undefined;
      }
      if (code !== undefined) process.exit(code);
      if (path === 'agent') {
        process.stderr.write('tokenloop: the agent client could not be loaded\n');
        return 125; // EXIT.tokenPathDeclined (src/exit-codes.ts): this CommonJS file cannot import it
      }
    }
    try {
      const fast = await loadFastPath(start);
      code = await fast.fastPath.runFastPath(args.slice(1), process.env, path === 'fast', fast.codeCache);
    } catch {
      code = undefined; // a broken build: the full command line still answers
    }
    // Everything is written (synchronously) and saved: exit now, without waiting for V8's background work.
    if (code !== undefined) process.exit(code);
    if (path === 'fast') {
      process.stderr.write('tokenloop: the fast path could not be loaded\n');
      return 125; // EXIT.tokenPathDeclined (src/exit-codes.ts): this CommonJS file cannot import it
    }
  }
  // A reader that stops early (`tokenloop --help | head -1`) closes the pipe: end quietly, as other tools do,
  // instead of an EPIPE stack trace. Nothing more can reach it anyway. (Not before: on
  // the fast path, creating process.stdout would cost more than answering.)
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (err) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  const { main } = await import('../dist/main.js');
  return main(args);
}

run().then((code) => {
  process.exitCode = code;
});
