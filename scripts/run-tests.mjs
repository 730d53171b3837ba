#!/usr/bin/env node
// Runs every test file (packages/*/test/**/*.test.ts) with node's test runner, TypeScript via tsx.
// Usage: node scripts/run-tests.mjs [filter-substring ...]
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
// Arguments: substrings of the test files to run (none: all), and `--except=FILE` for files to leave out.
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--except='));
const except = new Set(args.filter((a) => a.startsWith('--except=')).map((a) => a.slice('--except='.length)));

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
  .filter((f) => !except.has(f))
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

// A run that outlives its limit is stopped, naming the test files still running: a hang (a child process, a
// server or a handle that keeps a test file alive) fails in minutes with a diagnosis instead of stalling CI.
// The limit: TOKENLOOP_TEST_LIMIT_S (run-tests-all-nodes.mjs shares CI's budget out that way), else 40 min.
const limitSeconds = Number(process.env.TOKENLOOP_TEST_LIMIT_S ?? 2400);

/** Test files whose processes are alive in the process group `pgid` (from /proc). */
function runningTestFiles(pgid) {
  const out = new Set();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      for (const arg of argv) if (arg.endsWith('.test.ts')) out.add(relative(root, arg));
    } catch {
      // gone meanwhile
    }
  }
  return [...out];
}

let status;
try {
  const child = spawn(
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
    {
      cwd: root,
      stdio: 'inherit',
      detached: true, // its own process group, so that a stop reaches every test file and what they started
      env: { ...process.env, NODE_ENV: 'test', TMPDIR: runTmp },
    },
  );
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = setTimeout(() => {
    const running = runningTestFiles(child.pid);
    console.log(
      `\nrun-tests: STOPPED after ${limitSeconds} s, the limit of this run; test files still running: ${running.join(' ') || '(none found)'}`,
    );
    stop();
  }, limitSeconds * 1000);
  status = await new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1))),
  );
  clearTimeout(timer);
  stop(); // whatever a test file left running in the group
  const left = readdirSync(runTmp).filter((name) => !/^tsx-\d+$/.test(name)); // tsx's compile cache
  if (left.length > 0)
    console.log(
      `run-tests: ${left.length} temporary entries left behind (removed): ${left.slice(0, 20).join(' ')}`,
    );
} finally {
  rmSync(runTmp, { recursive: true, force: true });
}
process.exit(status);
