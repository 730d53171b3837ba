#!/usr/bin/env node
// Runs every test file (packages/*/test/**/*.test.ts) with node's test runner, TypeScript via tsx.
// Usage: node scripts/run-tests.mjs [filter-substring ...]
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const filters = process.argv.slice(2);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const files = readdirSync(join(root, 'packages'))
  .flatMap((pkg) => {
    const dir = join(root, 'packages', pkg, 'test');
    try {
      return walk(dir);
    } catch {
      return [];
    }
  })
  .concat(walk(join(root, 'test')))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}

// The run gets a temporary folder of its own (as /tmp: sticky, writable by all, since some tests run children
// as another user), so that the system's temporary folder is left as it was found, whatever a test or a
// program it drives (a browser, a mail client) leaves behind. What was left is named, so that it gets fixed.
const runTmp = mkdtempSync(join(tmpdir(), 'tokenloop-tests-'));
chmodSync(runTmp, 0o1777);
let status;
try {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      '--test-timeout=300000',
      // The usual report, then the time each file took (test-file-times.mjs), slowest first.
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${join(import.meta.dirname, 'test-file-times.mjs')}`,
      '--test-reporter-destination=stdout',
      ...files,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', TMPDIR: runTmp } },
  );
  status = result.status ?? 1;
  const left = readdirSync(runTmp).filter((name) => !/^tsx-\d+$/.test(name)); // tsx's compile cache
  if (left.length > 0)
    console.log(
      `run-tests: ${left.length} temporary entries left behind (removed): ${left.slice(0, 20).join(' ')}`,
    );
} finally {
  rmSync(runTmp, { recursive: true, force: true });
}
process.exit(status);
