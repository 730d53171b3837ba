#!/usr/bin/env node
// The `tokenloop` command of the `tokenloop` package, so that `npx tokenloop …` and `npm install --global tokenloop`
// give the command line: it hands over, in this process, to @tokenloop/cli (an optional dependency of this
// package). The library itself never loads it. A CommonJS file (bin/package.json), like the command line's own
// bin, so that handing over costs no ES module loader (`tokenloop token` answers in a few milliseconds).
/* eslint-disable @typescript-eslint/no-require-imports */
/* global require */
'use strict';
let cli;
try {
  cli = require.resolve('@tokenloop/cli/bin');
} catch (err) {
  if (err?.code !== 'MODULE_NOT_FOUND') throw err;
}
if (cli) require(cli);
else {
  // It cannot tell why the package is missing (--omit=optional, or the registry did not have it): it says what is
  // missing and the commands that install it. A global @tokenloop/cli cannot be installed next to a global
  // tokenloop (both provide the `tokenloop` command; npm refuses the second), hence the uninstall first.
  const { version } = require('../package.json');
  console.error(
    [
      `tokenloop: the command line is not installed: the tokenloop command of the library tokenloop ${version} hands over to the package @tokenloop/cli (an optional dependency), which is not installed next to it.`,
      `  fix: npm uninstall --global tokenloop && npm install --global @tokenloop/cli@${version}   (the command for good; it brings the library)`,
      `  fix: npm install @tokenloop/cli@${version}   (in a project that depends on tokenloop)`,
    ].join('\n'),
  );
  process.exitCode = 1;
}
