#!/usr/bin/env node
// The threat model is the one list of security requirements (docs/security.md). This check fails when
// code cites a requirement ID the page does not define, or when a requirement's named test file carries no
// test whose name starts with (or lists) its ID.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const ID = /(?<![%\w-])(S(?:\d{2}|1\d{2}|2[0-4]\d)|C[1-9])(?![\w-])/g;
const ROW = /^\|\s*(S(?:\d{2}|1\d{2}|2[0-4]\d)|C[1-9])\s*\|.*\|\s*`([^`]+)`\s*\|\s*$/;

const defined = new Map();
for (const line of readFileSync(join(root, 'docs/security.md'), 'utf8').split('\n')) {
  const m = ROW.exec(line);
  if (!m) continue;
  if (defined.has(m[1])) fail(`docs/security.md defines ${m[1]} twice`);
  defined.set(m[1], m[2]);
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|mjs|js)$/.test(name)) out.push(p);
  }
  return out;
}

const problems = [];
function fail(message) {
  problems.push(message);
}

const files = ['packages', 'scripts', 'bench', 'test'].flatMap((d) => {
  try {
    return walk(join(root, d));
  } catch {
    return [];
  }
});
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    for (const [, id] of line.matchAll(ID))
      if (!defined.has(id))
        fail(`${relative(root, file)}:${i + 1} cites ${id}, which docs/security.md does not define`);
  });
}

for (const [id, testFile] of defined) {
  let text;
  try {
    text = readFileSync(join(root, testFile), 'utf8');
  } catch {
    fail(`docs/security.md: ${id} is proved by ${testFile}, which does not exist`);
    continue;
  }
  // A test (or suite) title in that file that names the ID
  // (or the `name` of a case in a table that a test runs one by one: `it(\`${c.name}…\`)`).
  const title = new RegExp(
    `(?:\\b(?:test|it|describe)\\(\\s*|\\bname:\\s*)['"\`][^'"\`]*(?<![\\w-])${id}(?![\\w-])`,
  );
  if (!title.test(text)) fail(`docs/security.md: ${testFile} has no test named with ${id}`);
}

if (problems.length > 0) {
  console.error(`check-security-ids: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-security-ids: ${defined.size} requirements, each with its test; every cited ID defined`);
