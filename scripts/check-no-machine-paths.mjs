#!/usr/bin/env node
// No file in the repository names a path of the machine it was written on, or cites material kept beside the
// repository. What counts is worked out from where this checkout lies, so the check names no machine itself:
// the checkout's own absolute path, the folder it lies in (absolute), the user's home folder, and any folder
// beside the checkout reached as `../NAME/`.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const parent = dirname(root);
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// A clone made straight in the shared temporary folder (as CI may) has strangers beside it, not references.
const shared = parent === '/' || parent === tmpdir();
const siblings = (shared ? [] : readdirSync(parent)).filter((name) => {
  try {
    return name !== basename(root) && statSync(join(parent, name)).isDirectory();
  } catch {
    return false;
  }
});
// An absolute path starts the token: `~/Mail/x/` is a user's folder, not the machine's `/x/`.
const absolute = (dir) => `(?<![\\w~.])${escape(dir.endsWith('/') ? dir : `${dir}/`)}`;
const patterns = [escape(root)];
if (!shared) patterns.push(absolute(parent));
if (homedir() !== '/') patterns.push(absolute(homedir()));
for (const name of siblings) patterns.push(`\\.\\./${escape(name)}/`);
const forbidden = new RegExp(patterns.join('|'));

const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\0')
  .filter((f) => f && f !== 'package-lock.json');

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
