#!/usr/bin/env node
// `npm test`: the whole suite on the machine's own Node, then on every other supported release line (Node 22, 24
// and 26 from the npm registry's node@N packages, see node-versions.mjs), one after the other (the machine has
// two cores, and the suite already runs two test files at a time). Each line runs scripts/run-tests.mjs under
// that Node, with that Node first on PATH (child processes, npm and `#!/usr/bin/env node` scripts use it too).
// A line that cannot be installed or run is reported loudly and fails the run: nothing is skipped silently.
// Usage: node scripts/run-tests-all-nodes.mjs [filter-substring ...]   (the filters go to run-tests.mjs)
import { spawn } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { NODE_LINES, ensureNode } from './node-versions.mjs';

const runTests = join(import.meta.dirname, 'run-tests.mjs');
const filters = process.argv.slice(2);

// Test files whose subject does not depend on the Node line that runs them run on the machine's Node only, so that
// the four lines fit CI's time: the type check of the packed declarations (TypeScript's own checker, whatever
// Node runs it) and the single executable (always built from Node 26's binary, and run without Node).
const ONCE = ['test/packaging-types.test.ts', 'test/single-executable.test.ts'];

// CI stops a run after 90 minutes, installs included. The lines share what is left of that (75 min from here,
// or TOKENLOOP_TESTS_BUDGET_S): each may use all of it but 10 minutes for every line still to come, so that a
// line that hangs is stopped (naming the test files still running, see run-tests.mjs) while the others run.
const budgetEnds = Date.now() + Number(process.env.TOKENLOOP_TESTS_BUDGET_S ?? 4500) * 1000;
const RESERVE_PER_LINE_S = 600;
/** How much of a line's "failing tests" block the summary repeats. */
const FAILURES_KEPT = 6000;

/** Runs the suite under `bin`, passing its output through; resolves with the exit status and the counts. */
function runSuite(bin, linesAfter, extra) {
  return new Promise((resolve) => {
    const started = Date.now();
    const limit = Math.max(
      RESERVE_PER_LINE_S,
      Math.floor((budgetEnds - started) / 1000) - linesAfter * RESERVE_PER_LINE_S,
    );
    const child = spawn(bin, [runTests, ...filters, ...extra], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        PATH: `${dirname(bin)}${delimiter}${process.env.PATH ?? ''}`,
        TOKENLOOP_TEST_LIMIT_S: String(limit),
      },
    });
    let tail = '';
    // The spec reporter's "✖ failing tests:" block (each failure with its message), kept to be printed again
    // in the summary: a CI log shows only its end, where one line's failures would be hidden by the next lines.
    let failures = '';
    let inFailures = false;
    let partial = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-10000);
      const rows = (partial + text).split('\n');
      partial = rows.pop() ?? '';
      for (const row of rows) {
        if (row.startsWith('✖ failing tests:')) inFailures = true;
        else if (row.startsWith('# time per test file')) inFailures = false;
        if (inFailures && failures.length < FAILURES_KEPT) failures += `${row}\n`;
      }
    });
    child.on('close', (code, signal) => {
      // The runner's closing lines: "# pass N" (TAP) or "ℹ pass N" (spec reporter).
      const count = (name) => Number(new RegExp(`^(?:# |ℹ )${name} (\\d+)$`, 'm').exec(tail)?.[1] ?? NaN);
      resolve({
        status: code ?? 1,
        signal,
        seconds: Math.round((Date.now() - started) / 1000),
        pass: count('pass'),
        fail: count('fail'),
        tests: count('tests'),
        failures: failures.slice(0, FAILURES_KEPT),
      });
    });
  });
}

const machine = process.versions.node.split('.')[0];
const lines = [{ label: `Node ${process.version} (this machine's)`, bin: process.execPath }];
const results = [];
for (const major of NODE_LINES) {
  if (String(major) === machine) continue; // already the machine's own
  try {
    const n = ensureNode(major);
    lines.push({ label: `Node ${n.version} (npm node@${major})`, bin: n.bin });
  } catch (err) {
    results.push({ label: `Node ${major}`, error: err instanceof Error ? err.message : String(err) });
  }
}

for (const [i, line] of lines.entries()) {
  const what = filters.length > 0 ? `the tests matching ${filters.join(' ')}` : 'the whole suite';
  const extra = i === 0 ? [] : ONCE.map((f) => `--except=${f}`);
  const but = i === 0 ? '' : ` but ${ONCE.join(' and ')} (run on the first line only: see ONCE)`;
  console.log(`\nrun-tests-all-nodes: ===== ${what} on ${line.label}${but} =====\n`);
  results.push({ label: line.label, ...(await runSuite(line.bin, lines.length - 1 - i, extra)) });
}

console.log('\nrun-tests-all-nodes: summary');
let failed = false;
let passed = 0;
let failedTests = 0;
for (const r of results) {
  if (r.error) {
    failed = true;
    console.log(`  ${r.label}: NOT TESTED: ${r.error}`);
    continue;
  }
  passed += Number.isNaN(r.pass) ? 0 : r.pass;
  failedTests += Number.isNaN(r.fail) ? 0 : r.fail;
  const ok = r.status === 0;
  if (!ok) failed = true;
  console.log(
    `  ${r.label}: ${ok ? 'passed' : `FAILED (exit ${r.signal ?? r.status})`}, ${r.tests} tests, ${r.pass} passed, ${r.fail} failed, ${r.seconds} s`,
  );
}
for (const r of results.filter((x) => x.failures))
  console.log(`\nrun-tests-all-nodes: the failures on ${r.label} (as printed above)\n${r.failures}`);
if (results.some((r) => r.error))
  console.log(
    '\nrun-tests-all-nodes: !!!!! a supported Node line could not be tested (see NOT TESTED above) !!!!!',
  );
console.log(`all-nodes: ${passed} passed, ${failedTests} failed`);
process.exit(failed ? 1 : 0);
