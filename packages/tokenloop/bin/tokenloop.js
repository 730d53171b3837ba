#!/usr/bin/env node
// The `tokenloop` command of the `tokenloop` package, so that `npx tokenloop …` and `npm install --global tokenloop`
// give the command line: it hands over, in this process, to @tokenloop/cli (an optional dependency of this
// package). The library itself never loads it.
try {
  await import('@tokenloop/cli/bin');
} catch (err) {
  const missing =
    err instanceof Error &&
    'code' in err &&
    err.code === 'ERR_MODULE_NOT_FOUND' &&
    /['"]@tokenloop\/cli['"]/.test(err.message);
  if (!missing) throw err;
  console.error(
    'tokenloop: the command line (@tokenloop/cli) is not installed next to the library; it was probably left out ' +
      'with --omit=optional.\nfix: npm install --global tokenloop   (or, once: npx tokenloop@latest …)',
  );
  process.exitCode = 1;
}
