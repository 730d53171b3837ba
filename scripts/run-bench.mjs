#!/usr/bin/env node
// `npm run bench`: builds, then runs every benchmark in bench/ in turn (each in its own process), printing each
// one's tables beside its peer's figures, and at the end one JSON line (`BENCH_RESULTS {...}`) gathering every
// bench's own `BENCH {...}` line. Performance is measured here, never asserted: a bench fails only when it
// cannot measure (a failed request, a crash, a time-out), and then this fails loudly with a non-zero exit.
// `npm run bench -- auth` runs only the benches whose file name contains "auth"; BENCH_SECONDS shortens runs.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(import.meta.dirname, '..');
const TIME_LIMIT_MS = 150_000;

const build = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('\nbench: FAILED — the build (tsc -b) failed; nothing was measured');
  process.exit(build.status ?? 1);
}
const bundle = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-cli.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
if (bundle.status !== 0) {
  console.error('\nbench: FAILED — bundling the CLI fast path failed; nothing was measured');
  process.exit(bundle.status ?? 1);
}

const only = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
if (benches.length === 0) {
  console.error(`bench: FAILED — no bench matches ${only.join(', ')}`);
  process.exit(1);
}

/** Runs one bench, echoing its output, and resolves with its exit status and its BENCH line(s). */
function runOne(file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', file)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const results = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      console.log(line);
      if (line.startsWith('BENCH ')) results.push(JSON.parse(line.slice(6)));
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIME_LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ file, code, signal, timedOut, results, seconds: (performance.now() - started) / 1000 });
    });
  });
}

const runs = [];
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const run = await runOne(file);
  runs.push(run);
  if (run.code !== 0 || run.results.length === 0) {
    const why = run.timedOut
      ? `took longer than ${TIME_LIMIT_MS / 1000} s and was killed`
      : run.code !== 0
        ? `exited with ${run.code ?? run.signal}`
        : 'printed no BENCH line';
    console.error(`\n!!! bench ${file} FAILED: ${why}\n`);
  }
}

const failed = runs.filter((r) => r.code !== 0 || r.results.length === 0);
console.log(
  `\nbench: ${runs.length - failed.length}/${runs.length} benches ran` +
    ` (${runs.map((r) => `${r.file} ${r.seconds.toFixed(0)} s`).join(', ')})`,
);
console.log(
  `BENCH_RESULTS ${JSON.stringify({
    ok: failed.length === 0,
    node: process.version,
    benches: runs.flatMap((r) => r.results),
    failed: failed.map((r) => r.file),
  })}`,
);
if (failed.length) {
  console.error(`bench: FAILED — ${failed.map((r) => r.file).join(', ')}`);
  process.exit(1);
}
