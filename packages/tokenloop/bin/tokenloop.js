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
  // It cannot tell why the package is missing (--omit=optional, or the registry did not have it): it says what is
  // missing and the commands that install it. A global @tokenloop/cli cannot be installed next to a global
  // tokenloop (both provide the `tokenloop` command; npm refuses the second), hence the uninstall first.
  const { readFileSync } = await import('node:fs');
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  console.error(
    [
      `tokenloop: the command line is not installed: the tokenloop command of the library tokenloop ${version} hands over to the package @tokenloop/cli (an optional dependency), which is not installed next to it.`,
      `  fix: npm uninstall --global tokenloop && npm install --global @tokenloop/cli@${version}   (the command for good; it brings the library)`,
      `  fix: npm install @tokenloop/cli@${version}   (in a project that depends on tokenloop)`,
    ].join('\n'),
  );
  process.exitCode = 1;
}
