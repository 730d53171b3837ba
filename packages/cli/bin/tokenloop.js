#!/usr/bin/env node
// `token` is answered without loading the command-line framework: from the bundled fast path (dist/fast,
// made by scripts/bundle-cli.mjs) when it is current, else from the compiled modules.
import { statSync } from 'node:fs';

// A reader that stops early (`tokenloop --help | head -1`) closes the pipe: end quietly, as other tools do,
// instead of an EPIPE stack trace (issue 14, finding 7). Nothing more can reach it anyway.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });

const args = process.argv.slice(2);
let code;
if (args[0] === 'token') {
  const plain = new URL('../dist/commands/token/fast-token.js', import.meta.url);
  const bundled = new URL('../dist/fast/fast-token.js', import.meta.url);
  let current;
  try {
    current = statSync(bundled).mtimeMs >= statSync(plain).mtimeMs;
  } catch {
    current = false;
  }
  const { fastToken } = await import(current ? bundled.href : plain.href);
  code = await fastToken(args.slice(1));
}
if (code === undefined) {
  const { main } = await import('../dist/main.js');
  code = await main(args);
}
process.exitCode = code;
