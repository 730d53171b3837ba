#!/usr/bin/env node
// `token` is answered without loading the command-line framework (see dist/commands/token/fast-token.js).
const args = process.argv.slice(2);
let code;
if (args[0] === 'token') {
  const { fastToken } = await import('../dist/commands/token/fast-token.js');
  code = await fastToken(args.slice(1));
}
if (code === undefined) {
  const { main } = await import('../dist/main.js');
  code = await main(args);
}
process.exitCode = code;
