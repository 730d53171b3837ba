// A node:test reporter that prints, at the end of a run, how long each test file's tests took (the sum of its
// top-level tests), slowest first: where the suite's time goes, for whoever wants it shorter.
// Used by run-tests.mjs beside the usual reporter.
import { relative } from 'node:path';

export default async function* fileTimes(source) {
  const perFile = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0) {
      const file = event.data.file ? relative(process.cwd(), event.data.file) : '(unknown file)';
      perFile.set(file, (perFile.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  const rows = [...perFile].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  yield `\n# time per test file (top-level tests, summed; files run two at a time): ${Math.round(total / 1000)} s in all\n`;
  for (const [file, ms] of rows.slice(0, 25)) yield `#   ${(ms / 1000).toFixed(1).padStart(7)} s  ${file}\n`;
  if (rows.length > 25) yield `#   … and ${rows.length - 25} more files\n`;
}
