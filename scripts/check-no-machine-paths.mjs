#!/usr/bin/env node
// No file in the repository names a path of the machine it was written on (the checkout's own folder, the
// workplace's folders, the home of root), or cites reference material that lives beside the repository.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// An absolute path starts the token: `~/Mail/work/` is a user's folder, `/work/x` is this machine's.
const forbidden = new RegExp(
  [
    escape(root),
    '(?<![\\w~.])/work/',
    '(?<![\\w~.])/root/',
    '/tmp/bash_jobs',
    '\\.\\./shared/',
    'shared/[\\w-]+\\.md',
  ].join('|'),
);
const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\0')
  .filter((f) => f && f !== 'package-lock.json' && f !== 'scripts/check-no-machine-paths.mjs');

const problems = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch {
    continue; // deleted in the work tree
  }
  text.split('\n').forEach((line, i) => {
    const hit = forbidden.exec(line);
    if (hit) problems.push(`${file}:${i + 1} names ${JSON.stringify(hit[0])}`);
  });
}
if (problems.length > 0) {
  console.error(`check-no-machine-paths: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-no-machine-paths: ${files.length} files, none names a path of this machine`);
